"""``sparkseal report``: one self-contained HTML page about one Spark application's run.

Read from its event log (:mod:`.eventlog`), folded into jobs, stages, tasks, failures
and executors (:mod:`.model`), with quality and SLO results from the store when asked
(:mod:`.extras`), rendered with plotly.js embedded (:mod:`.render`): the file opens with
no network. Sealed tokens in the log are shown as tokens, marked sealed, never opened.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sparkseal.core.codes import coded
from sparkseal.report.errors import ReportError
from sparkseal.report.eventlog import LogFiles, ReadStats, locate, read_events
from sparkseal.report.extras import Extras, quality_runs, slo_budgets
from sparkseal.report.model import Run, build_run

__all__ = ["ReportError", "ReportSummary", "build_report", "locate"]


@dataclass(frozen=True)
class ReportSummary:
    """What was written, for the CLI's last line and for callers."""

    out: Path
    run: Run
    stats: ReadStats
    files: LogFiles
    extras: Extras


def _require_plotly() -> None:
    try:
        import plotly  # noqa: F401
    except ImportError:
        raise ReportError(
            coded(
                "SS954",
                "the run report needs plotly: pip install 'sparkseal[report]'",
            )
        ) from None


def _write(out: Path, page: str) -> None:
    """Write atomically (a reader never sees half a report), in ``out``'s directory."""
    if out.is_dir():
        raise ReportError(coded("SS955", f"--out {out} is a directory; give a file name"))
    directory = out.parent if str(out.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=directory)
    except OSError as exc:
        raise ReportError(
            coded("SS955", f"cannot write in {directory}: {exc.strerror or type(exc).__name__}")
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(
            coded("SS955", f"cannot write {out}: {exc.strerror or type(exc).__name__}")
        ) from None


def build_report(
    files: LogFiles,
    out: Path,
    *,
    store: str | None = None,
    policy: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReportSummary:
    """Read ``files``, write the report to ``out``; quality runs of this application from
    ``store``, SLO budgets when ``policy`` is given (store: ``store`` or the policy's)."""
    _require_plotly()
    from sparkseal.report.render import render

    resolved = {p.resolve() for p in files.paths}
    if out.resolve() in resolved:
        raise ReportError(coded("SS955", f"--out {out} is the event log itself"))
    events, stats = read_events(files, progress)
    run = build_run(events)
    if stats.events == 0 or (run.app_id is None and not run.jobs and not run.stages):
        raise ReportError(
            coded(
                "SS951",
                f"{files.source} holds no Spark event"
                + (f" ({stats.bad_lines} lines that are not events)" if stats.bad_lines else "")
                + ": not an event log, or a codec sparkseal does not read (lzf)",
            )
        )
    extras = Extras()
    if store is not None:
        quality, note = quality_runs(store, run.app_id)
        extras.quality = quality
        if note:
            extras.notes.append(note)
    if policy is not None:
        end = run.end or run.last_time
        at = datetime.fromtimestamp(end / 1000, tz=UTC) if end is not None else None
        slo, slo_at, note = slo_budgets(policy, store, run.app_name, at)
        extras.slo, extras.slo_at = slo, slo_at
        if note:
            extras.notes.append(note)
    _write(out, render(run, stats, files, extras))
    return ReportSummary(out, run, stats, files, extras)
