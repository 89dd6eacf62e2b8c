"""``sparkseal slo``: error budgets from the run history and Prometheus rules for the SLOs.

Exit codes: 0 success (``budget``: every SLO has budget left or no runs yet), 1
``budget``: at least one SLO's error budget is spent (SS935), 2 bad usage (no policy, no
``[[slo]]``, an SLO without a job, no store, a store without run history, an output that
exists without ``--force`` or cannot be written).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import DEFAULT_POLICY_FILE, ENV_POLICY, Policy, load_policy


class SloUsageError(SparkSealError):
    """An slo command was not given what it needs (SS937, SS938)."""


def _policy(policy: str | None) -> Policy:
    if (
        policy is None
        and not os.environ.get(ENV_POLICY)
        and not Path(DEFAULT_POLICY_FILE).is_file()
    ):
        raise SloUsageError(
            coded(
                "SS934",
                "no policy: pass --policy FILE (or set $SPARKSEAL_POLICY, or add "
                "./sparkseal.toml) with [[slo]] entries",
            )
        )
    return load_policy(policy)


def _resolved(pol: Policy) -> list:
    from sparkseal.slo.budget import resolve

    default_job = pol.metrics.job if pol.metrics is not None else None
    return resolve(pol.slo, default_job)


def write_output(out: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``out``; refuse to overwrite without ``force`` (SS938)."""
    if out.exists() and not force:
        raise SloUsageError(coded("SS938", f"{out} exists; pass --force to overwrite it"))
    try:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise SloUsageError(
            coded("SS938", f"cannot write {out}: {exc.strerror or type(exc).__name__}")
        ) from None


@click.group()
def slo() -> None:
    """Service-level objectives: error budgets and Prometheus rules (docs/observability.md).

    \b
      sparkseal slo budget --policy sparkseal.toml
      sparkseal slo budget --policy sparkseal.toml --store sqlite:///audit.db --json
      sparkseal slo rules --policy sparkseal.toml --out sparkseal-rules.yml
      promtool check rules sparkseal-rules.yml
    """


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


@slo.command("budget")
@click.option(
    "--policy",
    default=None,
    help="Policy with [[slo]] entries (default: $SPARKSEAL_POLICY, ./sparkseal.toml).",
)
@click.option(
    "--store", default=None, metavar="URL", help="The run history's store (overrides the policy)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per SLO and line.")
def budget_cmd(policy: str | None, store: str | None, as_json: bool) -> None:
    """Each SLO's error budget over its window, from the run history.

    Shows the runs in the window, the bad ones, the budget left (1 = untouched, 0 =
    spent, negative = overspent) and the burn rate over the last 1 h and 6 h (1 = the
    budget lasts exactly the window). Exit 1 when a budget is spent (SS935).
    """
    from sparkseal.slo.budget import budgets
    from sparkseal.slo.history import RunHistory

    pol = _policy(policy)
    slos = _resolved(pol)
    url = store or pol.audit_store_url()
    if url is None:
        raise SloUsageError(
            coded(
                "SS937",
                "no run history store: pass --store URL (sqlite:///PATH or "
                "postgresql+psycopg://...), or a policy whose [audit] section names the store",
            )
        )
    with RunHistory.open(url, read_only=True) as history:
        results = budgets(slos, history, now=datetime.now(UTC))
    if as_json:
        for b in results:
            click.echo(json.dumps(b.as_dict(), sort_keys=True))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="SLO error budgets")
        for col in ("slo", "job", "kind", "objective", "window", "runs", "bad", "left"):
            table.add_column(col, justify="right" if col in ("runs", "bad", "left") else "left")
        table.add_column("burn 1h", justify="right")
        table.add_column("burn 6h", justify="right")
        table.add_column("status")
        for b in results:
            style = {"ok": "green", "exhausted": "bold red", "no data": "yellow"}[b.status]
            table.add_row(
                b.slo,
                b.job,
                b.kind,
                f"{b.objective:g}",
                b.window,
                str(b.runs),
                str(b.bad),
                _fmt(b.remaining, ".1%"),
                _fmt(b.burn_rates["1h"], ".2f"),
                _fmt(b.burn_rates["6h"], ".2f"),
                f"[{style}]{b.status}[/{style}]",
            )
        # a pipe or a file gets the whole table, not one cut at 80 columns
        Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160).print(table)
    for b in results:
        if b.status == "no data":
            click.echo(
                coded(
                    "SS936",
                    f"SLO {b.slo}: no runs of job {b.job} in the last {b.window}; its budget "
                    "is not judged",
                ),
                err=True,
            )
    spent = [b for b in results if b.status == "exhausted"]
    for b in spent:
        click.echo(
            coded(
                "SS935",
                f"SLO {b.slo}: the error budget is spent ({b.bad} bad of {b.runs} runs in "
                f"{b.window}, {b.allowed_bad:.2f} allowed)",
            ),
            err=True,
        )
    if spent:
        sys.exit(1)


@slo.command("rules")
@click.option(
    "--policy",
    default=None,
    help="Policy with [[slo]] entries (default: $SPARKSEAL_POLICY, ./sparkseal.toml).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rules here (default: standard output).",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option(
    "--anomaly-window",
    default="7d",
    show_default=True,
    help="The 3-sigma run-duration alert's baseline window (a Prometheus duration).",
)
def rules_cmd(policy: str | None, out: Path | None, force: bool, anomaly_window: str) -> None:
    """Prometheus recording and alerting rules for the policy's SLOs.

    Per SLO: its error ratio over 5m ... 3d and its window, the budget left, and the
    multi-window burn-rate alerts (14.4x over 1h and 5m and 6x over 6h and 30m page; 3x
    over 1d and 2h and 1x over 3d and 6h open a ticket). Plus the 3-sigma alert on
    sparkseal_run_last_duration_seconds. Check the output with `promtool check rules`.
    """
    import re

    from sparkseal.slo.policy import DURATION_PATTERN
    from sparkseal.slo.rules import rules, to_yaml

    if not re.fullmatch(DURATION_PATTERN, anomaly_window):
        raise click.BadParameter(
            f"{anomaly_window!r} is not a Prometheus duration like 7d",
            param_hint="--anomaly-window",
        )
    text = to_yaml(rules(_resolved(_policy(policy)), anomaly_window=anomaly_window))
    if out is None:
        click.echo(text, nl=False)
    else:
        write_output(out, text, force)
        click.echo(f"wrote {out}", err=True)
