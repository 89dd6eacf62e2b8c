"""``sparkseal connect-server``: a Spark Connect server with everything the policy needs."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import click

from sparkseal.connect import DEFAULT_PORT, server_args, server_env
from sparkseal.core.policy import load_policy
from sparkseal.submit import build_command, redact_command, submit_env


@click.command("connect-server", context_settings={"ignore_unknown_options": True})
@click.option(
    "--policy",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Policy file [default: $SPARKSEAL_POLICY, then ./sparkseal.toml].",
)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Connect has no authentication of its own: put anything "
    "but loopback behind an authenticating proxy.",
)
@click.option("--dry-run", is_flag=True, help="Print the spark-submit command; do not run it.")
@click.argument("spark_submit_args", nargs=-1, type=click.UNPROCESSED)
def connect_server(
    policy: Path | None, port: int, host: str, dry_run: bool, spark_submit_args: tuple[str, ...]
) -> None:
    """Run a Spark Connect server, hardened, in the foreground (Ctrl-C stops it).

    \b
      sparkseal connect-server --policy sparkseal.toml -- --master 'local[4]'
      # client: sparkseal.harden(SparkSession.builder.remote("sc://127.0.0.1:15002"),
      #                          "sparkseal.toml").getOrCreate()

    The server gets what `sparkseal submit` gives a job (worker hooks, public key,
    log4j2 sealing, Java agent, executor attestation, UI filter, sealed event log,
    preset) and runs Spark's own SparkConnectServer from the installed pyspark; no
    Spark distribution is needed. Clients check, through the session, that the
    server seals with their policy's key and refuse it otherwise (SS404).
    Exits with the server's exit code.
    """
    loaded = load_policy(policy)
    args = server_args(loaded, spark_submit_args, port, host)
    cmd = build_command(loaded, args)
    if dry_run:
        click.echo(shlex.join(redact_command(cmd)))
        return
    env = server_env(submit_env(loaded, args), cmd[1:])
    click.echo(f"sparkseal: Spark Connect server on sc://{host}:{port} (Ctrl-C stops it)", err=True)
    try:
        code = subprocess.run(cmd, env=env, check=False).returncode
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
