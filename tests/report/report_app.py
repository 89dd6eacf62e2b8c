"""One small PySpark application whose event log the report tests read.

Run as its own process (``python report_app.py OUT POLICY STORE``): hardened with
sparkseal, event log on. It runs a skewed sort whose shuffle spills, a checked
write recorded in the quality history at ``STORE``, and a job whose task fails every
attempt, with canaries in the failing task's exception and in a job description.
Writes ``OUT/manifest.json`` (application id, canaries).
"""

from __future__ import annotations

import contextlib
import json
import sys
import uuid
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import sparkseal
from sparkseal.quality import write_checked

sys.path.insert(0, str(Path(__file__).parent))

from stock_log import INJECTION


def main() -> None:
    out, policy, store = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    canaries = {
        "task": f"canary-task-{uuid.uuid4().hex}@example.com",
        "description": f"canary-desc-{uuid.uuid4().hex}@example.com",
        "data": f"canary-data-{uuid.uuid4().hex}@example.com",
    }
    (out / "events").mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master("local[2,2]")  # a failed task is retried once
        .appName("sparkseal-report-app")
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", str(out / "events"))
        .config("spark.local.dir", str(out / "local"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.enabled", "false")  # keep the skewed partition whole
        .config("spark.shuffle.spill.numElementsForceSpillThreshold", "5000")
    )
    spark = sparkseal.harden(builder, policy).getOrCreate()
    sc = spark.sparkContext

    # One key holds three quarters of the rows: one reduce task does most of the work, and
    # its sort spills (the force-spill threshold is far below its row count).
    sc.setJobDescription("skewed sort")
    skewed = (
        spark.range(0, 120_000)
        .withColumn("k", F.when(F.col("id") < 90_000, F.lit(0)).otherwise(F.col("id") % 16))
        .withColumn("owner", F.lit(canaries["data"]))  # data: in the plan, sealed in the log
    )
    skewed.repartition(4, "k").sortWithinPartitions("id").write.format("noop").mode(
        "overwrite"
    ).save()

    sc.setJobDescription("checked write")
    write_checked(
        spark.range(0, 1000).withColumn("v", F.col("id") % 7),
        [{"kind": "completeness", "name": "v_complete", "column": "v"}],
        output=str(out / "checked"),
        history=store,
        dataset="report_test",
        policy=False,
    )

    sc.setJobDescription(f"nightly load for {canaries['description']} {INJECTION}")
    bad = canaries["task"]

    def explode(i: int) -> int:
        if i == 7:
            raise ValueError(f"bad record {bad}")
        return i

    with contextlib.suppress(Exception):  # the job fails: that is the point
        sc.parallelize(range(16), 4).map(explode).count()
    sc.setJobDescription(None)
    manifest = {"app_id": sc.applicationId, "canaries": canaries}
    spark.stop()
    (out / "manifest.json").write_text(json.dumps(manifest))


if __name__ == "__main__":
    main()
