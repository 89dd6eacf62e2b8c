"""Only complete, canonical, full-length tokens are skipped; every other byte is scanned."""

import base64
import os

import pytest

from sparkseal.core import keys
from sparkseal.core.suites import SUITES
from sparkseal.core.token import Sealer
from sparkseal.scan import scanner as scanner_mod
from sparkseal.scan.scanner import Scanner
from sparkseal.scan.tokens import blank_tokens, canonical_b64u

KID = "0123456789abcdef"
SSN = "078-05-1120"


def _kinds(tmp_path, text: str, name: str = "t.log", **kw) -> list[str]:
    p = tmp_path / name
    p.write_text(text)
    return sorted(f.kind for f in Scanner(jobs=1, **kw).scan([p]).findings)


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_canonical_b64u():
    for n in range(0, 40):
        assert canonical_b64u(_b64u(os.urandom(n)).encode()) == (n > 0)
    assert not canonical_b64u(b"AAAAA")  # 4n+1 characters: no byte string encodes to that
    assert canonical_b64u(b"AA") and not canonical_b64u(b"AB")  # "B" sets an unused bit
    assert canonical_b64u(b"AAA") and not canonical_b64u(b"AAB")


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_real_tokens_of_every_suite_are_skipped(tmp_path, suite):
    key = keys.generate(SUITES[suite].name)
    token = Sealer(key.public).seal("anything")
    assert blank_tokens(f"a {token} b".encode()) == b"a \x00 b"


def test_a_payload_that_spells_a_value_is_skipped_only_inside_a_complete_token(tmp_path):
    # A canonical payload long enough for an X25519 token, with a card number in it.
    payload = "-4111111111111111-" + "A" * 62
    assert len(payload) % 4 == 0 and canonical_b64u(payload.encode())
    token = f"[SEALED:1:X:{KID}:{payload}]"
    assert _kinds(tmp_path, f"x {token} y\n") == []
    assert _kinds(tmp_path, f"x {token[:-1]} y\n") == ["card"]  # truncated: scanned
    assert _kinds(tmp_path, f"x {payload} y\n") == ["card"]  # control: the detector fires


@pytest.mark.parametrize(
    "line",
    [
        f"[SEALED:{SSN}",  # the review's case: a bare prefix
        f"[SEALED:{SSN}]",  # prefix and bracket, no header
        f"[SEALED:1:X:{KID}:{SSN}]",  # canonical but far too short for enc + tag
        f"[SEALED:1:X:{KID}:{SSN}-]",  # 12 characters: a 4n length, still too short
        f"[SEALED:1:X:{KID}:abc {SSN} xyz]",  # a prefix, plaintext, a later ]
        f"[SEALED:1:X:{KID}:abc]{SSN}",  # right after a (broken) token
        f"[SEALED:[SEALED:1:X:{KID}:abc] {SSN}]",  # nested brackets
        f"[SEALED:1:X:{KID}:[SEALED:1:X:{KID}:{SSN}]]",
        f"[SEALED:1:H:{KID}:{'A' * 64}-{SSN}-{'A' * 60}]",  # X length, but suite H is longer
        f"[SEALED:2:X:{KID}:{'A' * 64}-{SSN}-{'A' * 60}]",  # unknown version
        f"[SEALED:1:X:{KID.upper()}:{'A' * 64}-{SSN}-{'A' * 60}]",  # kid not lowercase hex
    ],
)
def test_text_after_anything_but_a_complete_token_is_scanned(tmp_path, line):
    assert _kinds(tmp_path, f"INFO {line} tail\n") == ["ssn"]


def test_non_canonical_payload_is_not_a_token(tmp_path, sealer: Sealer):
    # A plaintext length whose payload leaves the last character with 4 unused bits.
    token = next(t for t in map(sealer.seal, ("", "x", "xy")) if len(t[:-1].split(":")[4]) % 4 == 2)
    head, payload = token[:-1].rsplit(":", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(payload[-1])
    twin = f"{head}:{payload[:-1]}{alphabet[last | 1]}]"  # same bytes, unused bit set
    assert blank_tokens(token.encode()) == b"\x00"
    assert blank_tokens(twin.encode()) == twin.encode()
    card = f"[SEALED:1:X:{KID}:4111111111111111-x]"  # "x" sets unused bits
    assert _kinds(tmp_path, f"{card}\n") == ["card"]


def test_genuine_tokens_around_plaintext(tmp_path, sealer: Sealer):
    token = sealer.seal("secret")
    assert _kinds(tmp_path, f"{token}{SSN} {token} {token}\n") == ["ssn"]
    assert _kinds(tmp_path, f"{token} {token}\n") == []


def test_long_lines_are_scanned_to_the_end(tmp_path, monkeypatch):
    monkeypatch.setattr(scanner_mod, "CHUNK_SIZE", 4096)
    monkeypatch.setattr(scanner_mod, "MAX_LINE_CARRY", 8192)
    filler = "x" * 50_000
    line = f"[SEALED:1:X:{KID}:{filler} {SSN} {filler} bob@example.com]"
    assert _kinds(tmp_path, line + "\n") == ["email", "ssn"]
    # A value across every possible cut of a line with no newline at all.
    for shift in range(0, 30, 7):
        text = "y" * (8192 - shift) + f" {SSN} " + "y" * 9000
        assert _kinds(tmp_path, text, name=f"cut{shift}.log") == ["ssn"], shift
