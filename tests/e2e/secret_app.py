"""A small PySpark application for the secret-placement tests.

Logs py4j at DEBUG (every command and answer crossing the gateway) to
``OUT/py4j.log``, runs a shuffle on the executors, saves Spark's environment page
(REST and HTML) under ``OUT/ui/`` and writes ``OUT/manifest.json`` with the
application id and its RPC authentication secret.

With ``SECRET_APP_PLANT`` in the environment it is the control: plain PySpark,
no sparkseal, with that value as ``spark.authenticate.secret`` on the builder (what
``harden()`` used to do on local-cluster), as an unredacted conf value and in the
executors' Java options, so the tests can show their scans find it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import urllib.request
from pathlib import Path

from pyspark.sql import SparkSession

PLANT = "SECRET_APP_PLANT"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--master", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--policy")
    args = p.parse_args()
    out: Path = args.out
    (out / "events").mkdir(parents=True, exist_ok=True)
    (out / "ui").mkdir(parents=True, exist_ok=True)
    py4j_log = logging.FileHandler(out / "py4j.log")
    py4j_log.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logging.getLogger("py4j").addHandler(py4j_log)
    logging.getLogger("py4j").setLevel(logging.DEBUG)

    builder = (
        SparkSession.builder.master(args.master)
        .appName("sparkseal-secret-app")
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", str(out / "events"))
        .config("spark.local.dir", str(out / "local"))
        .config("spark.ui.port", "0")
        .config("spark.ui.showConsoleProgress", "false")
    )
    planted = os.environ.get(PLANT)
    if planted:
        builder = (
            builder.config("spark.authenticate", "true")
            .config("spark.authenticate.secret", planted)
            .config("spark.sparkseal.test.planted", planted)
            .config("spark.executor.extraJavaOptions", f"-Dplanted.secret={planted}")
        )
    else:
        import sparkseal

        builder = sparkseal.harden(builder, args.policy)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    pairs = sc.parallelize(range(20_000), 4).map(lambda i: (i % 7, 1))
    total = pairs.reduceByKey(lambda a, b: a + b).count()  # a shuffle between executors
    base, app = sc.uiWebUrl, sc.applicationId
    (out / "ui" / "environment.json").write_bytes(
        fetch(f"{base}/api/v1/applications/{app}/environment")
    )
    (out / "ui" / "environment.html").write_bytes(fetch(f"{base}/environment/"))
    if planted:
        secret = planted
    else:
        from sparkseal.verify.capture import auth_secret

        secret = auth_secret(spark)
    manifest = {"app_id": app, "auth_secret": secret, "groups": total}
    spark.stop()
    (out / "manifest.json").write_text(json.dumps(manifest))


if __name__ == "__main__":
    main()
