"""Built-in detectors for sensitive values, tuned for log-sized inputs.

Logs carry attacker-influenced text, so the rare-match detectors run as one
combined RE2 pattern (linear time, no catastrophic backtracking). IPv4
addresses, on most Spark log lines, are found with the canaries in one
Hyperscan pass (:mod:`sparkseal.scan.prefilter`); without the wheel, by a stdlib
pattern anchored on a literal dot. Matches are
validated (Luhn, mod-97, SSN rules ...) before they count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import re2

from sparkseal.scan import prefilter, validators

KINDS = ("email", "card", "ssn", "phone", "iban", "ipv4")

_PATTERNS: dict[str, tuple[bytes, Callable[[bytes], bool]]] = {
    "email": (
        rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        lambda v: True,
    ),
    "card": (rb"\b(?:[2-6][0-9]{3}|1800|0604)(?:[ -]?[0-9]){8,15}\b", validators.card_ok),
    "ssn": (rb"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b", validators.ssn_ok),
    "phone": (
        rb"(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{3}\)|\b[0-9]{3})[ .-][0-9]{3}[ .-][0-9]{4}\b"
        rb"|\+[0-9]{1,3}(?:[ .-][0-9]{1,4}){2,5}\b",
        validators.phone_ok,
    ),
    "iban": (
        rb"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
        validators.iban_ok,
    ),
}

# Dot-anchored: the three lookbehinds recover the first octet without a class-led scan.
# Not after a letter, "_" or "-" and not before ".<letter>": "py4j-0.10.9.9.jar" is a version.
_IPV4 = re.compile(
    rb"\.(?:(?<=[^0-9.A-Za-z_-]([0-9]{3})\.)|(?<=[^0-9.A-Za-z_-]([0-9]{2})\.)"
    rb"|(?<=[^0-9.A-Za-z_-]([0-9])\.))"
    rb"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(?![0-9]|\.[0-9A-Za-z])"
)


@dataclass
class Hit:
    """One distinct value of one kind found in a buffer."""

    kind: str
    value: bytes
    count: int


class Detectors:
    """Runs the selected built-in detectors over byte buffers.

    ``engine``: ``"hyperscan"`` (one pass, :mod:`sparkseal.scan.prefilter`),
    ``"re2"`` (one RE2 pass plus the stdlib IPv4 pattern), or None for
    Hyperscan when its wheel is installed. Both give identical hits.
    """

    def __init__(
        self,
        kinds: Iterable[str] = KINDS,
        engine: str | None = None,
        forms: Sequence[bytes] = (),
    ) -> None:
        self.kinds = tuple(k for k in KINDS if k in set(kinds))
        combined = [k for k in self.kinds if k in _PATTERNS]
        self._order = combined
        self._validators = [_PATTERNS[k][1] for k in combined]
        self._re2 = (
            re2.compile(b"|".join(b"(" + _PATTERNS[k][0] + b")" for k in combined))
            if combined
            else None
        )
        self._ipv4 = "ipv4" in self.kinds
        if engine is None:
            engine = "hyperscan" if prefilter.available() else "re2"
        if engine not in ("hyperscan", "re2"):
            raise ValueError(f"unknown scan engine {engine!r}")
        self.engine = engine
        self.forms = tuple(forms)
        self._one = prefilter.OnePass(self._ipv4, self.forms) if engine == "hyperscan" else None

    def _exact(self, buf: bytes, counts: dict[tuple[str, bytes], int]) -> None:
        """The rare kinds: the combined RE2 pattern and the validators."""
        if self._re2 is None:
            return
        # A candidate that fails validation must not hide a value inside it
        # ("2000 078-05-1120" is no card, but holds an SSN): search again from
        # its next byte. A validated value is consumed whole.
        pos = 0
        while (m := self._re2.search(buf, pos)) is not None:
            groups = m.groups()
            i = next(k for k, v in enumerate(groups) if v is not None)
            value = groups[i]
            if self._validators[i](value):
                key = (self._order[i], value)
                counts[key] = counts.get(key, 0) + 1
                pos = max(m.end(), m.start() + 1)
            else:
                pos = m.start() + 1

    def find(self, buf: bytes) -> list[Hit]:
        """Distinct validated values in ``buf`` with their occurrence counts."""
        return self.find_with_forms(buf)[0]

    def find_with_forms(self, buf: bytes) -> tuple[list[Hit], set[int] | None]:
        """Hits, and (Hyperscan engine) the indexes of ``forms`` present in ``buf``.

        The second item is None on the RE2 engine: the caller searches the forms.
        """
        counts: dict[tuple[str, bytes], int] = {}
        seen: set[int] | None = None
        self._exact(buf, counts)
        if self._one is not None:
            ips, seen = self._one.scan(buf)
            for value, n in ips.items():
                if validators.ipv4_ok(tuple(value.split(b"."))):
                    counts[("ipv4", value)] = n
        elif self._ipv4:
            for octets, n in Counter(_IPV4.findall(b"\n" + buf)).items():
                parts = (octets[0] or octets[1] or octets[2], *octets[3:])
                if validators.ipv4_ok(parts):
                    counts[("ipv4", b".".join(parts))] = n
        return [Hit(kind, value, n) for (kind, value), n in counts.items()], seen
