"""Inputs of our own making for issue 10's classes of leaks, unlike the examples it names.

Each case plants its canary where one class of leak would carry it: failure reasons with
computed messages, literal shapes in plans, paths in scan nodes, user-set job and stage
properties, RDD names, plan-change logs, streaming names and observed metrics, and Python
warnings. They need not fail; the tests scan every sink for the canary.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

CASES: dict[str, Callable[[SparkSession, str], None]] = {}


def case(fn: Callable[[SparkSession, str], None]) -> Callable[[SparkSession, str], None]:
    CASES[fn.__name__] = fn
    return fn


def _rows(spark: SparkSession, *values: str, names: str = "v string"):
    return spark.createDataFrame([values], names).repartition(1)


def _ansi(spark: SparkSession, action: Callable[[], object]) -> None:
    spark.conf.set("spark.sql.ansi.enabled", "true")
    try:
        action()
    finally:
        spark.conf.unset("spark.sql.ansi.enabled")


# --- failure reasons whose exception computes its message from the data ---


@case
def reason_reflect_pattern(spark, canary):
    # java.util.regex.PatternSyntaxException computes getMessage() from the pattern.
    _rows(spark, f"[{canary}").selectExpr(
        "reflect('java.util.regex.Pattern', 'compile', v)"
    ).collect()


@case
def reason_regexp_instr(spark, canary):
    df = _rows(spark, "x", f"({canary}", names="s string, p string")
    df.selectExpr("regexp_instr(s, p)").collect()


@case
def reason_reflect_uri(spark, canary):
    # java.net.URISyntaxException computes getMessage() from the input.
    _rows(spark, f"http://a b/{canary}").selectExpr(
        "reflect('java.net.URI', 'create', v)"
    ).collect()


# --- literals in plans, of shapes a text rule would take for structure ---


def _filtered(spark, literal: str) -> None:
    df = _rows(spark, "x")
    df.filter((F.col("v") == F.lit(literal)) | F.col("v").contains(literal)).collect()


@case
def plan_attribute_shaped_literal(spark, canary):
    _filtered(spark, f"{canary}#17L")


@case
def plan_multiline_literal(spark, canary):
    _filtered(spark, f"x\n== Physical Plan ==\n+- Filter {canary}\n(2) Project [id#0]")


@case
def plan_keyword_literal(spark, canary):
    _filtered(spark, f"isnotnull AND true OR {canary} ASC NULLS FIRST")


@case
def plan_path_in_scan(spark, canary):
    directory = Path(tempfile.mkdtemp(prefix="sparkseal-")) / canary
    directory.mkdir()
    (directory / "part.txt").write_text("line\n")
    spark.read.text(str(directory)).where("value <> 'nothing'").collect()


# --- names and properties user code sets ---


@case
def props_job_group_and_tag(spark, canary):
    sc = spark.sparkContext
    sc.setJobGroup(f"group-{canary}", f"group description {canary}")
    sc.addJobTag(f"tag-{canary}")
    try:
        sc.parallelize(range(4), 2).count()
    finally:
        sc.removeJobTag(f"tag-{canary}")
        sc.setLocalProperty("spark.jobGroup.id", None)
        sc.setLocalProperty("spark.job.description", None)


@case
def props_call_site_pool_custom(spark, canary):
    sc = spark.sparkContext
    keys = ("callSite.short", "callSite.long", "spark.scheduler.pool", f"custom.{canary}")
    for key in keys:
        sc.setLocalProperty(key, f"{key}={canary}")
    try:
        sc.parallelize(range(4), 2).map(lambda x: x + 1).count()
    finally:
        for key in keys:
            sc.setLocalProperty(key, None)


@case
def props_rdd_and_cached_plan_names(spark, canary):
    spark.sparkContext.parallelize(["a"], 1).setName(f"rdd {canary}").cache().count()
    cached = _rows(spark, "x").filter(F.col("v") != F.lit(canary)).cache()
    cached.count()
    cached.unpersist()


@case
def props_sql_text(spark, canary):
    spark.sql(f"SELECT id FROM range(3) WHERE cast(id AS string) <> '{canary}'").collect()


# --- logs that print whole plans ---


@case
def log_plan_changes(spark, canary):
    spark.conf.set("spark.sql.planChangeLog.level", "WARN")
    spark.conf.set("spark.sql.adaptive.logLevel", "WARN")
    try:
        df = _rows(spark, "x").filter(F.col("v") != F.lit(canary))
        df.groupBy("v").count().collect()
    finally:
        spark.conf.unset("spark.sql.planChangeLog.level")
        spark.conf.unset("spark.sql.adaptive.logLevel")


# --- streaming: query names and observed metrics ---


@case
def stream_observed_metrics(spark, canary):
    source = spark.readStream.format("rate").option("rowsPerSecond", 5).load()
    values = source.withColumn("email", F.concat(F.lit(canary), F.col("value").cast("string")))
    observed = values.observe("watch", F.max("email").alias("latest"), F.count("*").alias("n"))
    query = (
        observed.writeStream.queryName(f"q_{canary.split('@')[0].replace('-', '_')}")
        .format("memory")
        .start()
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:  # until a batch with rows has been observed
            progress = query.lastProgress
            if progress is not None and progress.numInputRows > 0:
                break
            time.sleep(0.5)
    finally:
        query.stop()


# --- Python warnings ---


@case
def warning_in_udf(spark, canary):
    def warn(value):
        warnings.warn(f"odd value {value}", UserWarning, stacklevel=1)
        return value

    _rows(spark, canary).select(F.udf(warn)("v")).collect()


@case
def warning_arrow_fallback(spark, canary):
    keys = (
        "spark.sql.execution.arrow.pyspark.enabled",
        "spark.sql.execution.arrow.pyspark.fallback.enabled",
    )
    for key in keys:
        spark.conf.set(key, "true")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            pdf = pd.DataFrame({"n": [canary]})  # Arrow cannot make it a long: it quotes it
            spark.createDataFrame(pdf, "n long").collect()
    finally:
        for key in keys:
            spark.conf.unset(key)
