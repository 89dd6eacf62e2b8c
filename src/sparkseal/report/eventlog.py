"""Finding and reading one application's Spark event log, whatever Spark wrote.

Spark writes an event log as one file (``<app id>[_<attempt>][.<codec>][.inprogress]``)
or, with rolling on (Spark 4's default), as a directory ``eventlog_v2_<app id>`` of
``events_<n>_<app id>[.compact][.<codec>]`` files and an ``appstatus_`` marker. Files
are decoded by :mod:`sparkseal.scan.sources` (codec by magic bytes, bounded memory),
the same decoders ``sparkseal scan`` uses, so a new codec is learnt in one place.

Why a truncated log is not an error: a running application's log ends mid-line, and a
report of what is there is what one wants while it runs. The reader says so (SS952)
instead of refusing. A log that does not decode, or holds no Spark event, is refused
(SS951): a report of nothing would look like a run that did nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.report.errors import ReportError
from sparkseal.scan.codecs import CorruptStream, TruncatedStream
from sparkseal.scan.sources import open_decoded

ROLLING_PREFIX = "eventlog_v2_"
IN_PROGRESS = ".inprogress"
DEFAULT_LOG_DIR = Path("/tmp/spark-events")  # noqa: S108  (Spark's default spark.eventLog.dir)
MAX_LINE = 512 << 20
"""Longest event line kept in memory; Spark's largest events (plans) are megabytes."""

_EVENTS_FILE = re.compile(r"^events_(\d+)_")


@dataclass(frozen=True)
class LogFiles:
    """The files of one event log, in the order Spark wrote them."""

    source: Path
    paths: tuple[Path, ...]
    in_progress: bool
    rolling: bool


@dataclass
class ReadStats:
    """What reading found besides events: bad lines, a cut-off end, sizes."""

    files: int = 0
    raw_bytes: int = 0
    decoded_bytes: int = 0
    events: int = 0
    bad_lines: int = 0
    truncated: bool = False
    truncation: str = ""
    codecs: set[str] = field(default_factory=set)


def sanitize_app_id(app_id: str) -> str:
    """The file name Spark gives an application (``Utils.sanitizeDirName``)."""
    return re.sub(r"[.${}'\"]", "_", re.sub(r"[ :/]", "-", app_id)).lower()


def _rolling_files(directory: Path) -> LogFiles:
    numbered: list[tuple[int, Path]] = []
    in_progress = False
    for p in directory.iterdir():
        if p.name.startswith("appstatus_"):
            in_progress = in_progress or p.name.endswith(IN_PROGRESS)
        elif (m := _EVENTS_FILE.match(p.name)) and p.is_file():
            numbered.append((int(m.group(1)), p))
    if not numbered:
        raise ReportError(
            coded("SS950", f"{directory} is a rolling event log directory without events_ files")
        )
    numbered.sort()
    # After compaction, the last .compact file replaces every file before it.
    compact = [i for i, (_, p) in enumerate(numbered) if ".compact" in p.name]
    start = compact[-1] if compact else 0
    paths = tuple(p for _, p in numbered[start:])
    return LogFiles(directory, paths, in_progress, rolling=True)


