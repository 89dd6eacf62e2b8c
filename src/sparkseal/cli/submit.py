"""``sparkseal submit``: spark-submit with the policy's conf, jar and log4j2 configuration."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import click

from sparkseal.core.policy import load_policy
from sparkseal.submit import build_command, redact_command, submit_env


@click.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--policy",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Policy file [default: $SPARKSEAL_POLICY, then ./sparkseal.toml].",
)
@click.option("--dry-run", is_flag=True, help="Print the spark-submit command; do not run it.")
@click.argument("spark_submit_args", nargs=-1, type=click.UNPROCESSED, required=True)
def submit(policy: Path | None, dry_run: bool, spark_submit_args: tuple[str, ...]) -> None:
    """Run spark-submit with everything sparkseal needs, then the given arguments.

    \b
      sparkseal submit --policy sparkseal.toml -- --master spark://host:7077 job.py

    Adds the worker hooks, the public key, sparkseal's jar and log4j2
    configuration for driver and executors, the UI filter and (if the event log
    is enabled) the sealed event log writer. The authentication secret goes
    in spark-submit's environment (_SPARK_AUTH_SECRET), never on its command
    line. The job itself still calls sparkseal.harden() or sparkseal.session(),
    which finds the same policy. Exits with spark-submit's exit code.
    """
    loaded = load_policy(policy)
    cmd = build_command(loaded, spark_submit_args)
    if dry_run:
        click.echo(shlex.join(redact_command(cmd)))
        return
    sys.exit(subprocess.run(cmd, env=submit_env(loaded, spark_submit_args), check=False).returncode)
