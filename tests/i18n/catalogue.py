"""Read kehu's gettext catalogues without third-party libraries (tests only)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import kehu

LOCALE_DIR = Path(kehu.__file__).resolve().parent / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def where(self) -> str:
        return self.references[0] if self.references else "?"


def _string(text: str) -> str:
    # A PO string is a C string literal; Python's literal syntax reads it the same way.
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header included (its msgid is "")."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, target, started
        if started:
            entries.append(entry)
        entry, target, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            started, target = True, ("msgctxt", 0)
            entry.msgctxt = _string(line[len("msgctxt "):])
        elif line.startswith("msgid_plural "):
            target = ("msgid_plural", 0)
            entry.msgid_plural = _string(line[len("msgid_plural "):])
        elif line.startswith("msgid "):
            started, target = True, ("msgid", 0)
            entry.msgid = _string(line[len("msgid "):])
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr["):line.index("]")])
            target = ("msgstr", index)
            entry.msgstr[index] = _string(line[line.index("]") + 1:])
        elif line.startswith("msgstr "):
            target = ("msgstr", 0)
            entry.msgstr[0] = _string(line[len("msgstr "):])
        elif line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _string(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _string(line))
    finish()
    return entries


def messages(path: Path = ZH_PO) -> list[Entry]:
    """The translatable entries: no header, no obsolete ones."""
    return [e for e in parse_po(path) if e.msgid and not e.obsolete]
