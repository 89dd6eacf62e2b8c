"""The chaos cases that need executor JVMs, in one ``local-cluster[2,1,1024]`` application
(run by test_cluster.py in its own process; prints one JSON line):

- kill_executor: the executor running a map task is SIGKILLed mid-stage;
- fail_executor with exclusion on: every task on one executor fails, Spark excludes it,
  the job finishes; the exclusion events are read back from the event log.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pyspark.sql import SparkSession

from sparkseal.chaos import parse, run_chaos
from tests.chaos import job

EXCLUSION = {
    "spark.excludeOnFailure.enabled": "true",
    "spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor": "1",
    "spark.excludeOnFailure.task.maxTaskAttemptsPerNode": "3",
    "spark.excludeOnFailure.stage.maxFailedTasksPerExecutor": "1",
    "spark.excludeOnFailure.stage.maxFailedExecutorsPerNode": "10",
    "spark.excludeOnFailure.application.maxFailedTasksPerExecutor": "1",
    "spark.excludeOnFailure.application.maxFailedExecutorsPerNode": "10",
}


def _live_executors(spark: SparkSession) -> list[str]:
    store = spark.sparkContext._jsc.sc().statusStore()
    execs = store.executorList(True)
    return sorted(str(execs.apply(i).id()) for i in range(execs.size())
                  if execs.apply(i).id() != "driver")


def main(out: str) -> None:
    events = Path(out) / "events"
    events.mkdir(parents=True)
    builder = (
        SparkSession.builder.master("local-cluster[2,1,1024]").appName("sparkseal-chaos-cluster")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.task.maxFailures", "4")
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", events.as_uri())
        .config("spark.eventLog.compress", "false")
    )
    for k, v in EXCLUSION.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    result = {"kill": run_chaos(spark, job.main, [parse("kill_executor:partition=0,delay=1")],
                                key=[job.KEY]).to_dict()}
    deadline = time.monotonic() + 90  # the killed executor's replacement registers
    while len(live := _live_executors(spark)) < 2 and time.monotonic() < deadline:
        time.sleep(1)
    result["live_before_exclusion"] = live
    bad = live[0]
    result["bad"] = bad
    result["exclude"] = run_chaos(spark, job.main, [parse(f"fail_executor:executor={bad}")],
                                  key=[job.KEY]).to_dict()
    spark.stop()
    names: dict[str, int] = {}
    excluded: list[str] = []
    # Spark 4 writes a rolling directory: events_N_* files and an empty appstatus_* marker.
    for f in (p for p in events.rglob("events_*") if p.is_file()):
        for line in filter(None, f.read_text().splitlines()):
            e = json.loads(line)
            name = e.get("Event", "").rsplit(".", 1)[-1]
            if "Exclu" in name or "Blacklist" in name:
                names[name] = names.get(name, 0) + 1
                if e.get("executorId") is not None:
                    excluded.append(str(e["executorId"]))
    result["event_log"] = {"events": names, "executors": sorted(set(excluded))}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
