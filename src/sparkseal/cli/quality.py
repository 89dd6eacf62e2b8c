"""``sparkseal quality``: data quality from the command line (docs/quality.md).

Exit codes as everywhere: 0 success, 1 an ``error`` check failed (``run``: nothing
committed), 2 bad usage (no store, an unknown dataset or metric, a store this sparkseal
cannot read, a missing or invalid checks file, an unreadable input, an existing output).
The group is meant to grow: add a command with ``@quality.command("name")`` here, or define
it elsewhere and ``quality.add_command(cmd)``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import DEFAULT_POLICY_FILE, ENV_POLICY, Policy, load_policy

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from sparkseal.quality import QualityPolicy, QualityResult


class QualityUsageError(SparkSealError):
    """A quality command was not given what it needs (SS804, SS820-SS822, SS846, SS847)."""


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
    """Data quality: gated writes, metric history and anomalies (docs/quality.md).

    \b
      sparkseal quality run raw/orders --checks checks.toml --output clean/orders \\
          --quarantine quarantine/orders --report dq.json
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


# --- sparkseal quality run -------------------------------------------------------------

INPUT_FORMATS = ("auto", "parquet", "csv", "json", "orc", "table")
OUTPUT_FORMATS = ("parquet", "orc", "json", "csv")
MODES = ("errorifexists", "overwrite", "append")


