"""``sparkseal report``: a self-contained HTML report of one application's run."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from sparkseal.report import build_report, locate
from sparkseal.scan.terminal import printable


@click.command()
@click.option(
    "--event-log",
    type=click.Path(path_type=Path),
    help="The event log: a file (plain or compressed: zstd, lz4, snappy) or a rolling "
    "eventlog_v2_* directory.",
)
@click.option("--app", "app_id", metavar="ID", help="An application id, found in --event-log-dir.")
@click.option(
    "--event-log-dir",
    type=click.Path(path_type=Path),
    help="Where --app's log is (spark.eventLog.dir; default /tmp/spark-events).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The HTML file to write (replaced atomically).",
)
@click.option(
    "--store",
    metavar="URL",
    help="sparkseal's store (sqlite:///PATH, postgresql+psycopg://...): adds this "
    "application's quality runs, and the run history --policy's SLOs are judged on.",
)
@click.option(
    "--policy",
    metavar="FILE",
    help="A policy with [[slo]] entries: adds their error budgets as of the run's end.",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary line.")
def report(
    event_log: Path | None,
    app_id: str | None,
    event_log_dir: Path | None,
    out: Path,
    store: str | None,
    policy: str | None,
    quiet: bool,
) -> None:
    """Write a self-contained HTML report of one Spark application's run.

    \b
    From its event log: a timeline of jobs and stages, task durations per
    stage (skew), shuffle and spill per stage, failures, executors added and
    removed; with --store/--policy, quality results and SLO budgets. plotly.js
    is embedded: the file opens with no network. Sealed tokens are shown as
    sealed tokens, never opened. A log still being written (or cut short) is
    reported as far as it goes, with a warning (SS952).

    \b
    Examples:
      sparkseal report --event-log /tmp/spark-events/eventlog_v2_local-1700000000000 --out run.html
      sparkseal report --app app-20260101120000-0001 --event-log-dir hdfs-copy/ --out run.html

    Exit codes: 0 written, 2 bad usage, no log, or a log that cannot be read.
    """
    if (event_log is None) == (app_id is None):
        raise click.UsageError("give exactly one of --event-log PATH and --app ID")
    if event_log_dir is not None and app_id is None:
        raise click.UsageError("--event-log-dir goes with --app")
    files = locate(event_log, app_id, event_log_dir)
    console = Console(stderr=True)
    show = not quiet and sys.stderr.isatty()
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not show,
    )
    total = sum(p.stat().st_size for p in files.paths if p.exists())
    with progress:
        task = progress.add_task("reading the event log", total=total)
        summary = build_report(
            files,
            out,
            store=store,
            policy=policy,
            progress=lambda n: progress.advance(task, n),
        )
    stats = summary.stats
    for line in (
        [f"SS952: the event log ends early; reported what is there ({stats.truncation})"]
        if stats.truncated
        else []
    ) + (
        [f"SS953: {stats.bad_lines} line(s) that are not events skipped"] if stats.bad_lines else []
    ):
        click.echo(f"sparkseal: warning: {printable(line, keep_newlines=False)}", err=True)
    if not quiet:
        run = summary.run
        click.echo(
            f"wrote {printable(str(out), keep_newlines=False)}: {len(run.jobs)} jobs, "
            f"{len(run.stages)} stages, "
            f"{len(run.failures)} failures, {stats.events} events",
            err=True,
        )
