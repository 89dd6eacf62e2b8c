"""A real PySpark application that fails in every way ``cases.py`` knows.

Run as its own process by the end-to-end tests so that its stdout, its stderr
and its JVM's stderr are real files, as they are on a cluster. It writes:

* ``manifest.json``: case name -> canary, and the application id;
* ``ui/*``: what the live UI's REST API and pages served before the app stopped;
* the event log under ``events/`` and Spark's local dirs under ``local/``.

After stopping Spark it dies of an uncaught exception in a thread and one in
the main thread, both carrying canaries, to exercise the driver's hooks.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import cases
import construction_cases
from pyspark import cloudpickle
from pyspark.sql import SparkSession

import sparkseal
from sparkseal.verify.capture import LocalDirCapture, auth_secret


def canary(name: str) -> str:
    return f"canary-{name.replace('_', '-')}-{uuid.uuid4().hex[:12]}@example.com"


def fetch(url: str, ok: tuple[int, ...] = (200,)) -> bytes:
    """A page of our own UI on loopback; a status in ``ok`` other than 200 returns the body too."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.read()
    except urllib.error.HTTPError as err:
        if err.code in ok:
            return err.read()
        raise RuntimeError(f"the UI answered {err.code} to {url}") from None


def dump_ui(spark: SparkSession, out: Path) -> None:
    dump_ui_at(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId, out)


def dump_ui_at(base: str, app: str, out: Path) -> None:
    """Every REST and HTML page of the UI at ``base`` about application ``app``."""
    api = f"{base}/api/v1/applications/{app}"
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "jobs.json": f"{api}/jobs",
        "stages.json": f"{api}/stages?details=true",
        "sql.json": f"{api}/sql?details=true&planDescription=true",
        "executors.json": f"{api}/allexecutors",
        "environment.json": f"{api}/environment",
        "jobs.html": f"{base}/jobs/",
        "stages.html": f"{base}/stages/",
        "sql.html": f"{base}/SQL/",
        "streaming.html": f"{base}/StreamingQuery/",
        "storage.json": f"{api}/storage/rdd",
    }
    for name, url in pages.items():
        (out / name).write_bytes(fetch(url))
    (out / "storage.html").write_bytes(fetch(f"{base}/storage/", ok=(200, 403)))
    for execution in json.loads((out / "sql.json").read_text()):
        eid = execution["id"]
        (out / f"sql-{eid}.json").write_bytes(fetch(f"{api}/sql/{eid}?details=true"))
        (out / f"sql-{eid}.html").write_bytes(
            fetch(f"{base}/SQL/execution/?id={eid}", ok=(200, 403))
        )
    for job in json.loads((out / "jobs.json").read_text()):
        jid = job["jobId"]
        (out / f"job-{jid}.html").write_bytes(fetch(f"{base}/jobs/job/?id={jid}"))
    for stage in json.loads((out / "stages.json").read_text()):
        sid, attempt = stage["stageId"], stage["attemptId"]
        (out / f"stage-{sid}-{attempt}.html").write_bytes(
            fetch(f"{base}/stages/stage/?id={sid}&attempt={attempt}")
        )
    for stage in json.loads((out / "stages.json").read_text()):
        if stage.get("status") == "FAILED":
            sid, attempt = stage["stageId"], stage["attemptId"]
            url = f"{api}/stages/{sid}/{attempt}/taskList?length=1000"
            (out / f"tasks-{sid}-{attempt}.json").write_bytes(fetch(url))


def spellings(path: str) -> list[str]:
    """``path`` written the ways a server may route to the same page."""
    first, _, rest = path.lstrip("/").partition("/")
    enc = "".join(f"%{ord(c):02X}" for c in first[:2]) + first[2:]
    return [
        path,
        path.lower(),
        path.upper(),
        f"/{enc}/{rest}",  # percent-encoded
        f"/{enc.replace('%', '%25')}/{rest}",  # encoded twice
        f"/{first};x=1/{rest}",  # a path parameter
        f"/./{first}/./{rest}",  # dot segments
        f"//{first}//{rest}",  # doubled slashes
        f"/{first}/nothing/../{rest}",  # a dot-dot segment
    ]


