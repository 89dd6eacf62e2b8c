"""The sealed token: text encrypted to a public key, written as one ASCII word.

Format (the full spec with test vectors is ``docs/token-format.md``)::

    [SEALED:<version>:<suite>:<kid>:<payload>]

* ``version`` is ``2`` for what sparkseal writes by default; ``3`` (selectable)
  is ``2`` sealed with one HPKE context for many tokens, its payload
  ``enc || u32be(seq) || AES-256-GCM(plaintext)``; ``1`` tokens (no context)
  stay readable forever; ``suite`` is ``X`` or ``H`` (see :mod:`sparkseal.core.suites`);
  ``kid`` is 16 lowercase hex digits;
* ``payload`` is base64url, no padding, of the HPKE single-shot ciphertext
  ``enc || AES-256-GCM(plaintext)``, sealed with
  ``info = "sparkseal-token-v<version>:" + suite + ":" + kid``;
* version 2's and 3's plaintext is ``u16be(len(context)) || context || text``: the
  context (JSON: application id, producer, time) is authenticated with the text
  and only visible to whoever holds the private key.

The alphabet has no quote, backslash, angle bracket, ampersand, brace or
whitespace, so a token survives JSON strings, Python reprs, log4j patterns and
HTML escaping unchanged; the brackets make it self-delimiting and greppable with
:data:`TOKEN_RE`.
"""

from __future__ import annotations

import json
import os
import re
import struct
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from sparkseal.core import hpke_context
from sparkseal.core.errors import TokenError
from sparkseal.core.keys import PrivateKey, PublicKey, b64u_decode, b64u_encode
from sparkseal.core.rules import TOKEN_RE, has_word
from sparkseal.core.suites import SUITES, X25519

VERSION = "2"
VERSIONS = ("1", "2", "3")
# Format 3: one HPKE context seals many tokens (docs/token-format.md). Selected with
# ``[seal] format = 3`` or $SPARKSEAL_TOKEN_FORMAT=3; suite X only (H stays format 2).
ENV_FORMAT = "SPARKSEAL_TOKEN_FORMAT"
CONTEXT_MAX_TOKENS = 100_000
CONTEXT_MAX_SECONDS = 300.0
SEQ_LEN = 4  # u32be sequence number in every format-3 token
_OPEN_CACHE = 256  # receiver contexts an Opener keeps (one X25519 per context, not per token)
# Anything that starts like a token, complete or not: used to report truncation.
TOKEN_LIKE_RE = re.compile(r"\[SEALED:[A-Za-z0-9_:-]*\]?")
MAX_NESTING = 4
PRODUCERS = ("driver", "worker", "jvm")


def _info(version: str, letter: str, kid: str) -> bytes:
    return f"sparkseal-token-v{version}:{letter}:{kid}".encode("ascii")


@dataclass(frozen=True)
class TokenContext:
    """Who sealed a token: the application, the producer, and when (Unix seconds).

    ``app`` is empty when the text was sealed before the application had an id.
    """

    app: str
    producer: str
    time: int

    def to_bytes(self) -> bytes:
        body = json.dumps(
            {"app": self.app, "by": self.producer, "t": self.time}, separators=(",", ":")
        ).encode("utf-8")
        return struct.pack(">H", len(body)) + body

    @classmethod
    def split(cls, plaintext: bytes) -> tuple[TokenContext, bytes]:
        """The context at the front of a version-2 plaintext, and the text after it."""
        try:
            (n,) = struct.unpack(">H", plaintext[:2])
            fields = json.loads(plaintext[2 : 2 + n].decode("utf-8"))
            context = cls(str(fields["app"]), str(fields["by"]), int(fields["t"]))
        except (struct.error, ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise TokenError("token context is malformed") from None
        return context, plaintext[2 + n :]

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.time))
        return f"app={self.app or '?'} by={self.producer} at={when}"


class TextSealer:
    """What every sealer offers; subclasses define :meth:`seal`."""

    def seal(self, text: str) -> str:
        raise NotImplementedError

    def seal_text(self, text: str) -> str:
        """Seal ``text`` but keep tokens already in it, and wordless glue, as they are.

        Text that passes through several layers (a worker traceback inside a
        driver exception) is then sealed once, not nested, and stays openable
        piece by piece.
        """
        if not text:
            return text
        out: list[str] = []
        pos = 0
        for m in TOKEN_RE.finditer(text):
            out.append(self._seal_segment(text[pos : m.start()]))
            out.append(m.group(0))
            pos = m.end()
        out.append(self._seal_segment(text[pos:]))
        return "".join(out)

    def _seal_segment(self, segment: str) -> str:
        return self.seal(segment) if has_word(segment) else segment


def default_format() -> str:
    """The token format to write: ``$SPARKSEAL_TOKEN_FORMAT`` (2 or 3), else 2."""
    value = os.environ.get(ENV_FORMAT, "").strip()
    return value if value in ("2", "3") else VERSION


