"""``sparkseal verify``: push canaries through Spark and check every surface."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sparkseal.verify.private import private_dir, restrict
from sparkseal.verify.run import FAIL, PASS, WARN, judge, run_job, to_json

STYLE = {PASS: "green", WARN: "yellow", FAIL: "bold red"}


@click.command()
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="Policy file [default: $SPARKSEAL_POLICY, then ./sparkseal.toml].",
)
@click.option(
    "--master",
    default="local[2]",
    show_default=True,
    help="Where to run the check, e.g. local-cluster[2,1,1024] or spark://host:7077.",
)
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the job's logs, event log and captured files in this new directory "
    "(owner-only: files 0600, directories 0700; they include the auth secret).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report on stdout.")
def verify(policy: str | None, master: str, keep: Path | None, as_json: bool) -> None:
    """Run canary records through JVM shuffle, JVM spill, Python spill, DISK_ONLY cache,
    broadcast and parallelize, plus a failing Python UDF and a failing JVM cast, with
    sparkseal on; watch the local dirs while the jobs run; then check the settings Spark
    used and scan the local dirs, event log and logs for the canary and the auth secret.

    Each check has a stable code for CI, whatever its result: SS500, SS501, SS504 (the
    settings, as in `sparkseal doctor`), SS310 (JVM cipher), SS311 (Python spill
    encryption), SS312 (a workload), SS313 (a surface's scan); see docs/codes.md.

    Exit code: 0 when nothing failed (warnings allowed), 1 on any FAIL, 2 on bad usage.
    """
    from pyspark.find_spark_home import _find_spark_home

    err = Console(stderr=True)
    # The job's files hold the canary's traces and the application's auth secret: owner-only.
    work = private_dir(keep) if keep else Path(tempfile.mkdtemp(prefix="sparkseal-verify-"))
    try:
        with err.status(f"running the verification job on {master} (about a minute)..."):
            result = run_job(work, master, policy)
        checks = judge(work, result, Path(_find_spark_home()))
    finally:
        if keep:
            restrict(work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if as_json:
        click.echo(to_json(checks))
    else:
        table = Table(title=f"sparkseal verify ({master})")
        table.add_column("code")
        table.add_column("surface")
        table.add_column("result")
        table.add_column("detail", overflow="fold")
        for c in checks:
            table.add_row(c.code, c.surface, f"[{STYLE[c.status]}]{c.status}[/]", c.detail)
        Console().print(table)
        if keep:
            err.print(f"kept the job's files in {work}")
    sys.exit(1 if any(c.status == FAIL for c in checks) else 0)