def _field_errors(exc: Exception, prefix: str) -> str:
    """A pydantic error as ``field: message`` pairs (messages name fields, never inputs)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    parts = []
    for err in exc.errors():
        where = prefix + ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/quality.md)"
        parts.append(f"{where or '<file>'}: {msg}")
    return "; ".join(parts)


def load_checks_file(path: str | os.PathLike[str]) -> QualityPolicy:
    """The ``[quality]`` settings of a checks file (SS820 when missing, invalid or empty).

    Two shapes: a policy (any file with ``[quality]`` or another policy section), whose
    checks are ``[[quality.checks]]``, so one file can be both; or a bare file whose top
    level is the section (``[[checks]]``, ``sample_rows = ...``).
    """
    from pydantic import ValidationError

    from sparkseal.quality import QualityPolicy

    p = Path(path)
    try:
        data: dict[str, Any] = tomllib.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise QualityUsageError(coded("SS820", f"checks file not found: {p}")) from None
    except OSError as exc:
        raise QualityUsageError(
            coded("SS820", f"checks file could not be read: {p}: {exc.strerror}")
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QualityUsageError(
            coded("SS820", f"checks file is not valid TOML: {p}: {exc}")
        ) from None
    if "quality" in data or any(k in Policy.model_fields for k in data):
        # A policy (or a policy-shaped file): the checks live in its [quality] section.
        prefix = "quality."
        stray = sorted(k for k in data if k not in Policy.model_fields)
        if stray:
            raise QualityUsageError(
                coded(
                    "SS820",
                    f"invalid checks file {p}: top-level {', '.join(stray)} next to policy "
                    "sections (put checks in [[quality.checks]], or use a file of bare "
                    "[[checks]] without policy sections)",
                )
            )
        section = data.get("quality", {})
    else:
        prefix, section = "", data
    try:
        parsed = QualityPolicy.model_validate(section)
    except (ValidationError, SparkSealError) as exc:
        raise QualityUsageError(
            coded("SS820", f"invalid checks file {p}: {_field_errors(exc, prefix)}")
        ) from None
    if not parsed.checks:
        raise QualityUsageError(
            coded("SS820", f"no checks in {p}: add [[checks]] (or [[quality.checks]]) entries")
        )
    return parsed


def _local(path: str) -> Path | None:
    """``path`` as a local path, or None for a URI of another filesystem (hdfs://, s3a://)."""
    if path.startswith("file:"):
        return Path(path.removeprefix("file:").removeprefix("//"))
    return None if "://" in path else Path(path)


def _input_format(source: str, fmt: str) -> str:
    from sparkseal.cli.discover import _format_of

    if fmt == "table":
        return fmt
    local = _local(source)
    if local is None:
        if fmt == "auto":
            raise QualityUsageError(
                coded("SS821", f"cannot tell the format of {source}; pass --input-format")
            )
        return fmt
    if not local.exists():
        looks_like_path = os.sep in source or source.startswith(".") or fmt != "auto"
        if looks_like_path:
            raise QualityUsageError(coded("SS821", f"input not found: {source}"))
        return "table"  # a catalog name such as db.orders
    try:
        return _format_of(str(local), fmt)
    except SparkSealError as exc:
        why = str(exc).replace("--format", "--input-format")
        raise QualityUsageError(coded("SS821", why)) from None


def _read_input(spark: SparkSession, source: str, kind: str) -> DataFrame:
    if kind == "table":
        return spark.table(source)
    reader = spark.read
    if kind == "csv":
        # Typed columns, so that range checks compare numbers (Spark's inference reads the
        # CSV once more; JSON inference always does).
        reader = reader.option("header", "true").option("inferSchema", "true")
    return reader.format(kind).load(source)


def _same(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or a in b.parents or b in a.parents


def _precheck_targets(
    source: str, kind: str, output: str, quarantine: str | None, mode: str, report: str | None
) -> None:
    """Bad usage a local filesystem can tell before Spark starts (SS804, SS822)."""
    targets = [("--output", output)] + ([("--quarantine", quarantine)] if quarantine else [])
    local_source = _local(source) if kind != "table" else None
    for flag, target in targets:
        local = _local(target)
        if local is None:
            continue
        if mode == "errorifexists" and local.exists():
            raise QualityUsageError(
                coded(
                    "SS804",
                    f"{flag} {target} already exists (mode errorifexists; pass --mode "
                    "overwrite or append)",
                )
            )
        if local_source is not None and _same(local, local_source):
            raise QualityUsageError(
                coded("SS822", f"{flag} {target} overlaps the input {source}")
            )
    if quarantine is not None:
        lo, lq = _local(output), _local(quarantine)
        if (lo is not None and lq is not None and _same(lo, lq)) or output == quarantine:
            raise QualityUsageError(coded("SS822", "--output and --quarantine overlap"))
    if report is not None:
        parent = Path(report).expanduser().resolve().parent
        if not parent.is_dir() or Path(report).is_dir():
            raise QualityUsageError(
                coded("SS822", f"--report {report}: not a file in an existing directory")
            )


def _no_warn_summary(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("SS802")


def _write_report(path: str, result: QualityResult) -> None:
    """The JSON report, 0600 (it holds sealed or protected samples), replaced atomically."""
    target = Path(path).expanduser()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(result.to_json() + "\n")
    os.replace(tmp, target)


def _summary_dict(result: QualityResult) -> dict[str, Any]:
    """The report without the samples themselves (their count instead): what stdout gets."""
    out = result.to_dict()
    for check in out["checks"]:
        check["sample_count"] = len(check.pop("samples") or ())
    return out


def _value(metric: str, value: float | int | None) -> str:
    if value is None:
        return "-"
    if metric in ("row_count",) or isinstance(value, int):
        return str(value)
    if metric == "age_seconds":
        return f"{value:.0f} s"
    return f"{value:.4g}"


def _threshold(metric: str, threshold: Any) -> str:
    if isinstance(threshold, dict):
        bounds = [f"{k} {v}" for k, v in threshold.items() if v is not None]
        return ", ".join(bounds) or "-"
    if threshold is None:
        return "-"
    return f"<= {threshold:.0f} s" if metric == "age_seconds" else f"<= {threshold:g}"


def _print_result(result: QualityResult, report: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"quality checks ({result.rows} rows)")
    for name in ("check", "kind", "metric", "value", "threshold", "passed", "severity",
                 "failing rows"):
        right = name in ("value", "failing rows")
        table.add_column(name, justify="right" if right else "left", no_wrap=True)
    for c in result.checks:
        if c.passed:
            verdict = "[green]yes[/green]"
        else:
            verdict = "[red]NO[/red]" if c.severity == "error" else "[yellow]no[/yellow]"
        table.add_row(
            c.name, c.kind, c.metric, _value(c.metric, c.value), _threshold(c.metric, c.threshold),
            verdict, c.severity, "-" if c.failing_rows is None else str(c.failing_rows),
        )
    # Not a terminal (a CI log, a pipe): wide enough that no cell is cut.
    out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)
    out.print(table)
    if result.committed:
        out.print(f"{result.valid_rows} valid rows -> {result.output}")
        if result.quarantine is not None:
            out.print(f"{result.quarantined_rows} quarantined rows -> {result.quarantine}")
        elif result.quarantined_rows:
            out.print(f"{result.quarantined_rows} failing rows dropped (no --quarantine)")
    else:
        out.print("nothing committed")
    hist = result.extra.get("history")
    if hist:
        done = "recorded" if hist.get("recorded") else "not recorded"
        out.print(f"metrics {done} in the history: dataset {hist['dataset']}, "
                  f"run {hist['run_key']}")
    samples = sum(len(c.samples) for c in result.checks)
    if samples:
        where = f"in the report {report}" if report else "not kept (pass --report FILE)"
        out.print(f"{samples} failing-row samples, {result.samples}, not printed: {where}")


@quality.command("run")
@click.argument("source", metavar="INPUT")
@click.option(
    "--checks",
    "checks_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML file of checks: [[checks]] entries, or a [quality] section with "
    "[[quality.checks]] (a policy file works too). Its sample_rows / sample_role override "
    "the policy's. Default: the policy's [[quality.checks]].",
)
@click.option("--output", required=True, help="Where the valid rows go (path or URI).")
@click.option(
    "--quarantine",
    default=None,
    help="Where rows failing an error check go, partitioned by _sparkseal_failed (the "
    "names of the checks they failed). Without it they are counted, not kept.",
)
@click.option(
    "--format",
    "out_format",
    type=click.Choice(OUTPUT_FORMATS),
    default="parquet",
    show_default=True,
    help="Format of output and quarantine.",
)
@click.option(
    "--input-format",
    "in_format",
    type=click.Choice(INPUT_FORMATS),
    default="auto",
    show_default=True,
    help="How to read INPUT; auto goes by file extension, and a name that is not a path "
    "is a catalog table. CSV is read with a header and inferred types.",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="errorifexists",
    show_default=True,
    help="For output and quarantine alike.",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="Policy for the Spark session and the sealing of samples [default: "
    "$SPARKSEAL_POLICY, then ./sparkseal.toml].",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the JSON report here (mode 0600, replaced if it exists), also when a check "
    "fails. It holds the sealed (or protected) failing-row samples.",
)
@click.option(
    "--json", "as_json", is_flag=True,
    help="Print the report as JSON on stdout, each check's samples replaced by sample_count.",
)
@click.option(
    "--store",
    default=None,
    metavar="URL",
    help="Metric history store (sqlite:///PATH or postgresql+psycopg://...): anomaly checks "
    "are judged against it and the run's metrics recorded when no error check failed "
    "[default: the policy's [audit] store, if any].",
)
@click.option(
    "--dataset",
    default=None,
    help="The dataset's name in the history (what `sparkseal quality history` takes) "
    "[default: the qualified --output].",
)
@click.option(
    "--run-key",
    default=None,
    help="This run's key in the history; name the input (e.g. orders@2026-11-30) so a "
    "rerun is a replay, not a second point [default: a fresh key].",
)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def run(
    source: str,
    checks_file: str | None,
    output: str,
    quarantine: str | None,
    out_format: str,
    in_format: str,
    mode: str,
    policy: str | None,
    report: str | None,
    as_json: bool,
    store: str | None,
    dataset: str | None,
    run_key: str | None,
    master: str,
    no_progress: bool,
) -> None:
    """Check INPUT and write it to --output only if every error check passes.

    \b
    One read of INPUT: valid rows go to --output, rows failing an error check to
    --quarantine; when an error check fails nothing is written at all. warn checks
    are reported and the write goes on. The table (or --json) shows each check's
    metric, value, threshold, verdict and failing rows; never a data value:
    failing-row samples are sealed to the policy's key (or protected for
    [quality] sample_role) and only written to --report.

    \b
      sparkseal quality run raw/orders --checks checks.toml --output clean/orders \\
          --quarantine quarantine/orders --report dq.json
      sparkseal quality run data.csv --policy sparkseal.toml --output out --mode overwrite

    With a history store (--store, or the policy's [audit] store) the
    [[quality.anomalies]] are judged against DATASET's earlier runs, and the run's metrics
    are recorded (see `sparkseal quality history`).

    Exit code: 0 every error check passed (committed), 1 an error check failed (nothing
    committed), 2 bad usage: missing or invalid checks, unreadable input, an existing
    output with --mode errorifexists.
    """
    import sparkseal
    from sparkseal.discovery.progress import spark_progress
    from sparkseal.quality import QualityError, QualityPolicy, write_checked

    loaded = load_policy(policy)
    in_policy = loaded.quality or QualityPolicy()
    if checks_file is not None:
        from_file = load_checks_file(checks_file)
        quality_section = in_policy.model_copy(
            update={k: getattr(from_file, k) for k in from_file.model_fields_set}
        )
    elif in_policy.checks:
        quality_section = in_policy
    else:
        raise QualityUsageError(
            coded(
                "SS820",
                f"no checks: pass --checks FILE, or a policy with [[quality.checks]] "
                f"({loaded.source} has none)",
            )
        )
    effective = loaded.model_copy(update={"quality": quality_section})
    if quality_section.anomalies and store is None and effective.audit_store_url() is None:
        raise QualityUsageError(
            coded(
                "SS846",
                "the checks have [[quality.anomalies]] but there is no history store: pass "
                "--store URL, or a policy with [audit]",
            )
        )
    kind = _input_format(source, in_format)
    _precheck_targets(source, kind, output, quarantine, mode, report)
    options = {"header": "true"} if out_format == "csv" else {}

    from rich.console import Console

    err = Console(stderr=True)
    with err.status(f"starting Spark on {master}..."):
        spark = sparkseal.session(
            "sparkseal-quality-run",
            effective,
            **{"spark.master": master, "spark.ui.showConsoleProgress": "false"},
        )
    failure: QualityError | None = None
    gate_log = logging.getLogger("sparkseal.quality")
    gate_log.addFilter(_no_warn_summary)  # SS802 is printed below, once, with the verdict
    try:
        try:
            df = _read_input(spark, source, kind)
        except Exception as exc:  # AnalysisException and friends: already sealed by sparkseal
            raise QualityUsageError(
                coded("SS821", f"cannot read {source} as {kind}: {exc}")
            ) from None
        try:
            with spark_progress(spark, "checking and writing", enabled=not no_progress):
                result = write_checked(
                    df, None, output=output, quarantine=quarantine, format=out_format,
                    mode=mode, options=options, policy=effective, history=store,
                    dataset=dataset, run_key=run_key,
                )
        except QualityError as exc:
            if exc.result is None:
                raise  # the checks could not run (SS803, SS804): bad usage, exit 2
            failure, result = exc, exc.result
    finally:
        gate_log.removeFilter(_no_warn_summary)
        spark.stop()
    if report is not None:
        _write_report(report, result)
    if as_json:
        click.echo(json.dumps(_summary_dict(result), indent=2, default=str, ensure_ascii=False))
    else:
        _print_result(result, report)
    warned = result.failed("warn")
    if warned:
        click.echo(
            coded(
                "SS802",
                "warn check(s) failed"
                + (", the write went on: " if failure is None else ": ")
                + ", ".join(c.name for c in warned),
            ),
            err=True,
        )
    if failure is not None:
        click.echo(f"sparkseal: error: {failure}", err=True)
        sys.exit(1)
