"""What the scanner may skip: complete, well-formed sealed tokens, and nothing else.

A token's payload is random base64url, which can spell a card number or a
canary by chance, so the scanner ignores the text of genuine tokens. Anything
that merely *looks* like one is plaintext and is scanned: a ``[SEALED:`` prefix
without its ``]`` (a truncated token, or an attacker's bait), a token whose
payload is not canonical base64url (a decoder would reject or re-encode it),
or one too short to hold the encapsulated key and the AEAD tag.

The token grammar is :data:`sparkseal.core.token.TOKEN_RE`, imported, never
copied, so a new token version is followed here when that regex learns it.
A forged token with a canonical payload of the right length is still skipped:
without the private key no one can tell it from a real one (docs/codes.md, SS301).
"""

from __future__ import annotations

import base64
import binascii
import re

from sparkseal.core.suites import SUITES
from sparkseal.core.token import TOKEN_RE

_TAG_LEN = 16  # AES-256-GCM, every suite
_MIN_BY_SUITE = {letter.encode(): s.enc_len + _TAG_LEN for letter, s in SUITES.items()}
_MIN_ANY = min(_MIN_BY_SUITE.values())
_TOKEN = re.compile(TOKEN_RE.pattern.encode("ascii"), TOKEN_RE.flags & ~re.UNICODE)
# Replaces a skipped token: not a word character and not a separator any detector
# accepts, so the text on either side can neither merge into a value nor lose one.
_GAP = b"\x00"


def canonical_b64u(payload: bytes) -> bool:
    """True if ``payload`` is the one base64url spelling (no padding) of its bytes.

    Rejects lengths of 4n+1 and non-zero unused bits in the last character: such
    text is not what any sealer writes.
    """
    if not payload or len(payload) % 4 == 1:
        return False
    try:
        raw = base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return False
    return base64.urlsafe_b64encode(raw).rstrip(b"=") == payload


def _payload(m: re.Match[bytes]) -> bytes:
    named = m.groupdict().get("payload")
    return named if named is not None else (m.group(m.re.groups) if m.re.groups else b"")


def _min_len(m: re.Match[bytes]) -> int:
    for group in m.groups():
        if group in _MIN_BY_SUITE:
            return _MIN_BY_SUITE[group]
    return _MIN_ANY


def well_formed(m: re.Match[bytes]) -> bool:
    """A regex match of a token whose payload is canonical and long enough for its suite."""
    payload = _payload(m)
    if not canonical_b64u(payload):
        return False
    return len(payload) * 3 // 4 >= _min_len(m)


def blank_tokens(buf: bytes) -> bytes:
    """``buf`` with each well-formed token replaced by one NUL byte; all else unchanged.

    Tokens never span lines, so line numbers are kept.
    """
    return _TOKEN.sub(lambda m: _GAP if well_formed(m) else m.group(0), buf)
