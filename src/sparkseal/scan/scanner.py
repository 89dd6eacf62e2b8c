"""Walk files and directories and report plaintext sensitive values.

Each file is decoded (see :mod:`sparkseal.scan.sources`), cut into chunks at
line boundaries and searched for the user's canaries and the built-in
detectors (:mod:`sparkseal.scan.matching`); text inside complete, well-formed
sealed tokens is ignored (:mod:`sparkseal.scan.tokens`). Findings are reported
once per distinct value per file, with the line of the first occurrence and a
count, and the value masked so that the report itself leaks nothing. Whatever
could not be read is an error, never silence: a scan is clean only if every
byte was scanned.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sparkseal.scan.detectors import KINDS
from sparkseal.scan.matching import DEFAULT_ALLOW, ChunkScanner, canary_forms, mask
from sparkseal.scan.sources import CorruptStream, Decoded, TruncatedStream, open_decoded
from sparkseal.scan.walk import iter_files

__all__ = [
    "DEFAULT_ALLOW",
    "DEFAULT_MAX_DECODED",
    "ChunkScanner",
    "Finding",
    "Report",
    "ScanError",
    "Scanner",
    "canary_forms",
    "iter_files",
    "mask",
]

CHUNK_SIZE = 8 << 20
MAX_LINE_CARRY = 1 << 20  # a "line" longer than this is cut, keeping an overlap
OVERLAP = 512  # at least; longer when a canary is longer
PARALLEL_MIN_BYTES = 32 << 20
DEFAULT_MAX_DECODED = 16 << 30  # per compressed file (SS304)


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
    """Something not scanned (``SS302``-``SS304``: the scan is not clean) or a notice."""

    path: str
    message: str
    code: str = "SS302"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    notices: list[ScanError] = field(default_factory=list)
    files: int = 0
    bytes_read: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "findings": [asdict(f) for f in self.findings],
                "errors": [asdict(e) for e in self.errors],
                "notices": [asdict(e) for e in self.notices],
                "files": self.files,
                "bytes": self.bytes_read,
            },
            indent=2,
        )


def _merge(into: dict[tuple[str, bytes], list[int]], hits, line_offset: int = 0) -> None:
    for kind, value, count, line in hits:
        entry = into.setdefault((kind, value), [line + line_offset, 0])
        entry[1] += count


def _scan_range(scanner: ChunkScanner, path: str, start: int, end: int, overlap: int):
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

        for chunk, first_line in _line_chunks(pieces(), overlap):
            _merge(merged, scanner.scan((chunk, first_line)))
            lines = first_line - 1 + chunk.count(b"\n")
    return merged, lines


def _line_chunks(chunks: Iterable[bytes], overlap: int = OVERLAP) -> Iterator[tuple[bytes, int]]:
    """Re-cut a byte stream into pieces ending at newlines, with their first line numbers.

    Decoders cut where they like; a value split across their chunks is whole
    again here. A line longer than :data:`MAX_LINE_CARRY` is cut, and the next
    piece starts with the last ``overlap`` bytes of the previous one, so a value
    shorter than that is never split.
    """
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
            pending = buf[-overlap:]
            continue
        yield (buf[:cut] if cut < len(buf) else buf), line
        line += buf.count(b"\n", 0, cut)
        pending = buf[cut:]
    if pending:
        yield pending, line


def _why(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


class Scanner:
    """Scans paths for canaries and built-in detector kinds."""

    def __init__(
        self,
        canaries: Iterable[str] = (),
        kinds: Iterable[str] = KINDS,
        allow: Iterable[str] = (),
        jobs: int | None = None,
        max_decoded: int | None = DEFAULT_MAX_DECODED,
        engine: str | None = None,
    ) -> None:
        """``engine``: "hyperscan", "re2" or None (Hyperscan if installed); same findings."""
        self.chunk_scanner = ChunkScanner(canaries, kinds, allow, engine)
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.max_decoded = max_decoded or None
        longest = max(
            (len(f) for _, forms in self.chunk_scanner.canaries for f in forms), default=0
        )
        self.overlap = max(OVERLAP, longest + 16)
        self._pool: multiprocessing.pool.Pool | None = None

    def _pool_for(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
        return self._pool

    def _split_at_newlines(self, path: Path, size: int) -> list[int] | None:
        """Range bounds at newlines, or None if a cut point has no newline near it."""
        bounds = [0]
        with path.open("rb") as fh:
            for i in range(1, self.jobs):
                fh.seek(size * i // self.jobs)
                line = fh.readline(MAX_LINE_CARRY)  # bounded: a file may have no newline
                if not line.endswith(b"\n") and fh.tell() < size:
                    return None
                bounds.append(max(fh.tell(), bounds[-1]))
        bounds.append(size)
        return bounds

    def _scan_plain_parallel(self, path: Path, size: int) -> dict | None:
        """Split a big plain file at newlines; each worker reads its own range."""
        bounds = self._split_at_newlines(path, size)
        if bounds is None:
            return None
        args = [
            (self.chunk_scanner, str(path), a, b, self.overlap)
            for a, b in itertools.pairwise(bounds)
        ]
        merged: dict[tuple[str, bytes], list[int]] = {}
        offset = 0
        for part, lines in self._pool_for().starmap(_scan_range, args):
            for (kind, value), (line, count) in part.items():
                _merge(merged, [(kind, value, count, line)], offset)
            offset += lines
        return merged

    def scan_file(self, path: Path, report: Report, advance: Callable[[int], None]) -> None:
        """Scan one file into ``report``; ``advance`` gets on-disk bytes as they are read."""
        try:
            st = path.stat()
            codec, chunks = open_decoded(path, self.max_decoded)
        except OSError as exc:
            report.errors.append(ScanError(str(path), _why(exc)))
            return
        merged: dict[tuple[str, bytes], list[int]] = {}
        done = 0

        def moved() -> None:
            nonlocal done
            pos = chunks.raw_pos()
            if pos > done:
                advance(pos - done)
                done = pos

        try:
            parallel = None
            if codec == "plain" and self.jobs > 1 and st.st_size >= PARALLEL_MIN_BYTES:
                parallel = self._scan_plain_parallel(path, st.st_size)
            if parallel is not None:
                merged = parallel
                report.bytes_read += st.st_size
            else:
                for chunk, line in _line_chunks(chunks, self.overlap):
                    report.bytes_read += len(chunk)
                    _merge(merged, self.chunk_scanner.scan((chunk, line)))
                    moved()
                self._check_cap(path, chunks, report)
        except TruncatedStream as exc:
            self._scan_raw(path, chunks, report, merged, str(exc), truncated=True)
        except CorruptStream as exc:
            self._scan_raw(path, chunks, report, merged, str(exc))
        except OSError as exc:
            report.errors.append(ScanError(str(path), f"read failed: {_why(exc)}"))
        finally:
            chunks.close()
        report.files += 1
        advance(max(st.st_size - done, 0))
        for (kind, value), (line, count) in sorted(merged.items(), key=lambda kv: kv[1][0]):
            report.findings.append(Finding(str(path), line, kind, mask(value), count, codec))

    def _check_cap(self, path: Path, chunks: Decoded, report: Report) -> None:
        if chunks.capped:
            report.errors.append(
                ScanError(
                    str(path),
                    f"{chunks.codec} stream decoded to more than {self.max_decoded} bytes "
                    "(--max-decoded): the rest of the file was not scanned",
                    "SS304",
                )
            )

    def _scan_raw(
        self,
        path: Path,
        chunks: Decoded,
        report: Report,
        merged: dict,
        why: str,
        truncated: bool = False,
    ) -> None:
        """A stream that does not decode: what decoded was scanned; now the raw bytes.

        A stream that merely ends early (an event log still being written) is a
        notice: every byte in the file is then scanned, decoded or raw.
        """
        if not chunks.seekable:
            msg = f"cannot decompress ({why}); a pipe cannot be re-read raw: rest not scanned"
            report.errors.append(ScanError(str(path), msg))
            return
        if truncated:
            msg = f"{why} (still being written?); decoded part and raw bytes scanned"
            report.notices.append(ScanError(str(path), msg, "SS308"))
        else:
            msg = f"cannot decompress ({why}); scanned raw"
            report.errors.append(ScanError(str(path), msg, "SS303"))
        try:
            with path.open("rb") as fh:
                pieces = iter(lambda: fh.read(CHUNK_SIZE), b"")
                for chunk, line in _line_chunks(pieces, self.overlap):
                    report.bytes_read += len(chunk)
                    _merge(merged, self.chunk_scanner.scan((chunk, line)))
        except OSError as exc:
            report.errors.append(ScanError(str(path), f"raw read failed: {_why(exc)}"))

    def scan(self, paths: Iterable[str | os.PathLike[str]], progress=None) -> Report:
        """Scan every file under ``paths``.

        ``progress(total_bytes)``, if given, returns a callback advanced by bytes
        read from disk (compressed bytes for compressed files).
        """
        report = Report()
        files = list(
            iter_files(
                [Path(p) for p in paths],
                lambda p, code, msg: report.errors.append(ScanError(str(p), msg, code)),
                lambda p, code, msg: report.notices.append(ScanError(str(p), msg, code)),
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
