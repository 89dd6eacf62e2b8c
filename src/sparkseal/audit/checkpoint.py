"""Checkpoints: signed tree heads in the C2SP ``tlog-checkpoint`` text format.

A checkpoint is a C2SP signed note whose body is::

    <origin>
    <tree size, decimal>
    <base64 root hash>
    time <RFC 3339 UTC timestamp>          (an extension line, see below)

followed by a blank line and one signature line ``— <key name> base64(keyID || sig)``.

Why the timestamp is an extension line: tlog-checkpoint allows optional extension lines
after the root hash, and they are covered by the signature, so the time cannot be
changed without breaking it. Verifiers that do not know the line ignore it (as the spec
asks); a timestamped cosignature would need a second, witness-style signature for the
same information.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sparkseal.audit.signing import SignerKey, VerifierKey
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

EM_DASH = "\u2014"
TIME_PREFIX = "time "


class CheckpointFormatError(SparkSealError):
    """A checkpoint is malformed or truncated (SS606)."""


class CheckpointSignatureError(SparkSealError):
    """A checkpoint's signature does not verify with the given key (SS605)."""

    def __init__(self, message: str, *, wrong_key: bool) -> None:
        super().__init__(message)
        self.wrong_key = wrong_key


@dataclass(frozen=True)
class Checkpoint:
    """The signed content: which log, how many entries, which root, when."""

    origin: str
    size: int
    root: bytes
    time: datetime | None = None
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.time is not None:
            stamp = self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            lines.append(TIME_PREFIX + stamp)
        lines.extend(self.extensions)
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    text: str
    signatures: tuple[Signature, ...] = field(default=())

    @property
    def body(self) -> str:
        return self.text[: self.text.index("\n\n") + 1]

    def verify(self, key: VerifierKey, source: str = "checkpoint") -> None:
        """Raise :class:`CheckpointSignatureError` unless ``key`` signed this note."""
        mine = [s for s in self.signatures if s.name == key.name and s.key_id == key.key_id]
        if not mine:
            others = ", ".join(f"{s.name} (key id {s.key_id.hex()})" for s in self.signatures)
            raise CheckpointSignatureError(
                coded(
                    "SS605",
                    f"{source} is not signed by the given key {key.name} (key id "
                    f"{key.key_id.hex()}); it is signed by {others or 'no key'}. What to "
                    "do: give the verifier key of this audit trail (--pub)",
                ),
                wrong_key=True,
            )
        if not any(key.verify(s.signature, self.body.encode()) for s in mine):
            raise CheckpointSignatureError(
                coded(
                    "SS605",
                    f"{source}: the signature of {key.name} (key id {key.key_id.hex()}) does "
                    "not verify: the checkpoint was edited after it was signed",
                ),
                wrong_key=False,
            )


def sign(checkpoint: Checkpoint, key: SignerKey) -> str:
    """The checkpoint as a signed note's text."""
    body = checkpoint.body()
    sig = key.verifier.key_id + key.sign(body.encode())
    return f"{body}\n{EM_DASH} {key.name} {base64.b64encode(sig).decode()}\n"


def _fail(source: str, why: str) -> CheckpointFormatError:
    return CheckpointFormatError(
        coded("SS606", f"{source} is not a valid checkpoint: {why} (truncated or edited?)")
    )


def parse(text: str, source: str = "checkpoint") -> SignedCheckpoint:
    """Parse a signed checkpoint note; every structural defect is an SS606 error."""
    if not text.endswith("\n"):
        raise _fail(source, "it does not end with a newline")
    split = text.rfind("\n\n")
    if split < 0:
        raise _fail(source, "no blank line before the signatures")
    body, sig_block = text[: split + 1], text[split + 2 :]
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise _fail(source, "it needs an origin, a tree size and a root hash")
    origin, size_text, root_text, *ext = lines
    if not origin or not origin.isprintable():
        raise _fail(source, "the origin line is empty or not printable")
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise _fail(source, "the tree size is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        root = b""
    if len(root) != 32:
        raise _fail(source, "the root hash is not 32 bytes of base64")
    if any(not e for e in ext):
        raise _fail(source, "an extension line is empty")
    time = None
    rest: list[str] = []
    for e in ext:
        if e.startswith(TIME_PREFIX) and time is None:
            try:
                time = datetime.strptime(e[len(TIME_PREFIX) :], "%Y-%m-%dT%H:%M:%S.%fZ")
                time = time.replace(tzinfo=UTC)
            except ValueError:
                raise _fail(source, "the time line is not an RFC 3339 UTC time") from None
        else:
            rest.append(e)
    sigs: list[Signature] = []
    sig_lines = sig_block.split("\n")
    if not sig_lines or sig_lines[-1] != "":
        raise _fail(source, "the signature block does not end with a newline")
    for line in sig_lines[:-1]:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH or not parts[1]:
            raise _fail(source, "a signature line is not '— NAME SIGNATURE'")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):
            raise _fail(source, "a signature is not base64") from None
        if len(raw) < 5:
            raise _fail(source, "a signature is too short")
        sigs.append(Signature(parts[1], raw[:4], raw[4:]))
    if not sigs:
        raise _fail(source, "it carries no signature")
    cp = Checkpoint(origin, int(size_text), root, time, tuple(rest))
    return SignedCheckpoint(cp, text, tuple(sigs))
