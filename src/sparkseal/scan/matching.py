"""Match one chunk of bytes: canaries in every written form, detectors, allow-list.

Kept apart from file handling so worker processes get a small picklable object.
"""

from __future__ import annotations

import html
import ipaddress
import json
from collections.abc import Iterable

from sparkseal.scan.detectors import KINDS, Detectors
from sparkseal.scan.tokens import blank_tokens

__all__ = ["DEFAULT_ALLOW", "KINDS", "ChunkScanner", "canary_forms", "mask"]

# Kinds whose values a token's base64url payload could spell by chance.
_TOKEN_FORMABLE = frozenset({"canary", "card", "ssn", "phone", "iban"})
# Values that identify no one and that Spark and Hadoop print in every run: wildcard,
# loopback and documentation (RFC 5737) addresses, and Hadoop's Kerberos principal template.
DEFAULT_ALLOW = (
    "0.0.0.0",  # noqa: S104
    "255.255.255.255",
    "127.0.0.0/8",
    "192.0.2.0/24",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "_HOST@REALM.TLD",
)


def mask(value: bytes) -> str:
    """Show a value's shape, never the value: first and last character only."""
    text = value.decode("utf-8", "replace")
    if len(text) <= 4:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def canary_forms(canary: str) -> list[bytes]:
    """The ways a value is written into logs: raw, JSON-escaped, HTML-escaped."""
    forms = {
        canary,
        json.dumps(canary)[1:-1],
        json.dumps(canary, ensure_ascii=False)[1:-1],
        html.escape(canary),
    }
    return sorted({f.encode("utf-8") for f in forms if f})


class _Allow:
    def __init__(self, values: Iterable[str]) -> None:
        self.exact: set[bytes] = set()
        self.networks: list[ipaddress.IPv4Network] = []
        for v in values:
            try:
                if "/" in v:
                    self.networks.append(ipaddress.IPv4Network(v, strict=False))
                    continue
            except ValueError:
                pass
            self.exact.add(v.encode("utf-8"))

    def __call__(self, kind: str, value: bytes) -> bool:
        if value in self.exact:
            return True
        if kind == "ipv4" and self.networks:
            addr = ipaddress.IPv4Address(value.decode("ascii"))
            return any(addr in n for n in self.networks)
        return False


class ChunkScanner:
    """Finds canaries and detector hits in one chunk. Picklable, for worker processes."""

    def __init__(
        self,
        canaries: Iterable[str],
        kinds: Iterable[str],
        allow: Iterable[str],
        engine: str | None = None,
    ):
        self.canaries = [(c, canary_forms(c)) for c in canaries if c]
        # Every form of every canary, in order: the one-pass engine reports them by index.
        self._forms = [f for _, forms in self.canaries for f in forms]
        self.detectors = Detectors(kinds, engine, self._forms)
        self.allow_values = list(allow)
        self._allow = _Allow([*DEFAULT_ALLOW, *self.allow_values])

    def __getstate__(self) -> dict:
        return {
            "c": [c for c, _ in self.canaries],
            "k": self.detectors.kinds,
            "a": self.allow_values,
            "e": self.detectors.engine,
        }

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["c"], state["k"], state["a"], state.get("e"))  # type: ignore[misc]

    def scan(self, item: tuple[bytes, int]) -> list[tuple[str, bytes, int, int]]:
        """``(kind, value, count, line)`` for each distinct hit in the chunk.

        Text inside complete, well-formed tokens is ignored (see
        :mod:`sparkseal.scan.tokens`); everything else, including the rest of a line
        after a broken token, is scanned. Tokens are only blanked out when a hit of
        a kind that base64 can form (digits, letters, dashes) was found: emails and
        IPv4 addresses cannot occur inside a token, and blanking every chunk would
        cost more than all detectors together. Blanking only removes text, so it can
        only remove hits.
        """
        buf, first_line = item
        out = self._hits(buf)
        if b"[SEALED:" in buf and any(kind in _TOKEN_FORMABLE for kind, *_ in out):
            out = self._hits(blank_tokens(buf))
        return [(kind, value, n, first_line + line) for kind, value, n, line in out]

    def _hits(self, buf: bytes) -> list[tuple[str, bytes, int, int]]:
        found: list[tuple[str, bytes, int, int]] = []  # (kind, value, count, position)
        hits, present = self.detectors.find_with_forms(buf)
        i = -1
        for canary, forms in self.canaries:
            for form in forms:
                i += 1
                if present is not None and i not in present:
                    continue
                pos = buf.find(form)
                if pos >= 0:
                    found.append(("canary", canary.encode(), buf.count(form), pos))
        for hit in hits:
            if not self._allow(hit.kind, hit.value):
                found.append((hit.kind, hit.value, hit.count, max(buf.find(hit.value), 0)))
        lines = self._lines(buf, found)
        return [(k, v, n, line) for (k, v, n, _), line in zip(found, lines, strict=True)]

    @staticmethod
    def _lines(buf: bytes, found: list[tuple[str, bytes, int, int]]) -> list[int]:
        """Line offsets (from the chunk's first line) of the positions, newlines counted once.

        An IP-dense chunk has a hundred distinct addresses; counting newlines from the
        chunk's start for each cost more than the detectors.
        """
        lines = [0] * len(found)
        at, seen = 0, 0
        for i in sorted(range(len(found)), key=lambda i: found[i][3]):
            pos = found[i][3]
            seen += buf.count(b"\n", at, pos)
            at = pos
            lines[i] = seen
        return lines
