"""``sparkseal scan``: the CI gate for logs, event logs and local dirs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from sparkseal.scan.detectors import KINDS
from sparkseal.scan.scanner import Report, Scanner
from sparkseal.scan.terminal import printable


def _progress_factory(console: Console) -> tuple[Progress, Callable[[int], Callable[[int], None]]]:
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )

    def start(total: int) -> Callable[[int], None]:
        task = progress.add_task("scanning", total=total)
        return lambda n: progress.advance(task, n)

    return progress, start


def _print_text(report: Report) -> None:
    for f in report.findings:
        times = f" ({f.count} occurrences)" if f.count > 1 else ""
        codec = f" [{f.codec}]" if f.codec != "plain" else ""
        where = printable(f.path, keep_newlines=False)
        click.echo(f"{where}:{f.line}: {f.code}: {f.kind} {printable(f.masked)}{times}{codec}")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--canary",
    "canaries",
    multiple=True,
    metavar="VALUE",
    help="A value that must not appear in plaintext (also matched JSON- and HTML-escaped).",
)
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(KINDS),
    help="Run only these built-in detectors (repeatable).",
)
@click.option(
    "--skip",
    multiple=True,
    type=click.Choice(KINDS),
    help="Do not run these built-in detectors (repeatable).",
)
@click.option(
    "--allow",
    multiple=True,
    metavar="VALUE|CIDR",
    help="Ignore this exact value, or IPv4 addresses in this CIDR (e.g. your cluster's hosts).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: CPUs]."
)
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def scan(
    paths: tuple[Path, ...],
    canaries: tuple[str, ...],
    only: tuple[str, ...],
    skip: tuple[str, ...],
    allow: tuple[str, ...],
    as_json: bool,
    jobs: int | None,
    no_progress: bool,
) -> None:
    """Find plaintext sensitive values under PATHS (files or directories).

    Reads plain files and Spark's zstd/lz4/snappy/zlib/gzip-compressed event
    logs; ignores text inside sealed tokens. Built-in detectors: emails, card
    numbers (Luhn), US SSNs, phone numbers, IBANs (mod-97), IPv4 addresses.
    Each distinct value is reported once per file, masked.

    Exit code: 0 clean, 1 findings, 2 bad usage or unreadable input.
    """
    kinds = [k for k in (only or KINDS) if k not in skip]
    scanner = Scanner(canaries=canaries, kinds=kinds, allow=allow, jobs=jobs)
    err = Console(stderr=True)
    show = not no_progress and not as_json and err.is_terminal
    if show:
        progress, start = _progress_factory(err)
        with progress:
            report = scanner.scan(paths, progress=start)
    else:
        report = scanner.scan(paths)
    if as_json:
        click.echo(report.to_json())
    else:
        _print_text(report)
    for e in report.errors:
        click.echo(f"{e.path}: error: {e.message}", err=True)
    mb = report.bytes_read / 1e6
    click.echo(
        f"sparkseal scan: {len(report.findings)} finding(s) in {report.files} file(s), "
        f"{mb:.1f} MB read",
        err=True,
    )
    if report.findings:
        sys.exit(1)
    if report.errors:
        sys.exit(2)
