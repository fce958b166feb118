"""The zh-Hans catalogue is complete, consistent with its sources, and compiled."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess

import pytest

from tests.i18n.catalogue import ZH_MO, ZH_PO, messages, parse_po

# %(name)s / %d style, {name} style, and HTML tags/entities must survive translation.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}|<[^<>]+>|&\w+;")


def test_header_declares_chinese_with_one_plural_form():
    header = parse_po(ZH_PO)[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    text = header.msgstr[0]
    assert "Language: zh_Hans\n" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text
    assert "charset=UTF-8" in text


def test_every_message_is_translated():
    entries = messages()
    assert len(entries) > 500, "the catalogue looks truncated"
    untranslated = [f"{e.where}: {e.msgid!r}" for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    assert untranslated == []


def test_no_fuzzy_entries():
    assert [f"{e.where}: {e.msgid!r}" for e in messages() if "fuzzy" in e.flags] == []


def test_plural_entries_have_exactly_one_form():
    bad = [e.msgid for e in messages() if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert bad == []


def test_placeholders_and_markup_are_kept():
    wrong = []
    for entry in messages():
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in entry.msgstr.values():
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{entry.where}: {entry.msgid!r} → {text!r}")
    assert wrong == []


def test_chinese_sentences_use_chinese_punctuation():
    # A sentence translated into Chinese ends with “。” (or “？”/“！”), not an ASCII full stop.
    wrong = [
        f"{e.where}: {text!r}"
        for e in messages()
        for text in e.msgstr.values()
        if re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[\u4e00-\u9fff）”]\.$|[\u4e00-\u9fff],[\u4e00-\u9fff]", text)
    ]
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    committed = gettext.GNUTranslations(ZH_MO.open("rb"))._catalog  # type: ignore[attr-defined]
    by_key = {}
    for entry in messages():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is None:
            by_key[key] = entry.msgstr[0]
        else:
            by_key[(key, 0)] = entry.msgstr[0]
    missing_or_stale = {key: text for key, text in by_key.items() if committed.get(key) != text}
    assert missing_or_stale == {}, "run: cd kehu && django-admin compilemessages -l zh_Hans"


MSGATTRIB = shutil.which("msgattrib")
MSGFMT = shutil.which("msgfmt")


@pytest.mark.skipif(MSGATTRIB is None, reason="gettext tools (msgattrib) are not installed")
@pytest.mark.parametrize("option", ["--only-fuzzy", "--untranslated"])
def test_msgattrib_finds_nothing_left_to_do(option):
    command = [str(MSGATTRIB), option, str(ZH_PO)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 — fixed arguments
    assert result.stdout.strip() == ""


@pytest.mark.skipif(MSGFMT is None, reason="gettext tools (msgfmt) are not installed")
def test_msgfmt_check_passes(tmp_path):
    command = [str(MSGFMT), "--check", "-o", str(tmp_path / "django.mo"), str(ZH_PO)]
    subprocess.run(command, check=True)  # noqa: S603 — fixed arguments
