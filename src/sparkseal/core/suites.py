"""The HPKE cipher suites a sealed token can use.

A suite is named by one ASCII letter inside every token, so a token says how it
was made and the unseal side never guesses. Both suites use HKDF-SHA256 and
AES-256-GCM; they differ in the KEM.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives import hpke


class SuiteName(StrEnum):
    """Suite names as written in policies and key files."""

    X25519 = "x25519"
    MLKEM768_X25519 = "mlkem768-x25519"


@dataclass(frozen=True)
class Suite:
    name: SuiteName
    letter: str  # the suite's letter inside tokens and key files
    hpke_suite: hpke.Suite
    public_len: int  # raw public key length in bytes
    private_len: int  # raw private key length in bytes (X25519 key, or ML-KEM seed + X25519 key)
    enc_len: int  # length of the encapsulated key at the front of every ciphertext


X25519 = Suite(
    name=SuiteName.X25519,
    letter="X",
    hpke_suite=hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
    public_len=32,
    private_len=32,
    enc_len=32,
)

# The post-quantum hybrid (ML-KEM-768 combined with X25519), for data that must stay
# confidential past the arrival of quantum computers. Tokens are ~1.5 kB longer.
MLKEM768_X25519 = Suite(
    name=SuiteName.MLKEM768_X25519,
    letter="H",
    hpke_suite=hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
    public_len=1184 + 32,
    private_len=64 + 32,
    enc_len=1088 + 32,
)

SUITES: dict[str, Suite] = {s.letter: s for s in (X25519, MLKEM768_X25519)}
SUITES_BY_NAME: dict[SuiteName, Suite] = {s.name: s for s in SUITES.values()}
