"""Failure cases: every path a Python failure takes in a PySpark job.

Each case gets a fresh canary and must make Spark fail with an exception
whose message carries it. Canaries always travel as *data* (rows, files),
never as literals in code or query plans, exactly like customer data does.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf, udf, udtf

CASES: dict[str, Callable[[SparkSession, str], None]] = {}
# Cases that run Python code on the driver host only (no executor involved).
DRIVER_ONLY = {"driver_logged", "datasource_schema", "udtf_analyze", "foreach_batch"}


def case(fn: Callable[[SparkSession, str], None]) -> Callable[[SparkSession, str], None]:
    CASES[fn.__name__] = fn
    return fn


def fail_with(value: str) -> str:
    raise ValueError(f"{value} is an email address")


def _df(spark: SparkSession, canary: str):
    return spark.createDataFrame([(canary,)], "email string").repartition(1)


def _data_file(canary: str) -> str:
    path = Path(tempfile.mkdtemp(prefix="sparkseal-case-")) / "value.txt"
    path.write_text(canary)
    return str(path)


@case
def rdd_map(spark, canary):
    spark.sparkContext.parallelize([canary], 1).map(fail_with).collect()


@case
def rdd_keyerror_notes_group(spark, canary):
    def lookup(value):
        try:
            return {}[value]
        except KeyError as e:
            e.add_note(f"note: {value}")
            raise ExceptionGroup(f"group {value}", [e, TypeError(value)]) from None

    spark.sparkContext.parallelize([canary], 1).map(lookup).collect()


@case
def python_udf(spark, canary):
    _df(spark, canary).select(udf(fail_with)("email")).collect()


def _with_sql_conf(spark, key: str, value: str, action: Callable[[], None]) -> None:
    spark.conf.set(key, value)
    try:
        action()
    finally:
        spark.conf.unset(key)


@case
def python_udf_locals(spark, canary):
    def with_locals(value):
        customer = {"email": value}  # noqa: F841 - shown by tracebackWithLocals
        raise ValueError("bad customer record")

    _with_sql_conf(
        spark,
        "spark.sql.execution.pyspark.udf.tracebackWithLocals.enabled",
        "true",
        lambda: _df(spark, canary).select(udf(with_locals)("email")).collect(),
    )


@case
def python_udf_hidden_traceback(spark, canary):
    _with_sql_conf(
        spark,
        "spark.sql.execution.pyspark.udf.hideTraceback.enabled",
        "true",
        lambda: _df(spark, canary).select(udf(fail_with)("email")).collect(),
    )


@case
def python_udf_full_traceback(spark, canary):
    _with_sql_conf(
        spark,
        "spark.sql.execution.pyspark.udf.simplifiedTraceback.enabled",
        "false",
        lambda: _df(spark, canary).select(udf(fail_with)("email")).collect(),
    )


@case
def arrow_udf(spark, canary):
    _df(spark, canary).select(udf(fail_with, useArrow=True)("email")).collect()


@case
def pandas_udf_raises(spark, canary):
    @pandas_udf("string")
    def check(s: pd.Series) -> pd.Series:
        raise ValueError(f"bad values: {list(s)}")

    _df(spark, canary).select(check("email")).collect()


@case
def pandas_udf_arrow_conversion(spark, canary):
    @pandas_udf("long")
    def as_long(s: pd.Series) -> pd.Series:
        return s  # strings where longs are declared: Arrow's error quotes the value

    _df(spark, canary).select(as_long("email")).collect()


@case
def map_in_pandas(spark, canary):
    def fn(it):
        for pdf in it:
            fail_with(pdf["email"].iloc[0])
            yield pdf

    _df(spark, canary).mapInPandas(fn, "email string").collect()


@case
def map_in_arrow(spark, canary):
    def fn(it):
        for batch in it:
            fail_with(batch.column(0)[0].as_py())
            yield batch

    _df(spark, canary).mapInArrow(fn, "email string").collect()


@case
def apply_in_pandas(spark, canary):
    def fn(pdf):
        fail_with(pdf["email"].iloc[0])
        return pdf

    _df(spark, canary).groupBy("email").applyInPandas(fn, "email string").collect()


@case
def udtf_eval(spark, canary):
    @udtf(returnType="email string")
    class Explode:
        def eval(self, row):
            fail_with(row["email"])
            yield (row["email"],)

    spark.udtf.register("sparkseal_fail_udtf", Explode)
    _df(spark, canary).createOrReplaceTempView("sparkseal_canaries")
    spark.sql("SELECT * FROM sparkseal_fail_udtf(TABLE(sparkseal_canaries))").collect()


@case
def udtf_analyze(spark, canary):
    path = _data_file(canary)
    from pyspark.sql.udtf import AnalyzeResult

    @udtf
    class Analyzed:
        @staticmethod
        def analyze(*args) -> AnalyzeResult:
            fail_with(Path(path).read_text())

        def eval(self, *args):
            yield ()

    spark.udtf.register("sparkseal_analyze_udtf", Analyzed)
    spark.sql("SELECT * FROM sparkseal_analyze_udtf()").collect()


def _data_source(path: str, fail_in: str):
    from pyspark.sql.datasource import DataSource, DataSourceReader

    class Reader(DataSourceReader):
        def read(self, partition):
            fail_with(Path(path).read_text())
            yield ("x",)

    class Source(DataSource):
        @classmethod
        def name(cls):
            return f"sparkseal_{fail_in}"

        def schema(self):
            if fail_in == "schema":
                fail_with(Path(path).read_text())
            return "email string"

        def reader(self, schema):
            return Reader()

    return Source


@case
def datasource_read(spark, canary):
    source = _data_source(_data_file(canary), "read")
    spark.dataSource.register(source)
    spark.read.format(source.name()).load().collect()


@case
def datasource_schema(spark, canary):
    source = _data_source(_data_file(canary), "schema")
    spark.dataSource.register(source)
    spark.read.format(source.name()).load().collect()


def _stream(spark, canary):
    src = Path(tempfile.mkdtemp(prefix="sparkseal-stream-"))
    (src / "part.json").write_text(json.dumps({"email": canary}) + "\n")
    return spark.readStream.schema("email string").json(str(src))


def _await(query) -> None:
    try:
        query.awaitTermination(120)
    finally:
        if query.isActive:
            query.stop()
    time.sleep(1)  # let the listener bus deliver the termination event


@case
def foreach_batch(spark, canary):
    def fn(batch_df, batch_id):
        for row in batch_df.collect():
            fail_with(row["email"])

    _await(_stream(spark, canary).writeStream.foreachBatch(fn).start())


@case
def foreach_writer(spark, canary):
    def fn(row):
        fail_with(row["email"])

    _await(_stream(spark, canary).writeStream.foreach(fn).start())


@case
def driver_logged(spark, canary):
    log = logging.getLogger("leakapp.driver")
    try:
        fail_with(canary)
    except ValueError as exc:
        log.exception("could not process a record")
        log.error("again, as an argument: %s", exc)
        raise


# --- Failures raised by Spark's JVM code, quoting the data (issue 3) ---

JVM_CASES: dict[str, Callable[[SparkSession, str], None]] = {}


def jvm_case(fn: Callable[[SparkSession, str], None]) -> Callable[[SparkSession, str], None]:
    JVM_CASES[fn.__name__] = fn
    return fn


def _ansi(spark, action: Callable[[], None]) -> None:
    _with_sql_conf(spark, "spark.sql.ansi.enabled", "true", action)


@jvm_case
def jvm_cast_invalid_input(spark, canary):
    _ansi(spark, lambda: _df(spark, canary).select(F.col("email").cast("int")).collect())


def decimal_canary(canary: str) -> str:
    """A number derived from the canary: decimal errors quote numbers, not emails.

    It starts with 1: Spark prints a decimal without leading zeros, so a canary whose digits
    started with 0 was not found where it was (1 run in 10 failed).
    """
    return "1" + str(int.from_bytes(canary.encode(), "big"))[-11:] + ".5"


@jvm_case
def jvm_decimal_overflow(spark, canary):
    amount = spark.createDataFrame([(decimal_canary(canary),)], "amount string").repartition(1)
    wide, narrow = "decimal(30,1)", "decimal(4,1)"
    _ansi(spark, lambda: amount.select(F.col("amount").cast(wide).cast(narrow)).collect())


@jvm_case
def jvm_raise_error(spark, canary):
    msg = F.concat(F.lit("bad record: "), F.col("email"))
    _df(spark, canary).select(F.raise_error(msg)).collect()


@jvm_case
def jvm_assert_true(spark, canary):
    _df(spark, canary).select(F.assert_true(F.col("email").isNull(), F.col("email"))).collect()


@jvm_case
def jvm_csv_failfast(spark, canary):
    path = Path(tempfile.mkdtemp(prefix="sparkseal-csv-")) / "rows.csv"
    path.write_text(f"1,ok\n{canary},broken\n")
    reader = spark.read.schema("id int, note string").option("mode", "FAILFAST")
    reader.csv(str(path)).collect()


@jvm_case
def jvm_filter_literal(spark, canary):
    # Not a failure: the literal itself lands in plan strings (event log, SQL tab).
    _df(spark, canary).filter(F.col("email") == canary).count()
    raise RuntimeError("the query ran; its plan carried the literal")


@jvm_case
def jvm_sql_text_literal(spark, canary):
    # The SQL text is the query's description; the cast fails while the driver plans it.
    _ansi(spark, lambda: spark.sql(f"SELECT CAST('{canary}' AS INT) AS n").collect())


@jvm_case
def jvm_parquet_pushdown(spark, canary):
    # Not a failure: a filter pushed down to Parquet carries the literal into plan strings
    # and into Parquet's own log lines on the executors.
    path = str(Path(tempfile.mkdtemp(prefix="sparkseal-parquet-")) / "t")
    _df(spark, "someone-else@example.org").write.parquet(path)
    spark.read.parquet(path).filter(F.col("email") == canary).count()
    raise RuntimeError("the query ran; its pushed-down filter carried the literal")


# --- Data at rest: spill, shuffle and cache files in the local dirs (issue 4) ---

AT_REST_CASES: dict[str, Callable[[SparkSession, str], None]] = {}


def at_rest_case(fn: Callable[[SparkSession, str], None]) -> Callable[[SparkSession, str], None]:
    AT_REST_CASES[fn.__name__] = fn
    return fn


@at_rest_case
def python_spill_group_by_key(spark, canary):
    # With spark.python.worker.memory small, PySpark's ExternalGroupBy spills to local dirs.
    rdd = spark.sparkContext.parallelize(range(200_000), 2).map(lambda i: (i % 50, f"{canary}-{i}"))
    sizes = rdd.groupByKey().mapValues(lambda vs: sum(1 for _ in vs)).collect()
    assert sum(n for _, n in sizes) == 200_000


@at_rest_case
def python_spill_sort(spark, canary):
    rdd = spark.sparkContext.parallelize(range(100_000), 2).map(lambda i: (f"{canary}-{i}", i))
    assert rdd.sortByKey(numPartitions=2).count() == 100_000


@at_rest_case
def jvm_shuffle_spill_cache(spark, canary):
    from pyspark import StorageLevel

    df = spark.range(300_000).select(F.concat(F.lit(canary), F.col("id").cast("string")).alias("v"))
    df = df.repartition(4).persist(StorageLevel.DISK_ONLY)
    assert df.orderBy(F.desc("v")).count() == 300_000
    small = spark.sparkContext.broadcast([f"{canary}-broadcast-{i}" for i in range(1000)])
    assert (
        spark.sparkContext.parallelize(range(10), 2).map(lambda i: len(small.value)).sum() == 10_000
    )
    df.unpersist()


# --- Column protection (issue 5): keyed rules must not put their keys anywhere ---
# These read the [protect] policy from $SPARKSEAL_POLICY, which the leak app sets.

PROTECT_CASES: dict[str, Callable[[SparkSession, str], None]] = {}
PROTECT_ROLES = ("analyst", "support", "fraud", "ops")


def protect_case(fn: Callable[[SparkSession, str], None]) -> Callable[[SparkSession, str], None]:
    PROTECT_CASES[fn.__name__] = fn
    return fn


@protect_case
def protect_every_rule(spark, canary):
    """Every keyed rule through the DataFrame API, role views in SQL text, and unprotect."""
    import sparkseal

    df = spark.createDataFrame(
        [(i, f"{i}-{canary}", "1980-05-17") for i in range(1000)],
        "id int, email string, dob string",
    ).repartition(2)
    log = logging.getLogger("protectcase")
    out = Path(tempfile.mkdtemp(prefix="sparkseal-protect-"))
    for role in PROTECT_ROLES:
        protected = sparkseal.protect(df, role)
        for mode in ("simple", "extended", "codegen", "cost", "formatted"):
            protected.explain(mode)
        log.info("plan for %s:\n%s", role, protected._jdf.queryExecution().toString())
        protected.write.mode("overwrite").parquet(str(out / role))
    tokens = sparkseal.protect(df, "fraud")
    assert sparkseal.unprotect(tokens, "fraud").join(df, ["id", "email"]).count() == 1000
    views = sparkseal.create_role_views(spark, df, list(PROTECT_ROLES), name="customers")
    for view in views.values():
        spark.sql(f"SELECT COUNT(DISTINCT email) FROM {view}").collect()


@protect_case
def protect_failure_quotes_data(spark, canary):
    """A rule that fails on bad data (ANSI cast of a non-date): Spark quotes the value."""
    import sparkseal

    df = spark.createDataFrame([(1, canary, canary)], "id int, email string, dob string")
    _ansi(spark, lambda: sparkseal.protect(df, "analyst").collect())
