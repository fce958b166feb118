"""CSV cells are data to a spreadsheet program, never formulas."""

from __future__ import annotations

import io

import pytest

from kehu.core.spreadsheet import SafeWriter, safe_cell


@pytest.mark.parametrize("value", ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
                                   "=HYPERLINK(\"http://x\")", "+", "-"])
def test_formula_starts_are_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["王芳", "-12.50", "+8613800138000", "0", "a=b", "", "{\"a\": 1}", 42, None])
def test_data_is_left_as_it_is(value):
    assert safe_cell(value) == value


def test_the_writer_applies_it_to_every_cell():
    buffer = io.StringIO()
    SafeWriter(buffer).writerow(["=1", "-5", "x"])
    assert buffer.getvalue() == "'=1,-5,x\r\n"
