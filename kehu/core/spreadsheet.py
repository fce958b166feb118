"""CSV that a spreadsheet program opens as data, never as formulas (CSV injection, CWE-1236).

A customer's name or a note typed as `=HYPERLINK("http://…")` or `@SUM(…)` would run as a
formula in Excel or WPS when an export is opened. Such a cell is written with a leading
apostrophe, which spreadsheets read as "this is text" and hide. Plain numbers keep their
form — negative amounts (-12.50) and E.164 phones (+8613800138000) are not formulas.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

# What a spreadsheet may start a formula with; tab and CR are OWASP's "also dangerous".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet will show it, never evaluate it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose cells go through `safe_cell`."""

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])
