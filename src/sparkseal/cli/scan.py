"""``sparkseal scan``: the CI gate for logs, event logs and local dirs."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from sparkseal.scan.detectors import KINDS
from sparkseal.scan.scanner import DEFAULT_MAX_DECODED, Report, Scanner
from sparkseal.scan.terminal import printable

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class ByteSize(click.ParamType):
    """``16G``, ``512M``, ``1048576`` (binary units; ``0`` means no limit)."""

    name = "SIZE"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, int):
            return value
        m = re.fullmatch(r"\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*", str(value), re.IGNORECASE)
        if m is None:
            self.fail(f"{value!r} is not a size such as 512M or 16G", param, ctx)
        return int(m.group(1)) * _UNITS[m.group(2).lower()]


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


def _line(path: str) -> str:
    return printable(path, keep_newlines=False)


def _print_text(report: Report) -> None:
    for f in report.findings:
        times = f" ({f.count} occurrences)" if f.count > 1 else ""
        codec = f" [{f.codec}]" if f.codec != "plain" else ""
        click.echo(
            f"{_line(f.path)}:{f.line}: {f.code}: {f.kind} {printable(f.masked)}{times}{codec}"
        )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--canary",
    "canaries",
    multiple=True,
    metavar="VALUE",
    help="A value that must not appear in plaintext (also matched JSON- and HTML-escaped). "
    "Repeatable.",
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
@click.option(
    "--max-decoded",
    type=ByteSize(),
    default=DEFAULT_MAX_DECODED,
    show_default="16G",
    help="Stop decoding a compressed file after this many decoded bytes and report SS304 "
    "(exit 2). Memory stays bounded either way; this bounds time. 0: no limit.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [default: CPUs]."
)
@click.option(
    "--no-progress",
    is_flag=True,
    help="Never show the progress bar (it is shown on stderr only when stderr is a terminal).",
)
def scan(
    paths: tuple[Path, ...],
    canaries: tuple[str, ...],
    only: tuple[str, ...],
    skip: tuple[str, ...],
    allow: tuple[str, ...],
    max_decoded: int,
    as_json: bool,
    jobs: int | None,
    no_progress: bool,
) -> None:
    """Find plaintext sensitive values under PATHS (files or directories).

    \b
    What is read:
      - plain files, and Spark's zstd/lz4/snappy, zlib/gzip and PySpark spill
        files, recognised by content, decoded as a stream in bounded memory;
      - directories recursively; symlinked files and directories are followed
        (kubelet's /var/log/containers), each real file once, cycles cut;
      - only text inside complete, well-formed sealed tokens is skipped: a
        truncated or fake [SEALED:... and everything after it is scanned.

    Built-in detectors: emails, card numbers (Luhn), US SSNs, phone numbers,
    IBANs (mod-97), IPv4 addresses. Each distinct value is reported once per
    file, masked, as PATH:LINE: SS301: KIND VALUE.

    \b
    Exit code:
      0  clean: every byte of every file was scanned and nothing was found
      1  findings (SS301)
      2  bad usage, or something was not scanned (SS302 unreadable,
         SS303 corrupt compressed file, SS304 --max-decoded reached)
    Notices (SS305 dangling or looping symlink, SS306 FIFO/socket/device in
    a directory) go to stderr and do not change the exit code. The codes are
    explained in docs/codes.md.
    """
    kinds = [k for k in (only or KINDS) if k not in skip]
    scanner = Scanner(
        canaries=canaries, kinds=kinds, allow=allow, jobs=jobs, max_decoded=max_decoded
    )
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
    for e in report.notices:
        click.echo(f"{_line(e.path)}: {e.code}: {e.message}", err=True)
    for e in report.errors:
        click.echo(f"{_line(e.path)}: {e.code}: {e.message}", err=True)
    mb = report.bytes_read / 1e6
    not_scanned = f", {len(report.errors)} not fully scanned" if report.errors else ""
    click.echo(
        f"sparkseal scan: {len(report.findings)} finding(s) in {report.files} file(s)"
        f"{not_scanned}, {mb:.1f} MB read",
        err=True,
    )
    if report.findings:
        sys.exit(1)
    if report.errors:
        sys.exit(2)
