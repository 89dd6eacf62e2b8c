"""Ed25519 keys for checkpoints, in the C2SP signed-note key formats.

Why signed-note keys: a checkpoint signed this way is checked by any transparency-log
tool (``golang.org/x/mod/sumdb/note``, litetlog, Sigstore's verifiers), not only by us.
The verifier key is ``NAME+KEYID+base64(0x01 || public key)``; the key ID is the first
four bytes of ``SHA-256(NAME || "\\n" || 0x01 || public key)`` (c2sp.org/signed-note).
The private key file holds ``PRIVATE+KEY+NAME+KEYID+base64(0x01 || seed)``, mode 0600.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sparkseal.core import keys as _keys
from sparkseal.core.codes import coded
from sparkseal.core.errors import KeyFileError

ALG_ED25519 = 0x01
PUBLIC_FILE = "sparkseal-audit.pub"
PRIVATE_FILE = "sparkseal-audit.key"
DEFAULT_NAME = "sparkseal"


class AuditKeyError(KeyFileError):
    """An audit signing or verifier key file is missing or malformed (SS607)."""


def _bad(source: str, why: str) -> AuditKeyError:
    return AuditKeyError(coded("SS607", f"{source}: {why}"))


def check_name(name: str) -> str:
    """A key name (and checkpoint origin): non-empty, no whitespace, no ``+``."""
    if not name or any(c.isspace() for c in name) or "+" in name or not name.isprintable():
        raise _bad("key name", f"{name!r} is not a valid name (non-empty, no spaces, no '+')")
    return name


def key_id(name: str, public_raw: bytes) -> bytes:
    """The signed-note key ID: four bytes that name the key in a signature line."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_raw).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """The public half: checks checkpoint signatures. Safe to share."""

    name: str
    public: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.raw)

    def to_text(self) -> str:
        b64 = base64.b64encode(bytes([ALG_ED25519]) + self.raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{b64}"

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self.public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    """The private half: signs checkpoints."""

    name: str
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.private.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def to_text(self) -> str:
        seed = self.private.private_bytes_raw()
        b64 = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{b64}"


def generate(name: str = DEFAULT_NAME) -> SignerKey:
    return SignerKey(check_name(name), Ed25519PrivateKey.generate())


def _key_line(text: str, source: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1:
        raise _bad(source, "expected exactly one key line")
    return lines[0]


def _decode(b64: str, size: int, source: str) -> bytes:
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise _bad(source, "the key is not valid base64") from None
    if len(raw) != size + 1 or raw[0] != ALG_ED25519:
        raise _bad(source, "not an Ed25519 signed-note key")
    return raw[1:]


def parse_verifier(text: str, source: str = "verifier key") -> VerifierKey:
    """Parse ``NAME+KEYID+KEY`` (a ``sparkseal-audit.pub`` file's line)."""
    line = _key_line(text, source)
    if line.startswith("PRIVATE+KEY+"):
        raise _bad(source, "this is a PRIVATE key; give the .pub file (--pub)")
    parts = line.split("+", 2)
    if len(parts) != 3:
        raise _bad(source, "not a signed-note verifier key (NAME+KEYID+KEY)")
    name, kid, b64 = parts
    raw = _decode(b64, 32, source)
    key = VerifierKey(check_name(name), Ed25519PublicKey.from_public_bytes(raw))
    if key.key_id.hex() != kid.lower():
        raise _bad(source, "the key ID does not match the key (file edited or corrupted)")
    return key


def parse_signer(text: str, source: str = "signing key") -> SignerKey:
    """Parse ``PRIVATE+KEY+NAME+KEYID+SEED`` (a ``sparkseal-audit.key`` file's line)."""
    line = _key_line(text, source)
    parts = line.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise _bad(source, "not a sparkseal audit signing key (PRIVATE+KEY+NAME+KEYID+KEY)")
    _, _, name, kid, b64 = parts
    seed = _decode(b64, 32, source)
    key = SignerKey(check_name(name), Ed25519PrivateKey.from_private_bytes(seed))
    if key.verifier.key_id.hex() != kid.lower():
        raise _bad(source, "the key ID does not match the key (file edited or corrupted)")
    return key


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise _bad(str(path), f"{what} file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(str(path), f"{what} file cannot be read ({type(exc).__name__})") from None


def load_verifier(path: str | os.PathLike[str]) -> VerifierKey:
    return parse_verifier(_read(Path(path), "verifier key"), str(path))


def load_signer(path: str | os.PathLike[str]) -> SignerKey:
    return parse_signer(_read(Path(path), "signing key"), str(path))


def write_pair(key: SignerKey, out_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``sparkseal-audit.pub`` and ``sparkseal-audit.key`` (0600) into ``out_dir``.

    Never overwrites (a lost signing key cannot sign the next checkpoint of its log; a
    replaced one makes every witness copy look forged) and never writes through a
    symlink, with the same helper as ``sparkseal keygen`` (SS104).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pub_path, key_path = out / PUBLIC_FILE, out / PRIVATE_FILE
    for p in (pub_path, key_path):
        if p.is_symlink():
            raise KeyFileError(
                coded("SS104", f"{p} is a symlink; refusing to write a key through it")
            )
        if p.exists():
            raise KeyFileError(
                f"{p} already exists; refusing to overwrite an audit key (checkpoints signed "
                "by it could no longer be checked). Choose another directory."
            )
    _keys._write_new(
        key_path,
        "# sparkseal audit SIGNING key (Ed25519, signed-note format). Keep it secret.\n"
        + key.to_text()
        + "\n",
        0o600,
    )
    _keys._write_new(
        pub_path,
        "# sparkseal audit verifier key (Ed25519, signed-note format). Safe to share.\n"
        + key.verifier.to_text()
        + "\n",
        0o644,
    )
    return pub_path, key_path
