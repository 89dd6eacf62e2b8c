"""Metrics of a real hardened job on ``local-cluster``, through a real Pushgateway and a
real Prometheus.

``metrics_app.py`` runs the same job twice in one process (two applications), with
canaries in the data, a column name, the job group and description, a failing task's
exception and a quality check's name; run 1 ends with ``spark.stop()``, run 2 with an
uncaught exception. The test scrapes the endpoint while each run serves, and reads the
Pushgateway after each push. Then: no canary (nor the application id) in any exposition or
in Prometheus' series; the expected values are queryable with PromQL; run 2's push replaced
run 1's (the same series set, the run counters moved on). A control pushes the canary in a
label without the allow-list and shows that the same scan finds it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter, push_to_gateway
from prometheus_client.parser import text_string_to_metric_families

from tests.metrics.servers import PROMETHEUS, PUSHGATEWAY, Servers, free_port, get, running

pytestmark = pytest.mark.skipif(
    not (PROMETHEUS and PUSHGATEWAY),
    reason="prometheus and prometheus-pushgateway binaries are not installed "
    "(apt-get install prometheus prometheus-pushgateway; .ci/run does)",
)

APP = Path(__file__).with_name("metrics_app.py")
JOB = "metrics_e2e"


def _wait_file(path: Path, proc: subprocess.Popen, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None and not path.exists():
            raise AssertionError(f"the app exited ({proc.returncode}) before {path.name}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {path.name} in {timeout} s")
        time.sleep(0.1)
    time.sleep(0.05)
    return json.loads(path.read_text())


def _wait_until(servers: Servers, promql: str, ok: Any, timeout: float = 30) -> float:
    deadline = time.monotonic() + timeout
    while True:
        result = servers.query(promql)
        if result and ok(float(result[0]["value"][1])):
            return float(result[0]["value"][1])
        if time.monotonic() > deadline:
            raise AssertionError(f"{promql}: {result} after {timeout} s")
        time.sleep(0.3)


def series(text: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """The sparkseal series of an exposition: name and labels (not the instance), no values."""
    return {
        (s.name, tuple(sorted((k, v) for k, v in s.labels.items() if k != "instance")))
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name.startswith("sparkseal_")
    }


def value(text: str, name: str, **labels: str) -> float:
    for f in text_string_to_metric_families(text):
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    raise AssertionError(f"no {name}{labels}")


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("metrics-e2e")
    tag = uuid.uuid4().hex[:16]
    canaries = [
        f"canary{tag}@example.com",
        f"4111 1111 1111 1111 cc{tag}",
        f"SELECT ssn FROM customers WHERE note = 'sq{tag}'",
    ]
    endpoint_port = free_port()
    out: dict[str, Any] = {"tag": tag, "port": endpoint_port}
    with running(tmp, endpoint_port) as servers:
        policy = tmp / "policy.toml"
        policy.write_text(
            f"""
[seal]
public_key = "{key_dir / "sparkseal.pub"}"

[audit]
store = "sqlite:///{tmp / "store.db"}"

[quality]
checks = [{{ name = "email_not_null", kind = "completeness", column = "email" }}]