class _SenderContext:
    """One HPKE sender context and its atomic sequence counter (format 3)."""

    __slots__ = ("ctx", "expires", "next_seq", "pid")

    def __init__(self, public_raw: bytes, info: bytes, max_seconds: float) -> None:
        self.ctx = hpke_context.setup_sender(public_raw, info)
        self.next_seq = 0
        self.expires = time.monotonic() + max_seconds
        self.pid = os.getpid()


_FORMAT3_SEALERS: weakref.WeakSet[Sealer] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child (a Python worker from the daemon) starts its own contexts.

    Runs before any other thread exists in the child: a lock held by a parent thread
    at fork time would otherwise stay locked forever, and the parent's counter must
    never be continued (same key and nonces in two processes).
    """
    for sealer in list(_FORMAT3_SEALERS):
        sealer._lock = threading.Lock()
        sealer._sender = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Sealer(TextSealer):
    """Seals text to one public key. Holds no secret: safe on every executor.

    Tokens carry who sealed them (:class:`TokenContext`); ``app`` can be set once
    the application has an id (the driver learns it after the session starts).

    ``version`` ``"2"`` runs one single-shot HPKE per token; ``"3"`` seals many
    tokens with one HPKE context (sequence-numbered nonces), re-keyed after
    ``max_tokens`` tokens or ``max_seconds`` seconds and in a forked child: one
    AES-GCM per token instead of X25519 key agreements, 20-40x cheaper
    (benchmarks/seal.py). Format 3 needs suite X; an H key writes format 2.
    """

    def __init__(
        self,
        public_key: PublicKey,
        producer: str = "driver",
        app: str = "",
        version: str | None = None,
        max_tokens: int = CONTEXT_MAX_TOKENS,
        max_seconds: float = CONTEXT_MAX_SECONDS,
    ) -> None:
        if producer not in PRODUCERS:
            raise ValueError(f"producer must be one of {PRODUCERS}")
        version = str(version) if version is not None else default_format()
        if version not in ("2", "3"):
            raise ValueError("token format must be 2 or 3")
        if version == "3" and public_key.suite is not X25519:
            version = "2"
        if not 1 <= max_tokens <= (1 << (8 * SEQ_LEN)):
            raise ValueError(f"max_tokens must be between 1 and 2^{8 * SEQ_LEN}")
        self.public_key = public_key
        self.producer = producer
        self.app = app
        self.version = version
        self.max_tokens = max_tokens
        self.max_seconds = max_seconds
        self._suite = public_key.suite
        self._hpke_key = public_key.hpke_key()
        self._prefix = f"[SEALED:{version}:{self._suite.letter}:{public_key.kid}:"
        self._info = _info(version, self._suite.letter, public_key.kid)
        self._lock = threading.Lock()
        self._sender: _SenderContext | None = None
        # The encoded context changes at most once a second: reuse it (it is a third
        # of a format-3 seal's cost otherwise).
        self._context_cache: tuple[int, str, bytes] = (-1, "", b"")
        if version == "3":
            _FORMAT3_SEALERS.add(self)

    def seal(self, text: str) -> str:
        """Return one token holding ``text``; sealing the same text twice differs."""
        now, app = int(time.time()), self.app
        cached = self._context_cache
        if cached[0] != now or cached[1] != app:
            cached = (now, app, TokenContext(app, self.producer, now).to_bytes())
            self._context_cache = cached
        data = cached[2] + text.encode("utf-8", "backslashreplace")
        if self.version == "3":
            return self._seal_v3(data)
        ct = self._suite.hpke_suite.encrypt(data, self._hpke_key, info=self._info)
        return self._prefix + b64u_encode(ct) + "]"

    def _next(self) -> tuple[_SenderContext, int]:
        """A (context, sequence number) pair no other call ever gets (atomic, fork-safe)."""
        with self._lock:
            s = self._sender
            if (
                s is None
                or s.next_seq >= self.max_tokens
                or time.monotonic() >= s.expires
                or s.pid != os.getpid()  # a forked child must not reuse its parent's nonces
            ):
                s = _SenderContext(self.public_key.raw, self._info, self.max_seconds)
                self._sender = s
            seq = s.next_seq
            s.next_seq = seq + 1
            return s, seq

    def _seal_v3(self, data: bytes) -> str:
        s, seq = self._next()
        ct = s.ctx.seal(seq, data)
        return self._prefix + b64u_encode(s.ctx.enc + seq.to_bytes(SEQ_LEN, "big") + ct) + "]"


class WithholdingSealer(TextSealer):
    """Stands in for a :class:`Sealer` when sealing is impossible: fail closed.

    Every text is replaced by a fixed placeholder naming the reason, so no
    plaintext goes out and the reader learns what to fix.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.placeholder = f"[WITHHELD by sparkseal: {reason}]"

    def seal(self, text: str) -> str:
        return self.placeholder


@dataclass(frozen=True)
class Problem:
    """A token that could not be opened, with where it starts and why."""

    offset: int
    reason: str


