"""``sparkseal pack``: the worker-side archive for executors without sparkseal."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from sparkseal.ship import pack as build_archive
from sparkseal.ship import submit_flags


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zip file to write, e.g. sparkseal-worker.zip.",
)
def pack(out: Path) -> None:
    """Zip sparkseal and cryptography for executors that do not have them installed.

    Ship it with the job; Spark unpacks it next to each executor's Python
    workers. The zip holds compiled code of this interpreter: executors must
    run the same CPython version on the same OS and CPU architecture.
    """
    try:
        path = build_archive(out)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    size = path.stat().st_size / 1e6
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    click.echo(f"wrote {path} ({size:.1f} MB) for CPython {version}")
    click.echo("add to spark-submit:\n  " + " ".join(shlex.quote(f) for f in submit_flags(path)))
