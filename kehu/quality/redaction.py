"""Forgetting a person inside the error lists of past imports.

An import keeps its first row errors with the offending cell (`ImportRun.errors`): an order
row naming a customer by phone, a contact row whose e-mail was rejected. Those cells are
not linked to any file, so when a person is erased we look for what identified them —
name, phones, e-mails, ID number — and blank the cells (and reasons) that carry it.
Imports are a few thousand runs at most, each holding at most a thousand errors. After the
retention period (KEHU_RETAIN_IMPORT_ERRORS_DAYS) every quoted cell goes, named or not.
"""

from __future__ import annotations

from collections.abc import Iterable

from kehu.quality.models import ImportRun

# Shorter strings (a one-character name) would match unrelated cells.
MIN_IDENTIFIER_LENGTH = 2
ERASED = "—"


def identifier_variants(values: Iterable[str]) -> set[str]:
    """The strings to look for: each value, and a Chinese phone also as it is usually typed."""
    found: set[str] = set()
    for value in values:
        value = (value or "").strip()
        if len(value) < MIN_IDENTIFIER_LENGTH:
            continue
        found.add(value.casefold())
        if value.startswith("+86"):
            found.add(value[3:])
    return found


def forget_in_import_errors(values: Iterable[str]) -> int:
    """Blank every import error cell or reason that contains one of `values`; returns cells changed."""
    needles = identifier_variants(values)
    if not needles:
        return 0
    changed = 0
    for run in ImportRun.objects.exclude(errors=[]).only("pk", "errors").iterator(chunk_size=100):
        errors, count = _scrubbed(run.errors, needles)
        if count:
            ImportRun.objects.filter(pk=run.pk).update(errors=errors)
            changed += count
    return changed


def forget_import_error_cells(*, finished_before) -> int:
    """Blank value and reason of every error kept by runs finished before the cutoff; returns runs changed."""
    changed = 0
    old_runs = ImportRun.objects.filter(finished_at__lt=finished_before).exclude(errors=[])
    for run in old_runs.only("pk", "errors").iterator(chunk_size=100):
        blanked = [[entry[0], entry[1], "", ""] for entry in run.errors]
        if blanked != run.errors:
            ImportRun.objects.filter(pk=run.pk).update(errors=blanked)
            changed += 1
    return changed


def _scrubbed(errors: list, needles: set[str]) -> tuple[list, int]:
    count = 0
    kept = []
    for entry in errors:
        row, column, value, reason = (list(entry) + ["", "", "", ""])[:4]
        if _mentions(value, needles):
            value, count = ERASED, count + 1
        if _mentions(reason, needles):
            reason, count = ERASED, count + 1
        kept.append([row, column, value, reason])
    return kept, count


def _mentions(text: object, needles: set[str]) -> bool:
    folded = str(text or "").casefold()
    return bool(folded) and any(needle in folded for needle in needles)