[metrics]
job = "{JOB}"
port = {endpoint_port}
pushgateway = "{servers.pushgateway}"
"""
        )
        work = tmp / "work"
        work.mkdir()
        env = {**os.environ, "METRICS_CANARIES": json.dumps(canaries), "PYTHONPATH": os.getcwd()}
        started = time.monotonic()
        timeline: list[tuple[str, float]] = []
        out["timeline"] = timeline
        with (tmp / "app.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(APP), str(work), str(policy), "local-cluster[2,1,1024]"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
            try:
                endpoint_url = f"http://127.0.0.1:{endpoint_port}/metrics"
                for run in (1, 2):
                    served = _wait_file(work / f"serving-{run}.json", proc)
                    timeline.append((f"serving-{run}", time.monotonic() - started))
                    out[f"app_id_{run}"] = served["app_id"]
                    out[f"endpoint_{run}"] = get(endpoint_url).decode()
                    out[f"endpoint_tasks_failed_{run}"] = _wait_until(
                        servers,
                        f'sparkseal_spark_tasks_total{{job="{JOB}",status="failed",'
                        f'instance="127.0.0.1:{endpoint_port}"}}',
                        lambda v: v >= 1,
                    )
                    timeline.append((f"scraped-{run}", time.monotonic() - started))
                    (work / f"go-serving-{run}").touch()
                    if run == 1:
                        _wait_file(work / "ended-1.json", proc)
                        out["pushed_1"] = get(f"{servers.pushgateway}/metrics").decode()
                        out["prom_succeeded_1"] = _wait_until(
                            servers,
                            f'sparkseal_runs_total{{job="{JOB}",status="succeeded",'
                            f'instance!="127.0.0.1:{endpoint_port}"}}',
                            lambda v: v >= 1,
                        )
                        timeline.append(("pushed-1", time.monotonic() - started))
                        (work / "go-ended-1").touch()
                out["returncode"] = proc.wait(120)
            finally:
                if proc.poll() is None:
                    proc.kill()
        timeline.append(("exited", time.monotonic() - started))
        print("metrics e2e timeline (s):", timeline)
        out["pushed_2"] = get(f"{servers.pushgateway}/metrics").decode()
        out["prom_failed_2"] = _wait_until(
            servers,
            f'sparkseal_runs_total{{job="{JOB}",status="failed",'
            f'instance!="127.0.0.1:{endpoint_port}"}}',
            lambda v: v >= 1,
        )
        out["prom_records_read"] = servers.query(
            f'sparkseal_records_processed_total{{job="{JOB}",direction="read"}}'
        )
        out["prom_series"] = get(
            f"{servers.prometheus}/api/v1/series?match[]=%7B__name__%3D~%22sparkseal_.%2B%22%7D"
        ).decode()
        # Control: the canary in a label without the allow-list, pushed to the same server.
        naive = CollectorRegistry()
        counter = Counter("naive_failures", "failures", ["error"], registry=naive)
        counter.labels(error=f"ValueError: bad customer {canaries[0]}").inc()
        push_to_gateway(servers.pushgateway, job="naive", registry=naive)
        out["control"] = get(f"{servers.pushgateway}/metrics").decode()
    out["log"] = (tmp / "app.log").read_text(errors="replace")
    return out


ARTIFACTS = ("endpoint_1", "endpoint_2", "pushed_1", "pushed_2", "prom_series")


@pytest.mark.parametrize("artifact", ARTIFACTS)
def test_no_canary_and_no_application_id(e2e: dict[str, Any], artifact: str) -> None:
    text = e2e[artifact]
    assert "sparkseal_" in text
    assert e2e["tag"] not in text
    assert e2e["app_id_1"] not in text and e2e["app_id_2"] not in text


def test_control_the_scan_finds_a_canary_in_a_naive_label(e2e: dict[str, Any]) -> None:
    assert e2e["tag"] in e2e["control"]


def test_the_app_ran_both_runs_and_its_failure_was_its_own(e2e: dict[str, Any]) -> None:
    assert e2e["returncode"] == 1, e2e["log"][-3000:]
    assert "RuntimeError" in e2e["log"]
    assert "SS90" not in e2e["log"], e2e["log"][-3000:]  # no push, endpoint or listener trouble


def test_values_in_prometheus(e2e: dict[str, Any]) -> None:
    assert e2e["endpoint_tasks_failed_1"] >= 1  # the failing task, scraped from the endpoint
    assert e2e["prom_succeeded_1"] == 1  # run 1, pushed
    assert e2e["prom_failed_2"] == 1  # run 2 failed, pushed at exit
    assert e2e["prom_records_read"], "records read are queryable"


def test_exposition_values(e2e: dict[str, Any]) -> None:
    pushed = e2e["pushed_2"]
    assert value(pushed, "sparkseal_runs_total", job=JOB, status="succeeded") == 1
    assert value(pushed, "sparkseal_runs_total", job=JOB, status="failed") == 1
    assert value(pushed, "sparkseal_spark_tasks_total", job=JOB, status="failed") >= 1
    assert value(pushed, "sparkseal_spark_jobs_total", job=JOB, status="failed") >= 1
    assert value(pushed, "sparkseal_spark_executors_added_total", job=JOB) == 2
    assert value(pushed, "sparkseal_records_processed_total", job=JOB, direction="read") == 1000
    assert value(pushed, "sparkseal_records_failed_total", job=JOB) >= 1
    assert value(pushed, "sparkseal_data_freshness_seconds", job=JOB) >= 42
    assert value(pushed, "sparkseal_quality_checks_total", check="email_not_null") == 1
    assert value(pushed, "sparkseal_quality_checks_total", check="redacted") == 1
    assert value(pushed, "sparkseal_spark_input_records_total", job=JOB) >= 1000
    assert value(pushed, "sparkseal_run_duration_seconds_count", job=JOB, status="failed") == 1
    assert value(pushed, "sparkseal_streaming_batch_duration_seconds_count", job=JOB) >= 2
    assert value(pushed, "sparkseal_streaming_watermark_delay_seconds", job=JOB) >= 0
    assert value(pushed, "sparkseal_streaming_processed_rows_per_second", job=JOB) >= 0


def test_the_second_push_replaced_the_first(e2e: dict[str, Any]) -> None:
    first, second = series(e2e["pushed_1"]), series(e2e["pushed_2"])
    assert first == second
    assert value(e2e["pushed_1"], "sparkseal_runs_total", job=JOB, status="failed") == 0
    assert value(e2e["pushed_2"], "sparkseal_runs_total", job=JOB, status="failed") == 1