def locate(
    event_log: Path | None = None, app_id: str | None = None, log_dir: Path | None = None
) -> LogFiles:
    """The event log at ``event_log``, or application ``app_id``'s log in ``log_dir``.

    Raises :class:`ReportError` (SS950) when there is none, naming where it looked.
    """
    if event_log is not None:
        if event_log.is_dir():
            if event_log.name.startswith(ROLLING_PREFIX) or any(
                _EVENTS_FILE.match(p.name) for p in event_log.iterdir()
            ):
                return _rolling_files(event_log)
            raise ReportError(
                coded(
                    "SS950",
                    f"{event_log} is a directory, not an event log: pass the log file or its "
                    "eventlog_v2_* directory, or --app ID --event-log-dir DIR",
                )
            )
        if not event_log.is_file():
            raise ReportError(coded("SS950", f"no event log at {event_log}"))
        return LogFiles(event_log, (event_log,), event_log.name.endswith(IN_PROGRESS), False)
    if not app_id:
        raise ReportError(coded("SS950", "give --event-log PATH or --app ID"))
    directory = log_dir or DEFAULT_LOG_DIR
    if not directory.is_dir():
        raise ReportError(coded("SS950", f"the event log directory {directory} does not exist"))
    name = sanitize_app_id(app_id)
    found: list[Path] = []
    for p in directory.iterdir():
        base = p.name[len(ROLLING_PREFIX) :] if p.name.startswith(ROLLING_PREFIX) else p.name
        if base == name or (base.startswith(name) and base[len(name)] in "._"):
            found.append(p)
    if not found:
        raise ReportError(coded("SS950", f"no event log of application {app_id!r} in {directory}"))
    # Several attempts (or a leftover .inprogress): the one written last.
    newest = max(found, key=lambda p: (p.stat().st_mtime, p.name))
    return locate(newest)


def _event(line: bytes, stats: ReadStats) -> dict[str, Any] | None:
    try:
        event = json.loads(line)
    except ValueError:
        stats.bad_lines += 1
        return None
    if not isinstance(event, dict) or not isinstance(event.get("Event"), str):
        stats.bad_lines += 1
        return None
    stats.events += 1
    return event


def read_events(
    files: LogFiles, progress: Callable[[int], None] | None = None
) -> tuple[Iterator[dict[str, Any]], ReadStats]:
    """Every event of ``files``, in order, and the stats the iteration fills in.

    ``progress`` is called with the number of raw (on-disk) bytes read since its last call.
    A last line cut short (a log still being written) sets ``stats.truncated``; so does a
    compressed stream that ends before its end mark. A stream that does not decode raises
    :class:`ReportError` (SS951).
    """
    stats = ReadStats(files=len(files.paths))

    def events() -> Iterator[dict[str, Any]]:
        for index, path in enumerate(files.paths):
            last_file = index == len(files.paths) - 1
            try:
                size = path.stat().st_size
                stats.raw_bytes += size
                codec, chunks = open_decoded(path)
            except OSError as exc:
                raise ReportError(
                    coded("SS951", f"cannot read {path}: {exc.strerror or type(exc).__name__}")
                ) from None
            stats.codecs.add(codec)
            pending = b""
            seen = 0
            try:
                for chunk in chunks:
                    stats.decoded_bytes += len(chunk)
                    if progress is not None:
                        pos = chunks.raw_pos() or size
                        progress(max(pos - seen, 0))
                        seen = max(pos, seen)
                    lines = (pending + chunk).split(b"\n")
                    pending = lines.pop()
                    if len(pending) > MAX_LINE:
                        raise ReportError(
                            coded("SS951", f"{path}: a line longer than {MAX_LINE} bytes")
                        )
                    for line in lines:
                        if line.strip() and (event := _event(line, stats)) is not None:
                            yield event
            except TruncatedStream as exc:
                stats.truncated = True
                stats.truncation = f"{path.name}: the {codec} stream ends early ({exc})"
            except CorruptStream as exc:
                raise ReportError(coded("SS951", f"{path} does not decode: {exc}")) from None
            except OSError as exc:
                raise ReportError(
                    coded("SS951", f"cannot read {path}: {exc.strerror or type(exc).__name__}")
                ) from None
            if progress is not None:
                progress(max(size - seen, 0))
            if pending.strip():
                event = None
                try:
                    parsed = json.loads(pending)
                    event = parsed if isinstance(parsed, dict) else None
                except ValueError:
                    pass
                if event is not None and isinstance(event.get("Event"), str):
                    stats.events += 1
                    yield event
                elif last_file:
                    stats.truncated = True
                    stats.truncation = stats.truncation or (
                        f"{path.name}: the last line is cut short ({len(pending)} bytes "
                        "without an end of line)"
                    )
                else:
                    stats.bad_lines += 1

    return events(), stats
