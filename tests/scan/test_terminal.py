"""Untrusted text printed to a terminal: only readable characters get through."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from sparkseal.scan.terminal import printable


@given(st.text())
def test_no_control_or_format_character_gets_through(text):
    shown = printable(text)
    for ch in shown:
        assert ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    one_line = printable(text, keep_newlines=False)
    assert "\n" not in one_line and "\t" not in one_line


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))))
def test_readable_text_is_unchanged(text):
    assert printable(text) == text


def test_escapes_are_python_style():
    assert printable("\x1b[2J\r\n\t\x00\x7f\x85\u202e\U000e0001") == (
        "\\x1b[2J\\r\n\t\\x00\\x7f\\x85\\u202e\\U000e0001"
    )
    assert printable("a\nb\tc", keep_newlines=False) == "a\\nb\\tc"
    assert printable("zoë 😀 \u00a0ok") == "zoë 😀 \u00a0ok"
