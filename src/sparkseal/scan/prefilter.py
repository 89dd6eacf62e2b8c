"""One Hyperscan pass over a chunk for the IPv4 detector and every canary form.

Why: IPv4 addresses are on almost every Spark log line, and the stdlib
pattern that found them, trying a match at every dot, bounded the whole scanner
at about 100 MB/s. Hyperscan finds them, and every written form of every
canary, in one pass over the chunk.

* IPv4 is exact here: the detector's condition is local (a digit-dot run with a
  separator before it and no digit or ``.<alnum>`` after it), so the pattern
  consumes the byte before and the byte(s) after, and the start of match
  (``HS_FLAG_SOM_LEFTMOST``) and the pattern's id give the value's bounds. The values are counted
  in C (:class:`collections.Counter`); only distinct values are range-checked.
* Canary forms are literals, each reported once; counts and first positions are
  then taken with ``bytes.count``/``bytes.find``, as the RE2 path does.
* The rare kinds (email, card, ssn, phone, iban) stay one combined RE2 search
  over the chunk: their digit-and-letter shapes have no literal for Hyperscan to
  anchor on, and here Hyperscan ran them at about half the speed of RE2's DFA
  (docs/benchmarks.md), so a candidate pass in Hyperscan would only add cost.

Results are identical to the RE2 path (tests/scan/test_prefilter.py compares
both on generated text). Without the ``hyperscan`` wheel, :func:`available` is
False and the RE2 path runs instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

try:  # the wheel is a dependency; a platform without it falls back to RE2
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised by forcing the engine
    _hs = None

__all__ = ["OnePass", "available"]

# A separator, four octets, then a byte that is no digit and no dot, or a dot and a
# byte that is no letter or digit; the start and the end of the buffer count as
# separators. One pattern per case, so the id tells where the value starts and ends
# (a buffer is not copied to put newlines around it).
_OCTETS = rb"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
_BEFORE, _AT_START = rb"[^0-9.A-Za-z_-]", rb"\A"
_AFTER, _AT_END = rb"(?:[^0-9.]|\.[^0-9A-Za-z])", rb"\.?\z"
_IPS = (  # (pattern, bytes before the value, bytes after it); the value may end in "."
    (_BEFORE + _OCTETS + _AFTER, 1, 1),
    (_AT_START + _OCTETS + _AFTER, 0, 1),
    (_BEFORE + _OCTETS + _AT_END, 1, 0),
    (_AT_START + _OCTETS + _AT_END, 0, 0),
)

_CACHE: dict[tuple[bool, tuple[bytes, ...]], object] = {}  # forked workers inherit it


def available() -> bool:
    """True if the Hyperscan wheel imported (the one-pass engine can run)."""
    return _hs is not None


def _literal(form: bytes) -> bytes:
    return b"".join(b"\\x%02x" % c for c in form)


def _compile(ipv4: bool, forms: tuple[bytes, ...]):
    key = (ipv4, forms)
    if key not in _CACHE:
        n = len(_IPS) if ipv4 else 0
        exprs = [p for p, _, _ in _IPS[:n]]
        flags = [_hs.HS_FLAG_SOM_LEFTMOST] * n
        ids = list(range(n))
        for i, form in enumerate(forms):
            exprs.append(_literal(form))
            flags.append(_hs.HS_FLAG_SINGLEMATCH)
            ids.append(len(_IPS) + i)
        db = None
        if exprs:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(expressions=exprs, ids=ids, flags=flags)
        _CACHE[key] = db
    return _CACHE[key]


class OnePass:
    """Compiled once per process for a detector choice and canary forms."""

    def __init__(self, ipv4: bool, forms: Sequence[bytes]) -> None:
        if _hs is None:
            raise RuntimeError("hyperscan is not installed")
        self.forms = tuple(forms)
        self._db = _compile(ipv4, self.forms)

    def scan(self, buf: bytes) -> tuple[dict[bytes, int], set[int]]:
        """``(ipv4, forms)``: IPv4-shaped values with their counts, in order of first
        occurrence (octets not yet range-checked), and the indexes of the canary
        forms present in ``buf``."""
        if self._db is None:
            return {}, set()
        ips: list[bytes] = []
        seen: set[int] = set()
        add, see = ips.append, seen.add
        first_form = len(_IPS)

        def on_match(i: int, f: int, t: int, _flags: int, _ctx: object) -> None:
            if i == 0:  # by far the most frequent: keep it first and cheap
                add(buf[f + 1 : t - 1])
            elif i >= first_form:
                see(i - first_form)
            else:
                _, before, after = _IPS[i]
                add(buf[f + before : t - after])

        self._db.scan(buf, match_event_handler=on_match)
        counts: dict[bytes, int] = {}
        for value, n in Counter(ips).items():
            if value[-1:] == b".":
                value = value[:-1]
            counts[value] = counts.get(value, 0) + n
        return counts, seen
