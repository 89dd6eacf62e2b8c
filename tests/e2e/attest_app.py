"""A hardened local-cluster application whose executors are misconfigured on purpose.

``python attest_app.py --scenario NAME --out DIR --policy P`` starts executors that
cannot seal in one way (NAME), then runs a job that fails on a canary value with
Spark's CAST_INVALID_INPUT. It writes ``manifest.json`` (app id, canary, outcome)
so the test can scan every artifact. Scenarios:

* ``other-log4j``: executors start with Spark's default log4j2 file instead of
  sparkseal's (a user's own ``-Dlog4j.configurationFile``);
* ``other-log4j-unattested``: the same, with attestation removed from
  ``spark.plugins``: the control, where the canary must leak;
* ``no-jar``: a worker image with sparkseal installed elsewhere (the jar and agent
  paths in the executor settings do not exist there);
* ``no-add-opens``: executors started without ``--add-opens java.base/java.lang``
  (a ``java`` wrapper in ``spark.executorEnv.JAVA_HOME`` strips it).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import threading
import uuid
import zipfile
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import sparkseal
import sparkseal.api
from sparkseal.conf import ATTESTATION_PLUGIN
from sparkseal.jvm import LOG4J_CONFIG, jar_path, pyspark_jars

JOB_TIMEOUT = 150


def _spark_default_log4j(out: Path) -> Path:
    jar = next(pyspark_jars().glob("spark-common-utils-java_*.jar"))
    path = out / "log4j2-spark-default.properties"
    with zipfile.ZipFile(jar) as zf:
        path.write_bytes(zf.read("org/apache/spark/log4j2-defaults.properties"))
    return path


def _java_without_add_opens(out: Path) -> Path:
    """A JAVA_HOME whose java drops the option that opens java.lang, then runs the real one."""
    real = Path(os.path.realpath("/usr/bin/java"))
    home = out / "java-home"
    (home / "bin").mkdir(parents=True)
    script = home / "bin" / "java"
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do shift; case "$a" in '
        '--add-opens=java.base/java.lang=ALL-UNNAMED) ;; *) set -- "$@" "$a";; esac; done\n'
        f'exec {real} "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return home


def configure(builder, scenario: str, out: Path):
    options = builder._options
    opts = options["spark.executor.extraJavaOptions"]
    if scenario.startswith("other-log4j"):
        theirs = _spark_default_log4j(out)
        opts = opts.replace(f"-Dlog4j.configurationFile={LOG4J_CONFIG}", "")
        builder = builder.config(
            "spark.executor.extraJavaOptions", f"{opts} -Dlog4j.configurationFile={theirs}"
        )
        if scenario.endswith("unattested"):
            plugins = options["spark.plugins"].replace(ATTESTATION_PLUGIN, "").strip(",")
            builder = builder.config("spark.plugins", plugins)
            # The control must get past harden()'s own check that attestation is on.
            sparkseal.api.ATTESTATION_PLUGIN = plugins
    elif scenario == "no-jar":
        elsewhere = "/opt/elsewhere/sparkseal-jvm.jar"
        builder = builder.config(
            "spark.executor.extraJavaOptions", opts.replace(str(jar_path()), elsewhere)
        )
        classpath = options["spark.executor.extraClassPath"]
        builder = builder.config(
            "spark.executor.extraClassPath", classpath.replace(str(jar_path()), elsewhere)
        )
    elif scenario == "no-add-opens":
        home = _java_without_add_opens(out)
        builder = builder.config("spark.executorEnv.JAVA_HOME", str(home))
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    return builder


def _record_failed_start(out: Path, canary: str, exc: Exception) -> None:
    from pyspark import SparkContext

    sc = SparkContext._active_spark_context
    gateway = SparkContext._gateway
    work = Path(pyspark_jars()).parent / "work"
    newest = max(work.iterdir(), key=lambda p: p.stat().st_mtime) if work.is_dir() else None
    manifest = {
        "app_id": sc.applicationId if sc is not None else (newest.name if newest else ""),
        "canary": canary,
        "outcome": f"start failed: {type(exc).__name__}",
        "refusals": str(gateway.jvm.io.sparkseal.attest.SealingPlugin.refusals())
        if gateway is not None
        else "",
    }
    (out / "manifest.json").write_text(json.dumps(manifest))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--policy", required=True)
    args = p.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master("local-cluster[2,1,1024]")
        .appName(f"sparkseal-attest-{args.scenario}")
        .config("spark.ui.enabled", "false")
        .config("spark.task.maxFailures", "1")
        .config("spark.sql.ansi.enabled", "true")
    )
    builder = configure(sparkseal.harden(builder, args.policy), args.scenario, out)
    canary = f"attest-{args.scenario}-{uuid.uuid4().hex[:10]}@example.com"
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        # Under load the executors can refuse, and the driver stop the application, before
        # getOrCreate's own checks are done: the session then fails to start, and what the
        # test scans is recorded all the same.
        _record_failed_start(out, canary, exc)
        return
    sc = spark.sparkContext
    manifest = {"app_id": sc.applicationId, "canary": canary, "outcome": "timeout"}
    (out / "manifest.json").write_text(json.dumps(manifest))

    def job() -> None:
        try:
            df = spark.createDataFrame([(canary,)], "email string").repartition(2)
            df.select(F.col("email").cast("int")).collect()
            manifest["outcome"] = "no error"
        except Exception as exc:
            manifest["outcome"] = type(exc).__name__

    worker = threading.Thread(target=job, daemon=True)
    worker.start()
    worker.join(JOB_TIMEOUT)
    manifest["refusals"] = str(sc._jvm.io.sparkseal.attest.SealingPlugin.refusals())
    (out / "manifest.json").write_text(json.dumps(manifest))
    spark.stop()


if __name__ == "__main__":
    main()
