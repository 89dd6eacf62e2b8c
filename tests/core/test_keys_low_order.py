"""Public keys that would make every token readable are refused at load, in both languages."""

from __future__ import annotations

import base64

import pytest

from sparkseal.core import keys
from sparkseal.core.errors import KeyFileError
from sparkseal.core.suites import MLKEM768_X25519, X25519

# The X25519 points of small order (RFC 7748; as listed by libsodium), and each with the
# unused top bit set, which X25519 ignores.
_SMALL_ORDER = [
    "00" * 32,
    "01" + "00" * 31,
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ec" + "ff" * 30 + "7f",
    "ed" + "ff" * 30 + "7f",
    "ee" + "ff" * 30 + "7f",
]
LOW_ORDER = [bytes.fromhex(h) for h in _SMALL_ORDER]
LOW_ORDER += [p[:31] + bytes([p[31] | 0x80]) for p in LOW_ORDER]


def public_text(raw: bytes, suite=X25519) -> str:
    """A well-formed key line (right kid) for arbitrary key bytes."""
    payload = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{keys.PUBLIC_PREFIX}:{suite.letter}:{keys.key_id(suite, raw)}:{payload}"


@pytest.mark.parametrize("raw", LOW_ORDER, ids=lambda r: r.hex()[:8] + r.hex()[-2:])
def test_low_order_x25519_keys_are_refused(raw):
    with pytest.raises(KeyFileError, match=r"SS002.*low-order"):
        keys.parse_public(public_text(raw))


def test_hybrid_key_with_low_order_x25519_half_is_refused():
    mlkem_half = keys.generate("mlkem768-x25519").public.raw[:1184]
    with pytest.raises(KeyFileError, match="SS002"):
        keys.parse_public(public_text(mlkem_half + LOW_ORDER[2], MLKEM768_X25519))


def test_ordinary_keys_still_load():
    for _ in range(20):
        key = keys.generate().public
        assert keys.parse_public(key.to_text()) == key


def test_non_canonical_base64_key_material_is_refused():
    key = keys.generate().public
    text = key.to_text()
    last = text[-1]
    # 32 bytes -> 43 characters; the last one carries 4 unused bits. Set one of them.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]
    assert base64.urlsafe_b64decode(text.split(":")[3][:-1] + twin + "=") == key.raw
    with pytest.raises(KeyFileError, match="base64url"):
        keys.parse_public(text[:-1] + twin)


def test_java_refuses_low_order_keys(tmp_path):
    pytest.importorskip("pyspark")
    from tests.jvm.conftest import run_seal_tool

    pub = tmp_path / "pub.txt"
    pub.write_text(public_text(LOW_ORDER[2]))
    proc = run_seal_tool("seal", pub, input="bob@example.com\n")
    assert proc.returncode != 0
    assert "SS002" in proc.stderr and "bob@example.com" not in proc.stdout + proc.stderr