@dataclass(frozen=True)
class Opened:
    """A token's text, and its context (None for version-1 tokens, which have none)."""

    text: str
    context: TokenContext | None


class Opener:
    """Opens tokens with one or more private keys (several for key rotation).

    With ``app``, only tokens whose context names that application open; others
    (and version-1 tokens, which name none) are refused, so an operator opening
    one job's log cannot be handed someone else's token.
    """

    def __init__(
        self,
        private_keys: Iterable[PrivateKey],
        app: str | None = None,
        show_context: bool = False,
    ) -> None:
        self._keys: dict[str, PrivateKey] = {}
        for k in private_keys:
            self._keys[k.kid] = k
        self._hpke = {kid: k.hpke_key() for kid, k in self._keys.items()}
        self._contexts: dict[tuple[str, bytes], hpke_context.Context] = {}
        self._contexts_lock = threading.Lock()
        self.app = app
        self.show_context = show_context

    @property
    def kids(self) -> list[str]:
        return sorted(self._keys)

    def open(self, token: str) -> str:
        """Open one complete token; raises :class:`TokenError` saying why it cannot."""
        return self.open_with_context(token).text

    def open_with_context(self, token: str) -> Opened:
        """Open one complete token and return its text and context."""
        m = TOKEN_RE.fullmatch(token)
        if m is None:
            raise TokenError("not a complete sealed token (truncated or malformed)")
        version, letter, kid, payload = m.groups()
        key = self._keys.get(kid)
        if key is None:
            raise TokenError(f"no private key with key id {kid} was given")
        suite = SUITES[letter]
        if key.suite is not suite:
            raise TokenError(f"token suite {letter} does not match key {kid}")
        try:
            ct = b64u_decode(payload)
        except ValueError:
            raise TokenError("token payload is not canonical base64url (corrupted)") from None
        if version == "3":
            data = self._open_v3(letter, kid, ct)
        else:
            if len(ct) < suite.enc_len + 16:
                raise TokenError("token payload is too short (truncated)")
            try:
                data = suite.hpke_suite.decrypt(
                    ct, self._hpke[kid], info=_info(version, letter, kid)
                )
            except (InvalidTag, ValueError):
                raise TokenError("token failed authentication (corrupted or tampered)") from None
        context = None
        if version != "1":
            context, data = TokenContext.split(data)
        if self.app is not None:
            if context is None:
                raise TokenError("token names no application (format 1); refused under --app")
            if context.app != self.app:
                raise TokenError("token belongs to another application; refused under --app")
        return Opened(data.decode("utf-8", "replace"), context)

    def _open_v3(self, letter: str, kid: str, ct: bytes) -> bytes:
        """Open ``enc || u32be(seq) || ciphertext`` with the (cached) receiver context."""
        if letter != X25519.letter:
            raise TokenError(f"token format 3 does not exist for suite {letter}")
        head = hpke_context.ENC_LEN + SEQ_LEN
        if len(ct) < head + hpke_context.TAG_LEN:
            raise TokenError("token payload is too short (truncated)")
        enc = ct[: hpke_context.ENC_LEN]
        seq = int.from_bytes(ct[hpke_context.ENC_LEN : head], "big")
        ctx = self._contexts.get((kid, enc))
        try:
            if ctx is None:
                ctx = hpke_context.setup_receiver(enc, self._hpke[kid], _info("3", letter, kid))
                with self._contexts_lock:
                    if len(self._contexts) >= _OPEN_CACHE:
                        self._contexts.clear()
                    self._contexts[(kid, enc)] = ctx
            return ctx.open(seq, ct[head:])
        except (InvalidTag, ValueError):
            raise TokenError("token failed authentication (corrupted or tampered)") from None

    def unseal_text(self, text: str) -> tuple[str, list[Problem]]:
        """Replace every token that opens by its plaintext; leave all else byte for byte.

        Tokens found inside opened plaintext are opened too (up to
        :data:`MAX_NESTING` levels). Tokens that cannot be opened are left as
        they are and reported. With ``show_context``, each opened text is
        preceded by its context in double brackets.
        """
        problems: list[Problem] = []
        return self._unseal(text, problems, 0, 0), problems

    def _unseal(self, text: str, problems: list[Problem], base: int, depth: int) -> str:
        out: list[str] = []
        pos = 0
        for m in TOKEN_LIKE_RE.finditer(text):
            out.append(text[pos : m.start()])
            pos = m.end()
            candidate = m.group(0)
            try:
                opened = self.open_with_context(candidate)
            except TokenError as exc:
                problems.append(Problem(base + m.start(), exc.reason))
                out.append(candidate)
                continue
            plain = opened.text
            if depth < MAX_NESTING and "[SEALED:" in plain:
                plain = self._unseal(plain, problems, base + m.start(), depth + 1)
            if self.show_context:
                described = opened.context.describe() if opened.context else "format 1"
                plain = f"[[{described}]]{plain}"
            out.append(plain)
        out.append(text[pos:])
        return "".join(out)
