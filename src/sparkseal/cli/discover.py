"""``sparkseal discover``: which columns of a dataset hold PII, and a policy to protect them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

FORMATS = ("auto", "parquet", "csv", "json", "orc", "table")


def _format_of(source: str, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    path = Path(source)
    if not path.exists():
        return "table"
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for p in files:
        suffixes = "".join(p.suffixes).lower()
        for known in ("parquet", "csv", "json", "orc"):
            if f".{known}" in suffixes:
                return known
    raise SparkSealError(coded("SS309", f"cannot tell the format of {source}; pass --format"))


def _read(spark, source: str, fmt: str):
    if fmt == "table":
        return spark.table(source)
    reader = spark.read
    if fmt == "csv":
        reader = reader.option("header", "true")
    return reader.format(fmt).load(source)


@click.command()
@click.argument("source")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="How to read SOURCE; auto goes by file extension, and a name that is not a path "
    "is a catalog table.",
)
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows to examine (the first ones read).",
)
@click.option(
    "--fraction",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Examine a random fraction of all rows instead (reads the whole input).",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Share of a column's values that must be an entity to call the column one.",
)
@click.option("--suggest", is_flag=True, help="Print a [protect] policy snippet for the findings.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="Policy for the Spark session that reads the data [default: $SPARKSEAL_POLICY, "
    "then ./sparkseal.toml].",
)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def discover(
    source: str,
    fmt: str,
    sample: int,
    fraction: float | None,
    min_share: float,
    suggest: bool,
    as_json: bool,
    policy: str | None,
    master: str,
    no_progress: bool,
) -> None:
    """Find PII in SOURCE (a parquet/csv/json/orc path, or a catalog table).

    Detectors run inside Spark on a sample: emails, card numbers (Luhn), US SSNs (area,
    group and serial rules), IBANs (mod-97), IPv4 addresses, phone numbers, dates of
    birth, plus column-name hints (names, addresses). Free-text columns are searched too.
    The report holds counts, never values. Spark runs hardened by sparkseal (errors that
    quote the data are sealed), so a policy with a public key is needed.

    Exit code: 0 nothing found, 1 PII found, 2 bad usage or unreadable input.
    """
    import sparkseal
    from sparkseal.discovery.discover import discover as run_discover
    from sparkseal.discovery.suggest import suggest_policy

    kind = _format_of(source, fmt)
    err = Console(stderr=True)
    with err.status(f"starting Spark on {master}..."):
        spark = sparkseal.session(
            "sparkseal-discover",
            policy,
            **{"spark.master": master, "spark.ui.showConsoleProgress": "false"},
        )
    try:
        try:
            df = _read(spark, source, kind)
        except Exception as exc:  # AnalysisException and friends: already sealed by sparkseal
            raise SparkSealError(coded("SS309", f"cannot read {source} as {kind}: {exc}")) from None
        report = run_discover(
            df,
            sample=fraction if fraction is not None else sample,
            min_share=min_share,
            progress=not no_progress,
        )
    finally:
        spark.stop()
    if as_json:
        click.echo(report.to_json())
    elif suggest:
        click.echo(suggest_policy(report))
    else:
        table = Table(title=f"PII in {source} ({report.sampled_rows} rows sampled)")
        for name in ("column", "entity", "where", "share", "confidence"):
            table.add_column(name)
        for f in report.findings:
            share = f"{f.share:.1%}" if f.where != "name" else "-"
            table.add_row(f.column, f.entity, f.where, share, f"{f.confidence:.2f}")
        Console().print(table)
    sys.exit(1 if report.findings else 0)
