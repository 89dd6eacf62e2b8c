"""Make untrusted text safe to print on an operator's terminal.

Opened plaintext and file names found on disk come from whoever wrote the data.
An ESC or CSI sequence in them could recolour, rewrite or hide what the
operator sees (or set the window title, or on some terminals answer back), and
bidirectional overrides can make text read differently from what it is.
Allow-list: printable characters, spaces, newline and tab stay as they are;
every other character is shown as a Python-style escape (``\\x1b``, ``\\u202e``).
Carriage return is escaped too: it moves the cursor back over what was printed.
"""

from __future__ import annotations

import unicodedata

_KEEP = frozenset("\n\t")
_SHORT = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    n = ord(ch)
    if n < 0x100:
        return f"\\x{n:02x}"
    if n < 0x10000:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def _readable(ch: str) -> bool:
    return ch in _KEEP or ch.isprintable() or unicodedata.category(ch) == "Zs"


def printable(text: str, keep_newlines: bool = True) -> str:
    """``text`` with every character that is not plainly readable escaped.

    With ``keep_newlines=False`` newline and tab are escaped too (for one-line
    fields such as file names).
    """
    if text.isprintable():
        return text
    if keep_newlines:
        return "".join(ch if _readable(ch) else _escape(ch) for ch in text)
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)
