"""Recipient key pairs: generation, key ids and the one-line text file format.

Writers (drivers, executors, log pipelines) only ever hold a :class:`PublicKey`;
only the unseal side loads a :class:`PrivateKey`. Both are stored as one ASCII
line so they can travel in Spark conf and environment variables::

    sparkseal-public-key-v1:X:<kid>:<base64url raw public key>
    sparkseal-private-key-v1:X:<kid>:<base64url raw private key>

``X`` is the suite letter (see :mod:`sparkseal.core.suites`); ``kid`` is the key
id, the first 8 bytes of SHA-256 over a label, the suite letter and the raw
public key, in hex. It travels in every token so that an unseal side holding
several private keys (rotation) picks the right one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from sparkseal.core.codes import coded
from sparkseal.core.errors import KeyFileError
from sparkseal.core.suites import MLKEM768_X25519, SUITES, X25519, Suite, SuiteName

PUBLIC_PREFIX = "sparkseal-public-key-v1"
PRIVATE_PREFIX = "sparkseal-private-key-v1"
PUBLIC_FILE = "sparkseal.pub"
PRIVATE_FILE = "sparkseal.key"


def b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    """Strict, canonical base64url without padding; raises ValueError on anything else.

    Canonical: the unused low bits of the last character are zero, so each byte
    string has exactly one text form (a changed text is never the same token).
    """
    if not _B64U_RE.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64u_encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


# The base64url alphabet, one regex (a per-character check was most of opening a token).
_B64U_RE = re.compile(r"[A-Za-z0-9_-]+")


def key_id(suite: Suite, public_raw: bytes) -> str:
    digest = hashlib.sha256(b"sparkseal-kid-v1" + suite.letter.encode() + public_raw).digest()
    return digest[:8].hex()


@dataclass(frozen=True)
class PublicKey:
    """A recipient's public key: seals text, cannot open it. Not a secret."""

    suite: Suite
    raw: bytes

    @property
    def kid(self) -> str:
        return key_id(self.suite, self.raw)

    def __repr__(self) -> str:
        return f"PublicKey(suite={self.suite.name.value!r}, kid={self.kid!r})"

    def to_text(self) -> str:
        return f"{PUBLIC_PREFIX}:{self.suite.letter}:{self.kid}:{b64u_encode(self.raw)}"

    def hpke_key(self) -> Any:
        if self.suite is X25519:
            return x25519.X25519PublicKey.from_public_bytes(self.raw)
        return hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(self.raw[:1184]),
            x25519.X25519PublicKey.from_public_bytes(self.raw[1184:]),
        )


@dataclass(frozen=True)
class PrivateKey:
    """A recipient's private key: opens sealed text. Keep it secret."""

    suite: Suite
    raw: bytes
    public: PublicKey

    @property
    def kid(self) -> str:
        return self.public.kid

    def __repr__(self) -> str:
        # Not the dataclass repr: that prints the key material into any log or traceback.
        return f"PrivateKey(suite={self.suite.name.value!r}, kid={self.kid!r}, raw=<redacted>)"

    __str__ = __repr__

    def to_text(self) -> str:
        return f"{PRIVATE_PREFIX}:{self.suite.letter}:{self.kid}:{b64u_encode(self.raw)}"

    def hpke_key(self) -> Any:
        if self.suite is X25519:
            return x25519.X25519PrivateKey.from_private_bytes(self.raw)
        return hpke.MLKEM768X25519PrivateKey(
            mlkem.MLKEM768PrivateKey.from_seed_bytes(self.raw[:64]),
            x25519.X25519PrivateKey.from_private_bytes(self.raw[64:]),
        )


def generate(suite_name: SuiteName | str = SuiteName.X25519) -> PrivateKey:
    """Generate a fresh key pair for the given suite."""
    suite = _suite_by_name(suite_name)
    xk = x25519.X25519PrivateKey.generate()
    x_priv, x_pub = xk.private_bytes_raw(), xk.public_key().public_bytes_raw()
    if suite is X25519:
        return PrivateKey(suite, x_priv, PublicKey(suite, x_pub))
    mk = mlkem.MLKEM768PrivateKey.generate()
    public = PublicKey(suite, mk.public_key().public_bytes_raw() + x_pub)
    return PrivateKey(suite, mk.private_bytes_raw() + x_priv, public)


def _suite_by_name(name: SuiteName | str) -> Suite:
    try:
        return {X25519.name: X25519, MLKEM768_X25519.name: MLKEM768_X25519}[SuiteName(name)]
    except ValueError:
        choices = ", ".join(s.value for s in SuiteName)
        raise KeyFileError(f"unknown suite {name!r}; choose one of: {choices}") from None


def _public_from_private(suite: Suite, raw: bytes) -> PublicKey:
    if suite is X25519:
        pub = x25519.X25519PrivateKey.from_private_bytes(raw).public_key().public_bytes_raw()
        return PublicKey(suite, pub)
    m_pub = mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[:64]).public_key().public_bytes_raw()
    x_pub = x25519.X25519PrivateKey.from_private_bytes(raw[64:]).public_key().public_bytes_raw()
    return PublicKey(suite, m_pub + x_pub)


