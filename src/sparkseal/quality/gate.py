"""The gated write: check every row, write valid rows and quarantine in one pass, commit
only when no ``error`` check failed.

How it reads the source once: the checks become columns of one projection (plus a window
count per uniqueness key and a broadcast left join per reference), every aggregate rides
on the write through ``DataFrame.observe``, and the write itself goes to ONE staging
dataset next to ``output``, partitioned by ``_sparkseal_failed`` (NULL for valid rows,
else the names of the checks the row failed). Commit then moves directories, never data:
the NULL partition becomes ``output``, the other partitions become ``quarantine``. Moves
use Hadoop's ``FileSystem.rename`` through the session's JVM, so local paths, HDFS and
object stores all work (on S3 a rename is a copy: slower, still not a re-read of the source).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sparkseal.core.codes import coded
from sparkseal.metrics import record_quality
from sparkseal.quality.anomaly import AnomalySpec, detect_all
from sparkseal.quality.checks import (
    Completeness,
    Freshness,
    QualityPolicy,
    RowCount,
    _Check,
    parse_checks,
)
from sparkseal.quality.expressions import FAILED_COLUMN, build
from sparkseal.quality.history import QualityHistory, _check_name
from sparkseal.quality.results import CheckResult, QualityError, QualityResult, failed_checks_error

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from sparkseal.core.policy import PolicyLike

log = logging.getLogger("sparkseal.quality")
DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
NO_PARTITION_TYPES = "spark.sql.sources.partitionColumnTypeInference.enabled"
CONCURRENT_WRITERS = "spark.sql.maxConcurrentOutputFileWriters"
CONCURRENT_WRITER_COUNT = 4
"""The staged write's partitions are few (valid rows, and each combination of failed
checks): with this many writers open per task Spark need not sort every row by its
partition first, and it falls back to sorting past that count (results are the same)."""
_MODES = {"error": "errorifexists", "errorifexists": "errorifexists", "overwrite": "overwrite",
          "append": "append"}


class _Fs:
    """The few Hadoop FileSystem operations the commit needs (py4j)."""

    def __init__(self, spark: SparkSession, some_path: str) -> None:
        self._jvm = spark._jvm
        self._conf = spark._jsc.hadoopConfiguration()
        self.fs = self.path(some_path).getFileSystem(self._conf)

    def path(self, p: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(p)

    def exists(self, p: str) -> bool:
        return bool(self.fs.exists(self.path(p)))

    def delete(self, p: str) -> None:
        self.fs.delete(self.path(p), True)

    def children(self, p: str) -> list[str]:
        if not self.exists(p):
            return []
        return [s.getPath().toString() for s in self.fs.listStatus(self.path(p))]

    def rename(self, src: str, dst: str) -> None:
        if not self.fs.rename(self.path(src), self.path(dst)):
            raise OSError("rename returned false")

    def mkdirs(self, p: str) -> None:
        self.fs.mkdirs(self.path(p))

    def touch(self, p: str) -> None:
        self.fs.create(self.path(p), True).close()

    def sibling(self, p: str, name: str) -> str:
        path = self.fs.makeQualified(self.path(p))
        return path.getParent().suffix("/" + name).toString() if path.getParent() else name

    def parent(self, p: str) -> str:
        return self.fs.makeQualified(self.path(p)).getParent().toString()

    def qualified(self, p: str) -> str:
        return self.fs.makeQualified(self.path(p)).toString()


@contextlib.contextmanager
def session_conf(spark: SparkSession, key: str, value: str, *, keep_set: bool = False
                 ) -> Iterator[None]:
    """``key`` set to ``value`` for the block, restored after. ``keep_set``: leave a value
    the user already set (anything but the default ``0``/unset) as it is."""
    before = spark.conf.get(key, None)
    if keep_set and before not in (None, "0"):
        yield
        return
    spark.conf.set(key, value)
    try:
        yield
    finally:
        if before is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, before)


def _move_into(fs: _Fs, src: str, dst: str, mode: str) -> None:
    """``src`` directory becomes ``dst``; with append, its files join an existing ``dst``."""
    if mode == "append" and fs.exists(dst):
        for child in fs.children(src):
            name = child.rsplit("/", 1)[-1]
            fs.rename(child, dst.rstrip("/") + "/" + name)
        fs.delete(src)
    else:
        fs.rename(src, dst)


def _evaluate(
    checks: list[_Check], observed: Mapping[str, Any], as_of: datetime
) -> list[CheckResult]:
    rows = int(observed.get("rows") or 0)
    out = []
    for i, check in enumerate(checks):
        common = {"name": check.name, "kind": check.kind, "columns": check.columns(),
                  "severity": check.severity}
        if isinstance(check, RowCount):
            ok = (check.min is None or rows >= check.min) and (
                check.max is None or rows <= check.max
            )
            out.append(CheckResult(**common, metric="row_count", value=rows,
                                   threshold={"min": check.min, "max": check.max}, passed=ok))
        elif isinstance(check, Freshness):
            newest = observed.get(f"newest_{i}")
            age = None
            if newest is not None:
                age = as_of.timestamp() - newest / 1_000_000
            limit = check.max_age.total_seconds()
            out.append(CheckResult(**common, metric="age_seconds", value=age, threshold=limit,
                                   passed=age is not None and age <= limit))
        else:
            failing = int(observed.get(f"fail_{i}") or 0)
            nulls = int(observed.get(f"null_{i}") or 0)
            ratio = failing / rows if rows else 0.0
            metric = "null_ratio" if isinstance(check, Completeness) else "fail_ratio"
            out.append(CheckResult(**common, metric=metric, value=ratio, threshold=check.threshold,
                                   passed=ratio <= check.threshold, failing_rows=failing,
                                   null_rows=nulls))
    return out


def _samples(
    spark: SparkSession,
    staging: str,
    fmt: str,
    options: Mapping[str, str],
    data_columns: list[str],
    results: list[CheckResult],
    quality: QualityPolicy,
    policy: Any,
) -> tuple[list[CheckResult], str]:
    """Up to ``sample_rows`` failing rows per failed check, read back from the staged
    failing partitions (never from the source), then sealed or protected before they leave
    Spark."""
    import dataclasses
    import json

    from pyspark.sql import functions as F

    wanted = [r for r in results if r.failing_rows]
    if not wanted or quality.sample_rows == 0 or policy is None:
        return results, "none"
    # Check names stay strings (partition discovery is eager).
    with session_conf(spark, NO_PARTITION_TYPES, "false"):
        failing = [
            c for c in _Fs(spark, staging).children(staging)
            if c.rsplit("/", 1)[-1].startswith(f"{FAILED_COLUMN}=")
            and not c.endswith(f"={DEFAULT_PARTITION}")
        ]
        if not failing:
            return results, "none"
        staged = spark.read.format(fmt).options(**options).option("basePath", staging).load(failing)
    if quality.sample_role is not None:
        from sparkseal.columns.api import protect

        how = f"protected:{quality.sample_role}"
    else:
        from sparkseal.core.token import Sealer

        sealer = Sealer(policy.public_key, version=str(policy.seal.format))
        how = "sealed"
    by_name: dict[str, tuple[Any, ...]] = {}
    for r in wanted:
        rows = staged.filter(
            F.array_contains(F.split(F.col(FAILED_COLUMN), ","), F.lit(r.name))
        ).select(*[F.col(f"`{c}`") for c in data_columns]).limit(quality.sample_rows)
        if quality.sample_role is not None:
            got = protect(rows, quality.sample_role, policy).collect()  # noqa: SS550 (limited)
            by_name[r.name] = tuple(
                json.loads(json.dumps(row.asDict(recursive=True), default=str)) for row in got
            )
        else:
            got = rows.collect()
            by_name[r.name] = tuple(
                sealer.seal(json.dumps(row.asDict(recursive=True), default=str, ensure_ascii=False))
                for row in got
            )
    return [dataclasses.replace(r, samples=by_name.get(r.name, ())) for r in results], how


def write_checked(
    df: DataFrame,
    checks: Iterable[Any] | QualityPolicy | None = None,
    *,
    output: str,
    quarantine: str | None = None,
    format: str = "parquet",
    mode: str = "errorifexists",
    options: Mapping[str, str] | None = None,
    policy: PolicyLike | bool = None,
    as_of: datetime | None = None,
    dataset: str | None = None,
    run_key: str | None = None,
    history: str | None = None,
) -> QualityResult:
    """Write ``df`` to ``output`` only if every ``error`` check passes; one read of the source.

    ``checks``: check models, mappings (``{"kind": "range", ...}``) or a QualityPolicy;
    ``None`` takes ``[[quality.checks]]`` from the policy. Valid rows go to ``output``;
    rows failing a row-level check go to ``quarantine`` (partitioned by ``_sparkseal_failed``,
    the comma-joined names of the checks they failed; :func:`read_quarantine` adds them as an
    array), or are dropped when ``quarantine`` is None. ``mode``: ``errorifexists``,
    ``overwrite`` or ``append`` (for both outputs). ``policy`` seals or protects the
    failing-row samples (``[quality] sample_rows``, ``sample_role``); without one (``policy=False``
    or no policy found) the result holds no samples. ``as_of`` (default: now, read once) is the
    clock freshness checks compare with.

    History (docs/quality.md, "The gate and the history"): when ``history`` (a store URL) is
    given or the policy has a store (``audit_store_url()``), the policy's
    ``[[quality.anomalies]]`` are judged against ``dataset``'s stored runs (default dataset:
    the qualified ``output``) and added as checks of kind ``anomaly``; then, only if no
    ``error`` check failed, this run's metrics (:func:`run_metrics`) are recorded under
    ``run_key`` (default: ``<app id>:<uuid>``, a fresh key per call), before the commit. A
    failed run is not recorded, so it never enters a baseline. Give a ``run_key`` that names
    the run's input to make a retried job a replay (judged as its first attempt, not counted
    twice).

    Raises :class:`QualityError` (SS801) naming every failed ``error`` check, after removing
    the staging dataset: nothing is committed. ``warn`` checks are logged (SS802).
    """
    from sparkseal.core.errors import PolicyError
    from sparkseal.core.policy import Policy, load_policy

    loaded: Policy | None = None
    if policy is not False:
        try:
            loaded = load_policy(None if policy is True else policy)  # type: ignore[arg-type]
        except PolicyError:
            if policy not in (None, True):
                raise
    quality = (loaded.quality if loaded is not None else None) or QualityPolicy()
    parsed = parse_checks(quality if checks is None else checks)
    if not parsed:
        raise QualityError(coded("SS803", "no checks given and none in the policy's [quality]"))
    write_mode = _MODES.get(mode.lower())
    if write_mode is None:
        raise QualityError(coded("SS804", f"mode {mode!r} is not one of {sorted(_MODES)}"))
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    options = dict(options or {})
    spark = df.sparkSession
    fs = _Fs(spark, output)
    output = fs.qualified(output)
    quarantine = fs.qualified(quarantine) if quarantine is not None else None
    if write_mode == "errorifexists":
        for target in (output, quarantine):
            if target is not None and fs.exists(target):
                raise QualityError(coded("SS804", f"{target} already exists (mode errorifexists)"))

    # A QualityPolicy given as ``checks`` brings its own anomalies; otherwise the policy's.
    anomalies = (checks if isinstance(checks, QualityPolicy) else quality).anomalies
    store_url = history or (loaded.audit_store_url() if loaded is not None else None)
    recorder: QualityHistory | None = None
    if store_url is not None:
        dataset = _check_name("dataset name", dataset or output)
        run_key = _check_name(
            "run key", run_key or f"{spark.sparkContext.applicationId}:{uuid.uuid4().hex}"
        )
        recorder = QualityHistory.open(store_url)  # fails here (SS601), before any read
    elif anomalies:
        raise QualityError(coded(
            "SS846", "the policy has [[quality.anomalies]] but no store to keep the history: "
                     "pass history=URL or turn on [audit] (its store is the history's)"))
    try:
        return _gated(spark, fs, df, parsed, quality, loaded, output, quarantine, format,
                      write_mode, options, as_of, recorder, anomalies, dataset, run_key)
    finally:
        if recorder is not None:
            recorder.close()


def _gated(spark: SparkSession, fs: _Fs, df: DataFrame, parsed: list[_Check],
           quality: QualityPolicy, loaded: Any, output: str, quarantine: str | None, format: str,
           write_mode: str, options: dict[str, str], as_of: datetime,
           recorder: QualityHistory | None, anomalies: tuple[AnomalySpec, ...],
           dataset: str | None,
           run_key: str | None) -> QualityResult:
    from pyspark.sql import Observation

    checked = build(df, parsed, as_of)
    observation = Observation(f"sparkseal_quality_{uuid.uuid4().hex}")
    to_write = checked.df.observe(observation, *checked.metrics).select(
        *[f"`{c}`" for c in checked.data_columns], FAILED_COLUMN
    )
    staging = fs.sibling(output, f"_sparkseal_staging_{uuid.uuid4().hex}")
    try:
        with session_conf(spark, CONCURRENT_WRITERS, str(CONCURRENT_WRITER_COUNT), keep_set=True):
            to_write.write.format(format).options(**options).partitionBy(FAILED_COLUMN).save(
                staging)
        observed = observation.get
        results = _evaluate(parsed, observed, as_of)
        results, how = _samples(spark, staging, format, options, checked.data_columns, results,
                                quality, loaded)
        rows = int(observed.get("rows") or 0)
        quarantined = int(observed.get("quarantined") or 0)
        result = QualityResult(
            checks=results, rows=rows, valid_rows=rows - quarantined,
            quarantined_rows=quarantined, output=output, quarantine=quarantine,
            as_of=as_of.isoformat(), committed=False, samples=how,
        )
        if recorder is not None:
            assert dataset is not None and run_key is not None
            metrics = run_metrics(result)
            found = detect_all(recorder, dataset, metrics, anomalies, run_key=run_key)
            for anomaly in found:
                if anomaly.is_anomaly:
                    log.warning(anomaly.message())
            result.checks.extend(CheckResult(**a.check_fields()) for a in found)
            result.extra["history"] = {"dataset": dataset, "run_key": run_key,
                                       "recorded": False}
            if result.passed:
                # Before the commit: a store that cannot be written leaves nothing committed.
                result.extra["history"]["recorded"] = recorder.record(
                    dataset, run_key, metrics, app_id=spark.sparkContext.applicationId
                )
    except BaseException:
        fs.delete(staging)
        raise
    for check in result.checks:  # sparkseal_quality_checks_total, when [metrics] is on
        record_quality(check.name, check.severity, check.passed)
    warned = result.failed("warn")
    if warned:
        log.warning(coded("SS802", "warn check(s) failed, the write goes on: "
                                   + ", ".join(c.name for c in warned)))
    if not result.passed:
        fs.delete(staging)
        raise failed_checks_error(result)
    try:
        _commit(spark, fs, staging, output, quarantine, write_mode, to_write, format, options,
                {c.name for c in parsed if c.quarantines})
    except QualityError:
        raise
    except Exception as exc:
        raise QualityError(coded("SS805", f"commit failed; staged data kept at {staging}")) from exc
    result.committed = True
    return result


def run_metrics(result: QualityResult) -> dict[str, float | int | None]:
    """The numbers of a run that go to the history (never data): ``row_count``,
    ``valid_rows``, ``quarantined_rows``; per check ``<check>.<metric>`` (its ratio or age)
    and, for row-level checks, ``<check>.failing_rows`` and ``<check>.null_rows``; per
    completeness column ``<column>.null_ratio``. Anomaly results are not metrics."""
    out: dict[str, float | int | None] = {
        "row_count": result.rows,
        "valid_rows": result.valid_rows,
        "quarantined_rows": result.quarantined_rows,
    }
    for c in result.checks:
        if c.kind in ("anomaly", "row_count"):
            continue
        out[f"{c.name}.{c.metric}"] = c.value
        if c.failing_rows is not None:
            out[f"{c.name}.failing_rows"] = c.failing_rows
        if c.null_rows is not None:
            out[f"{c.name}.null_rows"] = c.null_rows
        if c.kind == "completeness":
            out[f"{c.columns[0]}.null_ratio"] = c.value
    return out


def _commit(spark: SparkSession, fs: _Fs, staging: str, output: str, quarantine: str | None,
            mode: str, written: DataFrame, fmt: str, options: Mapping[str, str],
            quarantining: set[str]) -> None:
    """Route each staged partition: a row failing a quarantining check goes to the
    quarantine (the partition directory moves as is), every other row to the flat output
    (its files move; a name already taken gets a prefix)."""
    if mode == "overwrite":
        for target in (output, quarantine):
            if target is not None:
                fs.delete(target)
    prefix = f"{FAILED_COLUMN}="
    to_output, to_quarantine = [], []
    for child in fs.children(staging):
        name = child.rsplit("/", 1)[-1]
        if not name.startswith(prefix):
            continue
        value = name[len(prefix):]
        names = set() if value == DEFAULT_PARTITION else set(value.split(","))
        (to_quarantine if names & quarantining else to_output).append(child)
    had_output = fs.exists(output)
    fs.mkdirs(output)
    moved = 0
    for i, directory in enumerate(to_output):
        for f in fs.children(directory):
            name = f.rsplit("/", 1)[-1]
            if name.startswith((".", "_")):
                continue  # checksums move with their file
            target = f"{output}/{name}"
            if fs.exists(target):
                target = f"{output}/p{i}-{name}"
            fs.rename(f, target)
            moved += 1
    if not moved and not had_output:
        # No valid row: an empty dataset with the schema, so readers find the columns.
        fs.delete(output)
        schema = written.drop(FAILED_COLUMN).schema
        spark.createDataFrame([], schema).write.format(fmt).options(**options).save(output)
    fs.touch(f"{output}/_SUCCESS")
    if quarantine is not None:
        had_quarantine = fs.exists(quarantine)
        fs.mkdirs(quarantine)
        for child in to_quarantine:
            _move_into(fs, child, f"{quarantine}/{child.rsplit('/', 1)[-1]}", mode)
        if not to_quarantine and not had_quarantine:
            # No failing row: an empty partition keeps the schema, so read_quarantine works
            # and later appends keep one directory layout.
            schema = written.drop(FAILED_COLUMN).schema
            empty = f"{quarantine}/{FAILED_COLUMN}={DEFAULT_PARTITION}"
            spark.createDataFrame([], schema).write.format(fmt).options(**options).save(empty)
        fs.touch(f"{quarantine}/_SUCCESS")
    fs.delete(staging)


def read_quarantine(spark: SparkSession, path: str, format: str = "parquet",
                    options: Mapping[str, str] | None = None) -> DataFrame:
    """The quarantine as a DataFrame: the data columns plus ``failed_checks`` (array of names)."""
    from pyspark.sql import functions as F

    with session_conf(spark, NO_PARTITION_TYPES, "false"):
        df = spark.read.format(format).options(**dict(options or {})).load(path)
    return df.withColumn("failed_checks", F.split(F.col(FAILED_COLUMN), ",")).drop(FAILED_COLUMN)
