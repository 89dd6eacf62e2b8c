"""The sealed token: text encrypted to a public key, written as one ASCII word.

Format (version 1; the full spec with test vectors is ``docs/token-format.md``)::

    [SEALED:1:<suite>:<kid>:<payload>]

* ``1`` is the format version; ``suite`` is ``X`` or ``H`` (see
  :mod:`sparkseal.core.suites`); ``kid`` is 16 lowercase hex digits;
* ``payload`` is base64url, no padding, of the HPKE single-shot ciphertext
  ``enc || AES-256-GCM(plaintext UTF-8)``, sealed with
  ``info = "sparkseal-token-v1:" + suite + ":" + kid``.

The alphabet has no quote, backslash, angle bracket, ampersand, brace or
whitespace, so a token survives JSON strings, Python reprs, log4j patterns and
HTML escaping unchanged; the brackets make it self-delimiting and greppable with
:data:`TOKEN_RE`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from sparkseal.core.errors import TokenError
from sparkseal.core.keys import PrivateKey, PublicKey, b64u_encode
from sparkseal.core.suites import SUITES

VERSION = "1"
TOKEN_RE = re.compile(r"\[SEALED:1:([XH]):([0-9a-f]{16}):([A-Za-z0-9_-]+)\]")
# Anything that starts like a token, complete or not: used to report truncation.
TOKEN_LIKE_RE = re.compile(r"\[SEALED:[A-Za-z0-9_:-]*\]?")
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit: text that could carry data
MAX_NESTING = 4


def _info(letter: str, kid: str) -> bytes:
    return f"sparkseal-token-v1:{letter}:{kid}".encode("ascii")


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
        return self.seal(segment) if _HAS_WORD.search(segment) else segment


class Sealer(TextSealer):
    """Seals text to one public key. Holds no secret: safe on every executor."""

    def __init__(self, public_key: PublicKey) -> None:
        self.public_key = public_key
        self._suite = public_key.suite
        self._hpke_key = public_key.hpke_key()
        self._prefix = f"[SEALED:{VERSION}:{self._suite.letter}:{public_key.kid}:"
        self._info = _info(self._suite.letter, public_key.kid)

    def seal(self, text: str) -> str:
        """Return one token holding ``text``; every call uses a fresh ephemeral key."""
        data = text.encode("utf-8", "backslashreplace")
        ct = self._suite.hpke_suite.encrypt(data, self._hpke_key, info=self._info)
        return self._prefix + b64u_encode(ct) + "]"


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


class Opener:
    """Opens tokens with one or more private keys (several for key rotation)."""

    def __init__(self, private_keys: Iterable[PrivateKey]) -> None:
        self._keys: dict[str, PrivateKey] = {}
        for k in private_keys:
            self._keys[k.kid] = k
        self._hpke = {kid: k.hpke_key() for kid, k in self._keys.items()}
        self._infos = {kid: _info(k.suite.letter, kid) for kid, k in self._keys.items()}

    @property
    def kids(self) -> list[str]:
        return sorted(self._keys)

    def open(self, token: str) -> str:
        """Open one complete token; raises :class:`TokenError` saying why it cannot."""
        m = TOKEN_RE.fullmatch(token)
        if m is None:
            raise TokenError("not a complete sealed token (truncated or malformed)")
        letter, kid, payload = m.groups()
        key = self._keys.get(kid)
        if key is None:
            raise TokenError(f"no private key with key id {kid} was given")
        suite = SUITES[letter]
        if key.suite is not suite:
            raise TokenError(f"token suite {letter} does not match key {kid}")
        if len(payload) % 4 == 1:  # the regex vouched for the alphabet; only length can be off
            raise TokenError("token payload is not valid base64url (corrupted)")
        ct = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if len(ct) < suite.enc_len + 16:
            raise TokenError("token payload is too short (truncated)")
        try:
            data = suite.hpke_suite.decrypt(ct, self._hpke[kid], info=self._infos[kid])
        except (InvalidTag, ValueError):
            raise TokenError("token failed authentication (corrupted or tampered)") from None
        return data.decode("utf-8", "replace")

    def unseal_text(self, text: str) -> tuple[str, list[Problem]]:
        """Replace every token that opens by its plaintext; leave all else byte for byte.

        Tokens found inside opened plaintext are opened too (up to
        :data:`MAX_NESTING` levels). Tokens that cannot be opened are left as
        they are and reported.
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
                plain = self.open(candidate)
            except TokenError as exc:
                problems.append(Problem(base + m.start(), str(exc)))
                out.append(candidate)
                continue
            if depth < MAX_NESTING and "[SEALED:" in plain:
                plain = self._unseal(plain, problems, base + m.start(), depth + 1)
            out.append(plain)
        out.append(text[pos:])
        return "".join(out)
