"""The generated rules in a real Prometheus, over the metrics part's real exposition.

A real ``prometheus`` scrapes a ``prometheus_client`` endpoint serving
:class:`SparksealCollector` over a real run history, with the rules of
``sparkseal slo rules`` loaded. Failed and slow runs recorded in the history must turn
into the recorded error ratios and into firing page alerts: the contract between the
metrics part (names, ``status`` values, ``le`` formatting) and the rules holds.
"""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sparkseal.slo.budget import resolve
from sparkseal.slo.history import RunHistory, RunRecord
from sparkseal.slo.policy import SloPolicy
from sparkseal.slo.rules import rules, to_yaml

PROMETHEUS = shutil.which("prometheus")
pytestmark = pytest.mark.skipif(
    PROMETHEUS is None,
    reason="prometheus not found: install Debian's prometheus package (apt-get install "
    "prometheus) to run the rules in a real server",
)
JOB = "nightly"
THRESHOLD = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _wait(what: str, probe, timeout: float = 45.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = probe()
        except OSError:
            got = None
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {got}")
        time.sleep(0.5)


def _view(history: RunHistory):
    from sparkseal.metrics.collector import HistoryView

    runs = history.runs(JOB)
    return HistoryView(
        counts=history.counts(JOB),
        durations=tuple((r.status, r.duration_seconds) for r in runs),
        last_duration=runs[-1].duration_seconds if runs else None,
        last_success=max((r.ended for r in runs if r.status == "succeeded"), default=None),
    )


def _record(history: RunHistory, prefix: str, n: int, status: str, seconds: float) -> None:
    end = datetime.now(UTC)
    for i in range(n):
        history.record(
            RunRecord(f"{prefix}-{i}", "etl", JOB, end - timedelta(seconds=seconds), end, status)
        )


def test_failed_and_slow_runs_fire_the_page_alerts_in_a_real_prometheus(tmp_path: Path):
    from prometheus_client import CollectorRegistry, start_http_server

    from sparkseal.metrics.collector import RunState, SparksealCollector
    from sparkseal.metrics.labels import LabelAllowList

    slos = [
        SloPolicy(name="runs-succeed", kind="success_ratio", objective=0.99),
        SloPolicy(name="fast", kind="duration", objective=0.99, threshold_seconds=THRESHOLD),
    ]
    (tmp_path / "rules.yml").write_text(to_yaml(rules(resolve(slos, JOB))))
    history = RunHistory.open(f"sqlite:///{tmp_path / 'store.db'}")
    _record(history, "good", 20, "succeeded", 30.0)
    current = [_view(history)]  # swapped whole, so no scrape sees half a batch
    registry = CollectorRegistry(auto_describe=False)
    registry.register(
        SparksealCollector(
            RunState(job=JOB, started=datetime.now(UTC)),
            LabelAllowList(JOB),
            lambda: {},
            lambda: current[0],
            (30.0, THRESHOLD, 120.0),  # the metrics part adds every duration threshold
        )
    )
    endpoint_port, prom_port = _free_port(), _free_port()
    server, _thread = start_http_server(endpoint_port, addr="127.0.0.1", registry=registry)
    config = tmp_path / "prometheus.yml"
    config.write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(tmp_path / "rules.yml")],
                "scrape_configs": [
                    {
                        "job_name": "endpoint",
                        "honor_labels": True,
                        "static_configs": [{"targets": [f"127.0.0.1:{endpoint_port}"]}],
                    }
                ],
            }
        )
    )
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{prom_port}"

    def query(promql: str) -> list[dict[str, Any]]:
        body = _get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        return body["data"]["result"]

    try:
        loaded = _wait("the rules", lambda: _get(f"{base}/api/v1/rules")["data"]["groups"])
        assert {g["name"] for g in loaded} >= {"sparkseal-slo-runs-succeed", "sparkseal-slo-fast"}
        # a few scrapes of the good runs only: no error yet
        _wait(
            "three scrapes",
            lambda: query(f'count_over_time(sparkseal_runs_total{{job="{JOB}"}}[1m]) >= 3'),
        )
        ratio = f'sparkseal_slo:error_ratio:rate5m{{job="{JOB}",slo="runs-succeed"}}'
        # no run ended in the window: 0 / 0, no ratio (NaN) and so no alert, not "0 % bad"
        assert math.isnan(float(query(ratio)[0]["value"][1]))
        assert _get(f"{base}/api/v1/alerts")["data"]["alerts"] == []
        # 10 failed runs and 10 slow (but good) runs: every new run is bad for one SLO
        _record(history, "bad", 10, "failed", 30.0)
        _record(history, "slow", 10, "succeeded", 2 * THRESHOLD)
        current[0] = _view(history)

        def ratios() -> dict[str, float] | None:
            got = {
                r["metric"]["slo"]: float(r["value"][1])
                for r in query(f'sparkseal_slo:error_ratio:rate5m{{job="{JOB}"}} > 0')
            }
            return got if len(got) == 2 else None

        got = _wait("error ratios", ratios)
        # success: 10 failed of 20 new runs; duration: 10 slow of 20 new runs. increase()
        # extrapolates each series to the window's edges, and a series that starts at 0
        # inside the window (the failed counter) is extrapolated less, so the ratio is
        # near 0.5, not exactly 0.5, while the window still holds the series' start.
        assert set(got) == {"runs-succeed", "fast"}
        assert all(abs(v - 0.5) < 0.1 for v in got.values()), got

        def firing() -> set[tuple[str, str, str]] | None:
            alerts = _get(f"{base}/api/v1/alerts")["data"]["alerts"]
            out = {
                (a["labels"]["slo"], a["labels"]["severity"], a["labels"]["long_window"])
                for a in alerts
                if a["state"] == "firing" and a["labels"]["alertname"] == "SparkSealErrorBudgetBurn"
            }
            return out if len(out) >= 2 else None

        fired = _wait("the page alerts", firing)
        assert ("runs-succeed", "page", "1h") in fired and ("fast", "page", "1h") in fired
        budget = query(f'sparkseal_slo:error_budget_remaining:ratio{{job="{JOB}"}}')
        assert {r["metric"]["slo"] for r in budget} == {"runs-succeed", "fast"}
        assert all(float(r["value"][1]) < 0 for r in budget)  # 50 % bad vs a 1 % budget
        # the dashboard's queries over what this exposition has return series
        checked = _dashboard_queries_have_data(query)
        assert checked >= 7, checked
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        server.shutdown()
        history.close()


def _dashboard_queries_have_data(query) -> int:
    """Run every dashboard query whose metrics Prometheus has; each must return a series.
    Returns how many were run."""
    import re

    from sparkseal.dashboards.grafana import dashboard

    names_query = 'count by (__name__) ({__name__=~"sparkseal.*"})'
    have = {r["metric"]["__name__"] for r in query(names_query)}
    assert "sparkseal_runs_total" in have and "sparkseal_slo:error_ratio:rate1h" in have, have
    checked = 0
    for panel in dashboard()["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            names = {
                re.sub(r"_(bucket|count|sum)$", "", n) if n.startswith("sparkseal_run_dur") else n
                for n in re.findall(r"\b(sparkseal[a-z0-9_:]*)", expr)
            }
            if not names <= have | {"sparkseal_run_duration_seconds"}:
                continue
            expr = expr.replace("$job", JOB).replace("$__rate_interval", "1m")
            assert query(expr), (panel["title"], expr)
            checked += 1
    return checked
