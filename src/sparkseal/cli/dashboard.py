"""``sparkseal dashboard``: the Grafana dashboard for sparkseal's metrics.

Exit codes: 0 written, 2 the output exists (without ``--force``) or cannot be written
(SS938).
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("dashboard")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the dashboard JSON here (default: standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def dashboard(out: Path | None, force: bool) -> None:
    """A Grafana dashboard (JSON) for sparkseal's metrics and SLO rules.

    One row per concern: runs and SLOs, Spark jobs/stages/tasks, I/O with shuffle and
    spill, executors, streaming, quality. Variables: the Prometheus data source and job.
    Import it in Grafana (Dashboards > New > Import), or provision the file.

    \b
      sparkseal dashboard --out grafana.json
    """
    from sparkseal.cli.slo import write_output
    from sparkseal.dashboards.grafana import dashboard as build
    from sparkseal.dashboards.grafana import to_json

    text = to_json(build())
    if out is None:
        click.echo(text, nl=False)
    else:
        write_output(out, text, force)
        click.echo(f"wrote {out}", err=True)
