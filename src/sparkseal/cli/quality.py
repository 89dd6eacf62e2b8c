"""``sparkseal quality``: data quality from the command line (docs/quality.md).

Exit codes as everywhere: 0 success, 2 bad usage (no store, an unknown dataset or metric,
a store this sparkseal cannot read). The group is meant to grow: add a command with
``@quality.command("name")`` here, or define it elsewhere and ``quality.add_command(cmd)``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import DEFAULT_POLICY_FILE, ENV_POLICY, load_policy


class QualityUsageError(SparkSealError):
    """A quality command was not given what it needs (SS846, SS847)."""


def store_url(store: str | None, policy: str | None) -> str:
    """``--store``, else the policy's store (``Policy.audit_store_url()``, the one store)."""
    if store:
        return store
    url = None
    if policy is not None or os.environ.get(ENV_POLICY) or Path(DEFAULT_POLICY_FILE).is_file():
        url = load_policy(policy).audit_store_url()
    if url is None:
        raise QualityUsageError(
            coded(
                "SS846",
                "no quality store: pass --store URL (sqlite:///PATH or "
                "postgresql+psycopg://...), or --policy FILE whose [audit] section names "
                "the store",
            )
        )
    return url


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    return shown or "none"


@click.group()
def quality() -> None:
    """Data quality: metric history and anomalies (docs/quality.md).

    \b
      sparkseal quality history orders --store sqlite:///sparkseal-audit.db
      sparkseal quality history orders --metric row_count --limit 30 --json
    """


@quality.command("history")
@click.argument("dataset")
@click.option(
    "--store", default=None, metavar="URL", help="The store's URL (overrides the policy)."
)
@click.option(
    "--policy",
    default=None,
    help="Policy whose store to use (default: $SPARKSEAL_POLICY, ./sparkseal.toml).",
)
@click.option("--metric", default=None, help="Only this metric (one value per run).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run and line.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the newest N runs.")
def history(
    dataset: str,
    store: str | None,
    policy: str | None,
    metric: str | None,
    as_json: bool,
    limit: int | None,
) -> None:
    """Show DATASET's recorded quality runs, oldest first: when, run key, app, metrics."""
    from sparkseal.quality.history import QualityHistory

    with QualityHistory.open(store_url(store, policy), read_only=True) as hist:
        runs = hist.runs(dataset, limit=limit)
        if not runs:
            raise QualityUsageError(
                coded(
                    "SS847",
                    f"no recorded runs of dataset {dataset!r}; the store holds: "
                    + _names(hist.datasets()),
                )
            )
        if metric is not None:
            known = hist.metrics(dataset)
            if metric not in known:
                raise QualityUsageError(
                    coded(
                        "SS847",
                        f"dataset {dataset!r} has no recorded metric {metric!r}; its metrics: "
                        + _names(known),
                    )
                )
            runs = [r for r in runs if metric in r.metrics]
    if as_json:
        for r in runs:
            row: dict[str, object] = {
                "dataset": r.dataset,
                "run_key": r.run_key,
                "time": r.at.isoformat(),
                "recorded": r.recorded.isoformat(),
                "app": r.app,
            }
            if metric is not None:
                row |= {"metric": metric, "value": r.metrics[metric]}
            else:
                row["metrics"] = r.metrics
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"quality history of {dataset}")
    for col in ("time (UTC)", "run", "app"):
        table.add_column(col, no_wrap=col != "run")
    if metric is not None:
        table.add_column(metric, justify="right")
    else:
        table.add_column("metrics")
    for r in runs:
        if metric is not None:
            cell = _num(r.metrics[metric])
        else:
            cell = "\n".join(f"{k} = {_num(v)}" for k, v in r.metrics.items())
        table.add_row(r.at.strftime("%Y-%m-%d %H:%M:%S"), r.run_key, r.app or "", cell)
    Console(soft_wrap=False).print(table)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"
