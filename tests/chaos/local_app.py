"""The chaos cases that need task retries but no executor JVMs, in one ``local[2,3]``
application (run by test_local.py in its own process; prints one JSON line):

- differential: the pass-through injection point with no fault changes no row;
- fail_first_attempt and slow_tasks (speculation on: on one host Spark starts no copy, so
  this proves the slowed run's output, not a copy's; tests/quality/test_speculation.py
  has two hosts);
- controls: a fault that never fires is reported as not happened, a changed job differs;
- restart_stream: a query dies inside batch 1 after its sink wrote, and restarts from
  its checkpoint (idempotent sink: exactly once; plain append: duplicates, detected);
- failing_sink: a partition_writer posting to a real local HTTP service meets an outage;
  with ``wait_open`` its breakers open, wait, half-open and close, and the service holds
  each row once; without it the tasks fail fast and the run fails (the control).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import uuid
from pathlib import Path

from pyspark.sql import SparkSession

from sparkseal.chaos import active, fingerprint, new_salt, parse, run_chaos
from sparkseal.chaos.stream import restart_from_checkpoint
from sparkseal.sinks import Breaker, partition_writer
from tests.chaos import job
from tests.sinks.service import FlakyService, Poster

SINK_ROWS, SINK_BATCH = 2000, 100


def _rows(df) -> list[str]:
    return sorted(json.dumps(r.asDict(recursive=True), sort_keys=True, default=str)
                  for r in df.collect())


def streaming(spark: SparkSession, base: Path) -> dict:
    source = base / "in"
    source.mkdir()
    for n in range(3):
        rows = [{"id": n * 100 + i, "v": f"r{n}-{i}"} for i in range(50)]
        (source / f"part{n}.json").write_text("".join(json.dumps(r) + "\n" for r in rows))

    def idempotent(df, batch_id: int) -> None:  # one directory per batch, replaced on replay
        df.write.mode("overwrite").parquet(str(base / "idem" / f"batch={batch_id}"))

    def append(df, batch_id: int) -> None:  # a plain append: a replay writes twice
        df.write.mode("append").parquet(str(base / "append"))

    def start(fn, ckpt: str):
        return (spark.readStream.schema("id int, v string").option("maxFilesPerTrigger", 1)
                .json(str(source)).writeStream.foreachBatch(fn)
                .option("checkpointLocation", ckpt).trigger(availableNow=True).start())

    out = {}
    salt = new_salt()  # the outputs below are compared with each other
    for name, fn, path in (("idempotent", idempotent, "idem"), ("append", append, "append")):
        outcome = restart_from_checkpoint(
            lambda f, name=name: start(f, str(base / f"ckpt-{name}")), fn, batch=1
        )
        df = spark.read.parquet(str(base / path)).select("id", "v")
        fp = fingerprint(df, ["id"], salt=salt)
        out[name] = {"crashed": outcome.crashed, "restarted": outcome.restarted,
                     "rows": fp.rows, "checksum": fp.checksum, "dupes": fp.duplicate_keys}
    clean = spark.read.json(str(source), schema="id int, v string")
    fp = fingerprint(clean, ["id"], salt=salt)
    out["clean"] = {"rows": fp.rows, "checksum": fp.checksum, "dupes": fp.duplicate_keys}
    return out


def sink_chaos(spark: SparkSession) -> dict:
    """failing_sink against the real HTTP service: ride the outage out, or fail fast."""
    service = FlakyService()

    def job_with(wait_open: float):
        name = f"svc-{uuid.uuid4().hex}"

        def main(s):  # the job's output is what the service received, every delivery
            service.clear()
            writer = partition_writer(
                Poster(service.url), batch_size=SINK_BATCH, retry_on=(urllib.error.URLError,),
                attempts=5, wait_initial=0.01, wait_max=0.02, wait_open=wait_open,
                breaker=Breaker(name, fail_max=2, reset_timeout=0.5),
            )
            s.range(SINK_ROWS, numPartitions=4).selectExpr(
                "id", "concat('r', id, '-ü') as v").foreachPartition(writer)
            return s.createDataFrame([tuple(r) for r in service.rows], "id long, v string")

        return main

    out = {}
    try:
        for name, wait_open in (("ride_out", 5.0), ("fail_fast", 0.0)):
            report = run_chaos(spark, job_with(wait_open), [parse("failing_sink:calls=2")],
                               key=["id"]).to_dict()
            out[name] = {"report": report, "requests": service.requests,
                         "delivered": len(service.rows)}
    finally:
        service.stop()
    return out


def main(out: str) -> None:
    spark = (
        SparkSession.builder.master("local[2,3]").appName("sparkseal-chaos-local")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.speculation", "true")
        .config("spark.speculation.interval", "100ms")
        .config("spark.speculation.minTaskRuntime", "500ms")
        .getOrCreate()
    )
    clean_rows = _rows(job.main(spark))
    with active([]):
        wrapped_rows = _rows(job.main(spark))
    result = {
        "differential": {"equal": clean_rows == wrapped_rows, "rows": len(clean_rows),
                         "report": run_chaos(spark, job.main, [], key=[job.KEY]).to_dict()},
    }
    for spec in ("fail_first_attempt:share=0.5", "slow_tasks:share=0.34,seconds=2",
                 "fail_first_attempt:share=0.000001"):
        result[spec] = run_chaos(spark, job.main, [parse(spec)], key=[job.KEY]).to_dict()

    def lossy(s):  # the control: a job that loses rows only in the faulted run
        from sparkseal.chaos.inject import _STATE

        df = job.main(s)
        return df.where("k <> 5") if _STATE.on else df

    result["lossy"] = run_chaos(spark, lossy, [parse("fail_first_attempt:share=0.5")],
                                key=[job.KEY]).to_dict()
    result["stream"] = streaming(spark, Path(out))
    result["sink"] = sink_chaos(spark)
    print(json.dumps(result))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
