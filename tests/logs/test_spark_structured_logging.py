"""Spark 4's structured logging (``spark.log.structuredLogging.enabled=true``) stays sealed.

One hardened application on ``local-cluster[2,1,1024]`` (separate executor JVMs) runs a few
of the leak suite's failure cases (tests/e2e/cases.py through leak_app.py) with Spark's
JSON layout switched on and ``[logs] format = "json"`` for the driver's Python logging.
The driver's and executors' stderr must be JSON lines with zero plaintext canaries, the
context (MDC) fields Spark adds readable where they are ids and sealed where they are text,
and every sealed canary must open with the key. The control formats one log event carrying
a canary with Spark's stock layout and with sparkseal's, in a plain JVM (no Spark app).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from sparkseal.core import keys
from sparkseal.jvm import LOG4J_JSON_CONFIG, jar_path, pyspark_jars
from tests.e2e.artifacts import Run, forms, leaks, run_app, unseal

CASES = "rdd_map,driver_logged,jvm_cast_invalid_input"
CONTROL = Path(__file__).with_name("JsonLayoutControl.java")


@pytest.fixture(scope="module")
def run(tmp_path_factory, key_dir) -> Run:
    out = tmp_path_factory.mktemp("structured")
    policy = out / "sparkseal.toml"
    policy.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n\n'
        '[logs]\nformat = "json"\njob = "structured_logs"\n'
    )
    return run_app(
        out, policy, "local-cluster[2,1,1024]", CASES,
        "--conf", "spark.log.structuredLogging.enabled=true",
    )  # fmt: skip


def _json_lines(run: Run, prefix: str) -> list[dict]:
    """The JSON lines of every artifact under ``prefix``. An executor killed as the app
    ends may leave its last line cut short: only a file's last line may fail to parse."""
    records = []
    for name, data in run.artifacts.items():
        if not name.startswith(prefix):
            continue
        lines = data.decode("utf-8", "replace").splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("{"):
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                assert i == len(lines) - 1, f"{name}:{i + 1} is not JSON"
    return records


def test_zero_plaintext_canaries_in_driver_and_executor_logs(run):
    assert run.returncode == 1  # the leak app dies of its uncaught canary, sealed
    assert set(run.manifest["outcomes"]) == set(CASES.split(","))
    assert any(k.startswith("executor/") for k in run.artifacts), "no executor logs"
    assert leaks(run) == []


def test_jvm_logs_are_spark_json_lines_with_readable_ids(run):
    for surface in ("driver/stderr", "executor/"):
        records = [r for r in _json_lines(run, surface) if "ts" in r]
        assert len(records) >= 5, surface
        assert all({"ts", "level", "msg", "logger"} <= r.keys() for r in records), surface
    executor = [r for r in _json_lines(run, "executor/") if "ts" in r]
    names = [r["context"]["task_name"] for r in executor if "task_name" in r.get("context", {})]
    assert names and all(n.startswith("task ") and "[SEALED:" not in n for n in names)
    failures = [r for r in executor if "exception" in r]
    assert failures, "no executor record with an exception"
    assert all("[SEALED:" not in r["exception"]["class"] for r in failures)
    assert any(r["exception"]["msg"] and "[SEALED:" in r["exception"]["msg"] for r in failures)
    sealed_context = [
        v for r in executor for v in r.get("context", {}).values() if v.startswith("[SEALED:")
    ]
    print(f"executor: {len(executor)} JSON records, {len(sealed_context)} sealed context values")


def test_driver_python_records_are_sealed_json_with_the_run_context(run):
    records = [r for r in _json_lines(run, "driver/stderr") if "run_id" in r]
    assert records, "no JSON record of the driver's Python logging"
    app_id = run.manifest["app_id"]
    assert all(r["app_id"] == app_id and r["job"] == "structured_logs" for r in records)
    assert len({r["run_id"] for r in records}) == 1
    logged = [r for r in records if r["logger"] == "leakapp.driver"]
    assert logged and "ValueError: [SEALED:" in logged[0]["exception"]


def test_sealed_text_opens_back_to_the_canaries(run, key_dir):
    driver = unseal(run.text("driver/"), key_dir)
    executors = unseal(run.text("executor/"), key_dir)
    assert run.canaries["driver_logged"] in driver
    assert run.canaries["rdd_map"] in executors
    assert run.canaries["rdd_map"] in driver  # the task failure, logged by the driver's JVM


def test_control_spark_stock_json_layout_shows_the_canary(key_dir, opener):
    """Without sparkseal's resolvers the same JSON layout writes the canary in clear, in the
    message, the context and the exception; with them, only tokens that open to it."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java on PATH")
    canary = f"canary-{uuid4().hex}@example.com"
    public = keys.load_public(key_dir / "sparkseal.pub").to_text()
    classpath = os.pathsep.join([str(jar_path()), str(pyspark_jars() / "*")])
    proc = subprocess.run(
        [java, f"-Dio.sparkseal.publicKey={public}", "-cp", classpath, str(CONTROL), canary,
         str(LOG4J_JSON_CONFIG)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line)
    stock, sealed = json.loads(lines["stock"]), json.loads(lines["sealed"])
    for part in ("msg", "context", "exception"):
        assert canary in json.dumps(stock[part]), f"control: {part} without the canary"
    assert not any(f.decode() in lines["sealed"] for f in forms(canary))
    ctx = sealed["context"]
    assert ctx["executor_id"] == "3" and ctx["task_name"] == "task 1.0 in stage 2.0 (TID 7)"
    for key in ("error", "executor_id_free_text", "task_id", "sealed_fields"):
        assert ctx[key].startswith("[SEALED:"), key
    assert canary in stock["context"]  # the control: Spark's layout writes a key as it is
    assert sealed["exception"]["class"] == "java.lang.RuntimeException"
    opened = opener.unseal_text(lines["sealed"])[0]
    # message, three context values, the key under sealed_fields, the exception message
    assert opened.count(canary) == 6
    assert sys.executable  # (the control needs no Spark application)
