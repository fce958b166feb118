"""Reading rows from CSV or XLSX into dicts keyed by kehu's field names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

MAX_COLUMNS = 200


class FileError(ValueError):
    pass


def _decode(raw: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GB18030; everyone else as UTF-8 (often with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(_("The file is neither UTF-8 nor GB18030 text."))


def _csv_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    text = _decode(handle.read())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileError(_("This is not a readable XLSX file (%(error)s).") % {"error": type(error).__name__}) from None
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield list(row)
    workbook.close()


def read_rows(
    handle: IO[bytes], *, file_name: str, mapping: Mapping[str, str] | None = None
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """(field names, iterator of (row number as a spreadsheet shows it, {field: cell})).

    `mapping` renames file columns to kehu fields (`{"手机": "phone"}`); header cells are
    matched case- and space-insensitively.
    """
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(handle)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(handle)
    else:
        raise FileError(_("Use a .csv or .xlsx file."))
    try:
        header = next(rows)
    except StopIteration:
        raise FileError(_("The file is empty.")) from None
    if len(header) > MAX_COLUMNS:
        raise FileError(_("The file has more than %(n)d columns.") % {"n": MAX_COLUMNS})
    renames = {_norm(k): v for k, v in (mapping or {}).items()}
    fields = [renames.get(_norm(cell), _norm(cell)) for cell in header]

    named = [(i, name) for i, name in enumerate(fields) if name]
    every_column_named = len(named) == len(fields)

    def iterate() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, row in enumerate(rows, start=2):
            # any(row) answers for nearly every row at once; a row of only falsy cells may
            # still hold a 0 from a spreadsheet, so only then are its cells looked at.
            if not any(row) and all(cell in (None, "") for cell in row):
                continue
            if every_column_named and len(row) == len(fields):  # the usual row: a zip, no index checks
                yield number, dict(zip(fields, row, strict=True))
            else:
                yield number, {name: (row[i] if i < len(row) else None) for i, name in named}

    return fields, iterate()


def _norm(cell: Any) -> str:
    return "" if cell is None else str(cell).strip().lower().replace(" ", "_")


def estimate_rows(path: Path, *, file_name: str) -> int | None:
    """About how many data rows the file holds, for a progress bar (None: cannot tell).

    A CSV's line breaks, less the header (a cell with a line break in it counts twice, so
    progress may end short of 100%); an XLSX sheet's recorded dimension.
    """
    suffix = Path(file_name).suffix.lower()
    try:
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            try:
                rows = workbook.worksheets[0].max_row
            finally:
                workbook.close()
            return max(rows - 1, 0) if rows else None
        with path.open("rb") as handle:
            breaks, last = 0, b""
            while chunk := handle.read(1 << 20):
                breaks += chunk.count(b"\n")
                last = chunk[-1:]
        return max(breaks - (last == b"\n") , 0) if breaks or last else 0
    except Exception:  # an unreadable file is reported by the import itself  # noqa: BLE001
        return None
