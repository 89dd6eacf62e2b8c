"""``sparkseal contract``: compare contract versions, and draft a contract from data."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sparkseal.core.codes import coded


@click.group()
def contract() -> None:
    """Schema contracts in the Open Data Contract Standard (ODCS v3).

    \b
    A contract (YAML or JSON) lists a dataset's columns: Spark type (physicalType),
    required, primary key, classification. Jobs check data against it before
    writing with sparkseal.contracts.enforce(df, "contract.yaml"); a column
    classified pii/personal/sensitive/confidential/restricted must have a
    [protect] rule in the policy. See docs/contracts.md.

    \b
      sparkseal contract infer data/customers.parquet --out customers.yaml
      sparkseal contract diff customers-v1.yaml customers-v2.yaml   # CI gate
    """


@contract.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON on stdout.")
def diff(old: str, new: str, as_json: bool) -> None:
    """Classify every change from contract OLD to NEW as breaking or compatible.

    \b
    Breaking: a removed or renamed column, an added required column, a narrowed or
    changed type (bigint -> int, decimal(12,2) -> decimal(10,2), string -> int),
    nullable -> required, a changed primary key, unique added, a loosened
    classification (pii -> public, or removed), a removed dataset.
    Compatible: an added optional column, a widened type (int -> bigint, float ->
    double, decimal precision up), required -> nullable, a stricter classification,
    description changes. Columns are matched by their ODCS stable `id` when both
    versions have one (so renames are detected), else by name.

    Exit code: 0 no breaking change, 1 at least one, 2 bad usage or unreadable contract.
    """
    from sparkseal.contracts.diff import diff as run_diff

    result = run_diff(old, new)
    if as_json:
        click.echo(result.to_json())
    elif not result.changes:
        click.echo("no changes")
    else:
        several = len({c.dataset for c in result.changes}) > 1
        table = Table(title=f"{old} -> {new}")
        table.add_column("column", overflow="fold")
        table.add_column("change", no_wrap=True)
        table.add_column("old", overflow="fold")
        table.add_column("new", overflow="fold")
        table.add_column("verdict", no_wrap=True)
        table.add_column("why", ratio=1)
        for c in result.changes:
            where = c.column or "(dataset)"
            where = f"{c.dataset}.{where}" if several else where
            verdict = "[red]breaking[/red]" if c.severity == "breaking" else "compatible"
            table.add_row(where, c.kind, c.old or "-", c.new or "-", verdict, c.detail)
        Console().print(table)
    if result.is_breaking:
        click.echo(coded("SS714", f"{len(result.breaking)} breaking change(s) in {new}"), err=True)
        sys.exit(1)


@contract.command()
@click.argument("source")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("auto", "parquet", "csv", "json", "orc", "table")),
    default="auto",
    show_default=True,
    help="How to read SOURCE; auto goes by file extension, and a name that is not a path "
    "is a catalog table.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the contract here (JSON if it ends in .json, else YAML) instead of stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--name", default=None, help="Dataset name [default: from SOURCE].")
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows to examine (the first ones read) for nulls and PII.",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="Policy for the Spark session that reads the data [default: $SPARKSEAL_POLICY, "
    "then ./sparkseal.toml].",
)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def infer(
    source: str,
    fmt: str,
    out: str | None,
    force: bool,
    name: str | None,
    sample: int,
    policy: str | None,
    master: str,
    no_progress: bool,
) -> None:
    """Draft a contract for SOURCE (a parquet/csv/json/orc path, or a catalog table).

    Columns and types come from Spark's schema, `required` from the sampled rows (no
    null seen), and `classification: pii` (with a `pii:<entity>` tag) from the same
    detectors as `sparkseal discover`. Review it: a sample cannot prove a column is
    never null. Spark runs hardened by sparkseal, so a policy with a public key is
    needed.

    Exit code: 0 written, 2 bad usage or unreadable input.
    """
    import sparkseal
    from sparkseal.cli.discover import _format_of, _read
    from sparkseal.contracts.errors import ContractError
    from sparkseal.contracts.infer import infer_contract
    from sparkseal.contracts.write import contract_text, write_contract
    from sparkseal.core.errors import SparkSealError

    target = Path(out) if out else None
    if target is not None and target.exists() and not force:
        raise ContractError("SS715", f"{target} exists; pass --force to overwrite it")
    try:
        kind = _format_of(source, fmt)
    except SparkSealError as exc:
        raise ContractError("SS715", str(exc)) from None
    if name is None:
        base = source.split(".")[-1] if kind == "table" else Path(source.rstrip("/")).name
        name = base.split(".")[0] or "dataset"
    err = Console(stderr=True)
    with err.status(f"starting Spark on {master}..."):
        spark = sparkseal.session(
            "sparkseal-contract-infer",
            policy,
            **{"spark.master": master, "spark.ui.showConsoleProgress": "false"},
        )
    try:
        try:
            df = _read(spark, source, kind)
        except Exception as exc:  # AnalysisException and friends: already sealed by sparkseal
            raise ContractError("SS715", f"cannot read {source} as {kind}: {exc}") from None
        result = infer_contract(df, name, sample=sample, progress=not no_progress)
    finally:
        spark.stop()
    if target is None:
        click.echo(contract_text(result), nl=False)
        return
    write_contract(result, target, force=force)
    columns = len(result.schema_[0].properties or []) if result.schema_ else 0
    err.print(f"wrote {target} ({columns} columns); review it before use")