def _parse_line(text: str, prefix: str, source: str) -> tuple[Suite, str, bytes]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    other = PRIVATE_PREFIX if prefix == PUBLIC_PREFIX else PUBLIC_PREFIX
    if len(lines) != 1:
        raise KeyFileError(f"{source}: expected exactly one '{prefix}:...' line")
    parts = lines[0].split(":")
    if parts[0] == other:
        kind = "private" if other == PRIVATE_PREFIX else "public"
        raise KeyFileError(
            f"{source}: this is a {kind} key; a {prefix.split('-')[1]} key is needed"
        )
    if len(parts) != 4 or parts[0] != prefix:
        raise KeyFileError(f"{source}: not a sparkseal key (expected '{prefix}:<suite>:<kid>:...')")
    _, letter, kid, payload = parts
    suite = SUITES.get(letter)
    if suite is None:
        raise KeyFileError(f"{source}: unknown suite letter {letter!r}")
    try:
        raw = b64u_decode(payload)
    except ValueError:
        raise KeyFileError(f"{source}: key material is not valid base64url") from None
    return suite, kid, raw


def _x25519_part(key: PublicKey) -> bytes:
    return key.raw if key.suite is X25519 else key.raw[1184:]


def is_low_order(x25519_raw: bytes) -> bool:
    """True if X25519 with this point gives the all-zero shared secret (a small-order point).

    Tokens sealed to such a key would be readable by anyone: the shared secret is known.
    """
    try:
        peer = x25519.X25519PublicKey.from_public_bytes(x25519_raw)
        x25519.X25519PrivateKey.generate().exchange(peer)
    except ValueError:
        return True
    return False


def parse_public(text: str, source: str = "public key") -> PublicKey:
    """Parse the one-line public key format; raises :class:`KeyFileError`."""
    suite, kid, raw = _parse_line(text, PUBLIC_PREFIX, source)
    if len(raw) != suite.public_len:
        raise KeyFileError(
            f"{source}: public key has {len(raw)} bytes, expected {suite.public_len}"
        )
    key = PublicKey(suite, raw)
    if key.kid != kid:
        raise KeyFileError(f"{source}: key id does not match the key material (file tampered?)")
    try:
        key.hpke_key()
    except ValueError:
        raise KeyFileError(coded("SS001", f"{source}: public key material is invalid")) from None
    if is_low_order(_x25519_part(key)):
        raise KeyFileError(
            coded(
                "SS002",
                f"{source}: the public key is a low-order X25519 point; every token sealed "
                "to it could be opened by anyone. Generate a new pair with sparkseal keygen.",
            )
        )
    return key


def parse_private(text: str, source: str = "private key") -> PrivateKey:
    """Parse the one-line private key format; raises :class:`KeyFileError`."""
    suite, kid, raw = _parse_line(text, PRIVATE_PREFIX, source)
    if len(raw) != suite.private_len:
        raise KeyFileError(
            f"{source}: private key has {len(raw)} bytes, expected {suite.private_len}"
        )
    try:
        public = _public_from_private(suite, raw)
    except ValueError:
        raise KeyFileError(f"{source}: private key material is invalid") from None
    if public.kid != kid:
        raise KeyFileError(f"{source}: key id does not match the key material (file tampered?)")
    return PrivateKey(suite, raw, public)


def _read(path: Path, what: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"{what} file not found: {path}") from None
    except IsADirectoryError:
        raise KeyFileError(f"{what} path is a directory, not a key file: {path}") from None
    except PermissionError:
        raise KeyFileError(f"{what} file is not readable (permission denied): {path}") from None
    except OSError as exc:
        raise KeyFileError(f"{what} file could not be read: {path}: {exc.strerror}") from None
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path}: not a sparkseal key (binary content)") from None


def load_public(path: str | os.PathLike[str]) -> PublicKey:
    p = Path(path)
    return parse_public(_read(p, "public key"), str(p))


def load_private(path: str | os.PathLike[str]) -> PrivateKey:
    p = Path(path)
    return parse_private(_read(p, "private key"), str(p))


def write_pair(
    key: PrivateKey, out_dir: str | os.PathLike[str], force: bool = False
) -> tuple[Path, Path]:
    """Write ``sparkseal.pub`` and ``sparkseal.key`` (mode 0600) into ``out_dir``.

    Refuses to overwrite an existing key unless ``force``: losing a private key
    makes every token sealed for it unreadable forever. Never writes through a
    symlink, even with ``force``: whoever planted it would choose where the key goes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pub_path, key_path = out / PUBLIC_FILE, out / PRIVATE_FILE
    for p in (pub_path, key_path):
        if p.is_symlink():
            raise KeyFileError(
                coded("SS104", f"{p} is a symlink; refusing to write a key through it")
            )
    if not force:
        for p in (pub_path, key_path):
            if p.exists():
                raise KeyFileError(
                    f"{p} already exists; refusing to overwrite a key (tokens sealed for it "
                    "would become unreadable). Pass --force to replace it."
                )
    _write_new(
        key_path,
        "# sparkseal PRIVATE key: opens sealed text. Keep it secret.\n" + key.to_text() + "\n",
        0o600,
    )
    _write_new(
        pub_path,
        "# sparkseal public key: seals text, cannot open it. Safe to share.\n"
        + key.public.to_text()
        + "\n",
        0o644,
    )
    return pub_path, key_path


def _write_new(path: Path, text: str, mode: int) -> None:
    """Write ``path`` whole through a new temporary file: O_EXCL|O_NOFOLLOW, then a rename
    (which replaces the name, never follows it)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError:
        raise KeyFileError(
            coded(
                "SS104",
                f"{tmp} already exists (left by an interrupted keygen, or planted); "
                "check the directory, remove it and run again",
            )
        ) from None
    except OSError as exc:
        raise KeyFileError(f"cannot write {tmp}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            os.fchmod(fh.fileno(), mode)  # exactly, whatever the umask
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
