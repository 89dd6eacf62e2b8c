"""HPKE (RFC 9180) base-mode contexts for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.

Why this exists: ``cryptography``'s HPKE API only offers single-shot
``encrypt``/``decrypt`` (one X25519 key agreement per message). Token format 3
seals many tokens with one context and sequence-numbered nonces
(``ComputeNonce(seq)``, RFC 9180 §5.2), so the key schedule is implemented here
on ``cryptography``'s X25519 and AES-GCM and the stdlib's HMAC-SHA256. It is
checked against the RFC 9180 test vector (257 encryptions of one context) in
``tests/core/test_hpke_context.py``, and against ``cryptography``'s own
single-shot HPKE (sequence 0 of a context is the single-shot ciphertext).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_KEM_SUITE = b"KEM" + struct.pack(">H", 0x0020)
_HPKE_SUITE = b"HPKE" + struct.pack(">HHH", 0x0020, 0x0001, 0x0002)
_V = b"HPKE-v1"
NK, NN, NH = 32, 12, 32
ENC_LEN = 32
TAG_LEN = 16
# RFC 9180 §5.2: a context must not seal more than 2^(8*Nn) - 1 messages; our own
# re-keying limit (token.py) is far below this.
MAX_SEQ = (1 << (8 * NN)) - 1


def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(NH), ikm, hashlib.sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def _labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, _V + suite + label + ikm)


def _labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return _expand(prk, struct.pack(">H", length) + _V + suite + label + info, length)


def _shared_secret(dh: bytes, kem_context: bytes) -> bytes:
    if dh == bytes(len(dh)):  # a small-order point; cryptography also refuses it
        raise ValueError("X25519 produced the all-zero shared secret")
    prk = _labeled_extract(_KEM_SUITE, b"", b"eae_prk", dh)
    return _labeled_expand(_KEM_SUITE, prk, b"shared_secret", kem_context, NH)


@dataclass(frozen=True)
class Context:
    """One HPKE context: the AEAD key, base nonce and the encapsulated key that made them.

    Holds no counter: the caller owns the sequence numbers (and must never reuse one
    with the same context). ``seal``/``open`` are thread-safe.
    """

    key: bytes
    base_nonce: bytes
    enc: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "_aead", AESGCM(self.key))
        object.__setattr__(self, "_base", int.from_bytes(self.base_nonce, "big"))

    def nonce(self, seq: int) -> bytes:
        """ComputeNonce(seq) of RFC 9180 §5.2: base_nonce XOR I2OSP(seq, Nn)."""
        if not 0 <= seq <= MAX_SEQ:
            raise ValueError("HPKE sequence number out of range")
        return (self._base ^ seq).to_bytes(NN, "big")  # type: ignore[attr-defined]

    def seal(self, seq: int, plaintext: bytes, aad: bytes = b"") -> bytes:
        return self._aead.encrypt(self.nonce(seq), plaintext, aad)  # type: ignore[attr-defined]

    def open(self, seq: int, ciphertext: bytes, aad: bytes = b"") -> bytes:
        """Raises ``cryptography.exceptions.InvalidTag`` if anything was changed."""
        return self._aead.decrypt(self.nonce(seq), ciphertext, aad)  # type: ignore[attr-defined]


def key_schedule(shared_secret: bytes, info: bytes, enc: bytes) -> Context:
    """KeySchedule of RFC 9180 §5.1, base mode (no PSK)."""
    psk_id_hash = _labeled_extract(_HPKE_SUITE, b"", b"psk_id_hash", b"")
    info_hash = _labeled_extract(_HPKE_SUITE, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash
    secret = _labeled_extract(_HPKE_SUITE, shared_secret, b"secret", b"")
    key = _labeled_expand(_HPKE_SUITE, secret, b"key", context, NK)
    base_nonce = _labeled_expand(_HPKE_SUITE, secret, b"base_nonce", context, NN)
    return Context(key, base_nonce, enc)


def _raw_public(key: x25519.X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def setup_sender(
    pk_r: bytes, info: bytes, ephemeral: x25519.X25519PrivateKey | None = None
) -> Context:
    """SetupBaseS: a fresh ephemeral key (``ephemeral`` only for the RFC's test vector)."""
    sk_e = ephemeral or x25519.X25519PrivateKey.generate()
    enc = _raw_public(sk_e.public_key())
    dh = sk_e.exchange(x25519.X25519PublicKey.from_public_bytes(pk_r))
    return key_schedule(_shared_secret(dh, enc + pk_r), info, enc)


def setup_receiver(enc: bytes, sk_r: x25519.X25519PrivateKey, info: bytes) -> Context:
    """SetupBaseR; raises ``ValueError`` for a malformed or small-order ``enc``."""
    if len(enc) != ENC_LEN:
        raise ValueError("encapsulated key must be 32 bytes")
    dh = sk_r.exchange(x25519.X25519PublicKey.from_public_bytes(enc))
    return key_schedule(_shared_secret(dh, enc + _raw_public(sk_r.public_key())), info, enc)
