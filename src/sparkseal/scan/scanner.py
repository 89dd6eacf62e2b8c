"""Walk files and directories and report plaintext sensitive values.

Each file is decoded (see :mod:`sparkseal.scan.sources`), cut into chunks at
line boundaries and searched for the user's canaries and the built-in
detectors; text inside sealed tokens is ignored. Findings are reported once
per distinct value per file, with the line of the first occurrence and a
count, and the value masked so that the report itself leaks nothing.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import itertools
import json
import multiprocessing
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sparkseal.scan.detectors import KINDS, Detectors
from sparkseal.scan.sources import CorruptStream, open_decoded
from sparkseal.scan.tokens import blank_tokens

CHUNK_SIZE = 8 << 20
MAX_LINE_CARRY = 1 << 20  # a "line" longer than this is cut, keeping an overlap
OVERLAP = 512
PARALLEL_MIN_BYTES = 32 << 20
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


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    kind: str
    masked: str
    count: int
    codec: str
    code: str = "SS301"


@dataclass(frozen=True)
class ScanError:
    path: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files: int = 0
    bytes_read: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "findings": [asdict(f) for f in self.findings],
                "errors": [asdict(e) for e in self.errors],
                "files": self.files,
                "bytes": self.bytes_read,
            },
            indent=2,
        )


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

    def __init__(self, canaries: Iterable[str], kinds: Iterable[str], allow: Iterable[str]):
        self.canaries = [(c, canary_forms(c)) for c in canaries if c]
        self.detectors = Detectors(kinds)
        self.allow_values = list(allow)
        self._allow = _Allow([*DEFAULT_ALLOW, *self.allow_values])

    def __getstate__(self) -> dict:
        return {
            "c": [c for c, _ in self.canaries],
            "k": self.detectors.kinds,
            "a": self.allow_values,
        }

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["c"], state["k"], state["a"])  # type: ignore[misc]

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
        out = self._hits(buf, first_line)
        if b"[SEALED:" in buf and any(kind in _TOKEN_FORMABLE for kind, *_ in out):
            out = self._hits(blank_tokens(buf), first_line)
        return out

    def _hits(self, buf: bytes, first_line: int) -> list[tuple[str, bytes, int, int]]:
        out: list[tuple[str, bytes, int, int]] = []

        def line_of(pos: int) -> int:
            return first_line + buf.count(b"\n", 0, pos)

        for canary, forms in self.canaries:
            for form in forms:
                pos = buf.find(form)
                if pos >= 0:
                    out.append(("canary", canary.encode(), buf.count(form), line_of(pos)))
        for hit in self.detectors.find(buf):
            if not self._allow(hit.kind, hit.value):
                out.append((hit.kind, hit.value, hit.count, line_of(max(buf.find(hit.value), 0))))
        return out


def _merge(into: dict[tuple[str, bytes], list[int]], hits, line_offset: int = 0) -> None:
    for kind, value, count, line in hits:
        entry = into.setdefault((kind, value), [line + line_offset, 0])
        entry[1] += count


def _scan_range(scanner: ChunkScanner, path: str, start: int, end: int):
    """Scan bytes ``[start, end)`` of a plain file; lines are relative to ``start``."""
    merged: dict[tuple[str, bytes], list[int]] = {}
    lines = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        remaining = end - start

        def pieces() -> Iterator[bytes]:
            nonlocal remaining
            while remaining > 0:
                piece = fh.read(min(CHUNK_SIZE, remaining))
                if not piece:
                    return
                remaining -= len(piece)
                yield piece

        for chunk, first_line in _line_chunks(pieces()):
            _merge(merged, scanner.scan((chunk, first_line)))
            lines = first_line - 1 + chunk.count(b"\n")
    return merged, lines


def _line_chunks(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """Re-cut a byte stream into pieces ending at newlines, with their first line numbers."""
    pending = b""
    line = 1
    for piece in chunks:
        buf = pending + piece if pending else piece
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            if len(buf) < MAX_LINE_CARRY:
                pending = buf
                continue
            yield buf, line
            pending = buf[-OVERLAP:]  # no newline: keep an overlap so values are not split
            continue
        yield (buf[:cut] if cut < len(buf) else buf), line
        line += buf.count(b"\n", 0, cut)
        pending = buf[cut:]
    if pending:
        yield pending, line


def iter_files(paths: Iterable[Path], on_error: Callable[[Path, str], None]) -> Iterator[Path]:
    """Regular files under ``paths`` in a stable order; problems go to ``on_error``."""

    def walk_error(exc: OSError) -> None:
        on_error(Path(exc.filename or "?"), exc.strerror or "cannot list directory")

    for root in paths:
        if not root.exists() and not root.is_symlink():
            on_error(root, "no such file or directory")
        elif not root.is_dir():
            yield root
        else:
            for dirpath, dirnames, filenames in os.walk(root, onerror=walk_error):
                dirnames.sort()
                for name in sorted(filenames):
                    p = Path(dirpath) / name
                    try:
                        mode = p.lstat().st_mode
                    except OSError as exc:
                        on_error(p, exc.strerror or "cannot stat")
                        continue
                    if stat.S_ISREG(mode):
                        yield p


class Scanner:
    """Scans paths for canaries and built-in detector kinds."""

    def __init__(
        self,
        canaries: Iterable[str] = (),
        kinds: Iterable[str] = KINDS,
        allow: Iterable[str] = (),
        jobs: int | None = None,
    ) -> None:
        self.chunk_scanner = ChunkScanner(canaries, kinds, allow)
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self._pool: multiprocessing.pool.Pool | None = None

    def _pool_for(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
        return self._pool

    def _scan_plain_parallel(self, path: Path, size: int) -> dict:
        """Split a big plain file at newlines; each worker reads its own range."""
        bounds = [0]
        with path.open("rb") as fh:
            for i in range(1, self.jobs):
                fh.seek(size * i // self.jobs)
                fh.readline()
                bounds.append(max(fh.tell(), bounds[-1]))
        bounds.append(size)
        args = [(self.chunk_scanner, str(path), a, b) for a, b in itertools.pairwise(bounds)]
        merged: dict[tuple[str, bytes], list[int]] = {}
        offset = 0
        for part, lines in self._pool_for().starmap(_scan_range, args):
            for (kind, value), (line, count) in part.items():
                _merge(merged, [(kind, value, count, line)], offset)
            offset += lines
        return merged

    def scan_file(self, path: Path, report: Report, advance: Callable[[int], None]) -> None:
        try:
            size = path.stat().st_size
            codec, raw_chunks = open_decoded(path)
        except OSError as exc:
            report.errors.append(ScanError(str(path), exc.strerror or str(exc)))
            return
        merged: dict[tuple[str, bytes], list[int]] = {}
        try:
            if codec == "plain" and self.jobs > 1 and size >= PARALLEL_MIN_BYTES:
                raw_chunks.close()  # type: ignore[attr-defined]
                merged = self._scan_plain_parallel(path, size)
                report.bytes_read += size
            else:
                for chunk, line in _line_chunks(raw_chunks):
                    report.bytes_read += len(chunk)
                    _merge(merged, self.chunk_scanner.scan((chunk, line)))
        except CorruptStream as exc:
            report.errors.append(ScanError(str(path), f"cannot decompress ({exc}); scanned raw"))
            self._scan_raw(path, report, merged)
        except OSError as exc:
            report.errors.append(ScanError(str(path), exc.strerror or str(exc)))
        report.files += 1
        advance(size)
        for (kind, value), (line, count) in sorted(merged.items(), key=lambda kv: kv[1][0]):
            report.findings.append(Finding(str(path), line, kind, mask(value), count, codec))

    def _scan_raw(self, path: Path, report: Report, merged: dict) -> None:
        with path.open("rb") as fh:
            chunks = iter(lambda: fh.read(CHUNK_SIZE), b"")
            for chunk, line in _line_chunks(chunks):
                _merge(merged, self.chunk_scanner.scan((chunk, line)))

    def scan(self, paths: Iterable[str | os.PathLike[str]], progress=None) -> Report:
        """Scan every file under ``paths``.

        ``progress(total_bytes)``, if given, returns a callback advanced by bytes scanned.
        """
        report = Report()
        files = list(
            iter_files(
                [Path(p) for p in paths],
                lambda p, msg: report.errors.append(ScanError(str(p), msg)),
            )
        )
        total = 0
        for f in files:
            with contextlib.suppress(OSError):
                total += f.stat().st_size
        advance = progress(total) if progress is not None else (lambda n: None)
        try:
            for f in files:
                self.scan_file(f, report, advance)
        finally:
            if self._pool is not None:
                self._pool.close()
                self._pool.join()
                self._pool = None
        return report
