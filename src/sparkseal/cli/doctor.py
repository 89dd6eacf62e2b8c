"""``sparkseal doctor``: what is unsafe or fragile in a Spark configuration."""

from __future__ import annotations

import sys

import click

from sparkseal.rules.output import emit, exit_code, filter_findings, output_options, parse_codes


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True))
@click.option(
    "--defaults",
    "defaults",
    multiple=True,
    type=click.Path(dir_okay=True),
    metavar="FILE",
    help="A spark-defaults.conf (repeatable; later files win).",
)
@click.option(
    "--conf",
    "conf_args",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Spark setting, as given to spark-submit or the builder (repeatable).",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="A sparkseal policy: judge the conf harden() would give a job with the settings above.",
)
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="A running application's UI (http://driver:4040) or a history server: judge the "
    "settings its REST API reports as in force.",
)
@click.option("--app", "app_id", default=None, metavar="ID", help="The application at --url.")
@output_options
def doctor(
    files: tuple[str, ...],
    defaults: tuple[str, ...],
    conf_args: tuple[str, ...],
    policy: str | None,
    url: str | None,
    app_id: str | None,
    fmt: str,
    output: str | None,
    fail_on: str,
    select: str | None,
    ignore: str | None,
) -> None:
    """Report what is unsafe or fragile in a Spark configuration.

    FILES are spark-defaults.conf files, read after the --defaults ones (so the
    pre-commit hook can pass the files it finds). Sources apply in this order, each
    overriding the ones before: --defaults files and FILES, --conf settings, then
    --policy (what sparkseal.harden() adds: the preset where a key is unset, the
    sealing settings always), then --url (what a running application has in force).
    No source: Spark's stock defaults are judged. Findings name keys, never
    values. Rules: `sparkseal rules`, docs/rules.md.

    \b
    Examples:
      sparkseal doctor --defaults $SPARK_HOME/conf/spark-defaults.conf
      sparkseal doctor --defaults conf/spark-defaults.conf --policy sparkseal.toml
      sparkseal doctor --url http://driver:4040 --format sarif -o doctor.sarif

    \b
    Exit codes:
      0  no finding at or above --fail-on
      1  findings at or above --fail-on (default: error)
      2  bad usage, or a source could not be read (SS590-SS594)
    """
    from sparkseal.rules.doctor import diagnose, effective_conf
    from sparkseal.rules.doctor.conf import DoctorInputError

    if app_id is not None and url is None:
        raise click.UsageError("--app needs --url")
    try:
        conf = effective_conf([*defaults, *files], conf_args, policy, url, app_id)
    except DoctorInputError as exc:
        click.echo(f"sparkseal doctor: {exc}", err=True)
        sys.exit(2)
    findings = filter_findings(
        diagnose(conf), select=parse_codes(select), ignore=parse_codes(ignore)
    )
    try:
        emit(findings, fmt, tool="doctor", output=output)  # type: ignore[arg-type]
    except OSError as exc:
        target = output or "standard output"
        click.echo(f"sparkseal doctor: cannot write {target}: {exc.strerror}", err=True)
        sys.exit(2)
    sys.exit(exit_code(findings, fail_on))  # type: ignore[arg-type]