def fuzz_ui(spark: SparkSession, out: Path) -> dict[str, int]:
    """Every spelling of the gated and sealed routes; each answer is kept for the scan."""
    base = spark.sparkContext.uiWebUrl
    app = spark.sparkContext.applicationId
    executions = json.loads((out / "sql.json").read_text())
    eid = executions[-1]["id"] if executions else 0
    routes = [
        f"/SQL/execution/?id={eid}",
        "/SQL/",
        "/storage/",
        "/storage/rdd/?id=0",
        "/jobs/job/?id=0",
        "/StreamingQuery/",
        f"/api/v1/applications/{app}/sql?details=true&planDescription=true",
        f"/api/v1/applications/{app}/sql/{eid}",
        f"/api/v1/applications/{app}/storage/rdd",
        f"/api/v1/applications/{app}/jobs",
        f"/api/v1/applications/{app}/streaming/statistics",
    ]
    statuses: dict[str, int] = {}
    for route in routes:
        for i, spelled in enumerate(spellings(route)):
            try:
                with urllib.request.urlopen(base + spelled, timeout=30) as resp:
                    status, body = resp.status, resp.read()
            except urllib.error.HTTPError as err:
                status, body = err.code, err.read()
            except (urllib.error.URLError, ValueError):
                status, body = -1, b""
            statuses[spelled] = status
            (out / f"fuzz-{abs(hash(route))}-{i}.body").write_bytes(body)
    return statuses


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--master", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--policy", required=True)
    p.add_argument("--cases", default="all")
    p.add_argument("--conf", action="append", default=[])
    p.add_argument("--no-seal", action="store_true", help="baseline: plain PySpark")
    p.add_argument("--capture", action="store_true", help="copy local-dir files while jobs run")
    p.add_argument("--fuzz-ui", action="store_true", help="also ask for spellings of routes")
    args = p.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    out: Path = args.out
    (out / "events").mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master(args.master)
        .appName("sparkseal-leak-app")
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", str(out / "events"))
        .config("spark.local.dir", str(out / "local"))
        .config("spark.ui.enabled", "true")
        .config("spark.ui.port", "0")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.task.maxFailures", "2")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true")
    )
    for kv in args.conf:
        key, _, value = kv.partition("=")
        builder = builder.config(key, value)
    if not args.no_seal:
        builder = sparkseal.harden(builder, args.policy)
    os.environ["SPARKSEAL_POLICY"] = args.policy  # for the protect cases
    spark = builder.getOrCreate()

    for module in (cases, construction_cases):
        cloudpickle.register_pickle_by_value(module)  # workers cannot import tests/e2e
    every = {
        **cases.CASES,
        **cases.JVM_CASES,
        **cases.AT_REST_CASES,
        **cases.PROTECT_CASES,
        **construction_cases.CASES,
    }
    failing = [*cases.CASES, *cases.JVM_CASES]  # "all": every case that makes Spark fail
    groups = {"all": failing, "construction": list(construction_cases.CASES)}
    names = groups.get(args.cases) or args.cases.split(",")
    manifest = {"app_id": spark.sparkContext.applicationId, "cases": {}, "outcomes": {}}
    # Recorded so that the tests can prove it never appears in any artifact.
    manifest["auth_secret"] = auth_secret(spark)
    capture = (
        LocalDirCapture(out / "local", out / "captured", limit=1 << 30) if args.capture else None
    )
    log = logging.getLogger("leakapp")
    for name in names:
        value = canary(name)
        manifest["cases"][name] = value
        if name == "jvm_decimal_overflow":
            manifest["cases"][name + "_number"] = cases.decimal_canary(value)
        try:
            every[name](spark, value)
            manifest["outcomes"][name] = "no error"
        except Exception as exc:  # every case is meant to fail
            manifest["outcomes"][name] = type(exc).__name__
            log.exception("case %s failed", name)
    dump_ui(spark, out / "ui")
    if args.fuzz_ui:
        manifest["fuzz"] = fuzz_ui(spark, out / "ui")
    spark.stop()
    if capture is not None:
        capture.stop()

    for name in ("driver_thread", "driver_uncaught"):
        manifest["cases"][name] = canary(name)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    t = threading.Thread(target=cases.fail_with, args=(manifest["cases"]["driver_thread"],))
    t.start()
    t.join()
    cases.fail_with(manifest["cases"]["driver_uncaught"])


if __name__ == "__main__":
    main()
