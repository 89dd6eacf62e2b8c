"""The generated Grafana dashboard: every query parses (promtool), names only the fixed
metrics (the contract in docs/observability.md) and the SLO rules' series, covers every
metric, lays its panels out without overlap, and survives Grafana's own dashboard model
(the grafana-foundation-sdk's, generated from the schema Grafana publishes)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sparkseal.dashboards.grafana import dashboard, to_json

# the fixed contract, restated here so that a renamed metric in the code fails the test
COUNTERS = [
    "runs_total",
    "records_processed_total",
    "records_failed_total",
    "spark_jobs_total",
    "spark_stages_total",
    "spark_tasks_total",
    "spark_speculative_tasks_total",
    "spark_input_records_total",
    "spark_input_bytes_total",
    "spark_output_records_total",
    "spark_output_bytes_total",
    "spark_shuffle_read_bytes_total",
    "spark_shuffle_write_bytes_total",
    "spark_spill_memory_bytes_total",
    "spark_spill_disk_bytes_total",
    "spark_gc_seconds_total",
    "spark_executors_added_total",
    "spark_executors_removed_total",
    "spark_executors_excluded_total",
    "quality_checks_total",
]
GAUGES = [
    "run_last_duration_seconds",
    "run_last_success_timestamp_seconds",
    "data_freshness_seconds",
    "streaming_input_rows_per_second",
    "streaming_processed_rows_per_second",
    "streaming_state_rows",
    "streaming_watermark_delay_seconds",
]
HISTOGRAMS = [
    "run_duration_seconds",
    "spark_job_duration_seconds",
    "spark_task_duration_seconds",
    "streaming_batch_duration_seconds",
]
FIXED = {f"sparkseal_{n}" for n in COUNTERS + GAUGES + HISTOGRAMS}
RECORDED = {"sparkseal_slo:error_budget_remaining:ratio", "sparkseal_slo:error_ratio:rate1h",
            "sparkseal_slo:error_ratio:rate6h"}  # fmt: skip
LABELS = {"app", "job", "status", "stage_kind", "check", "severity", "outcome", "direction",
          "error_type", "le", "slo"}  # fmt: skip
PROMTOOL = shutil.which("promtool")
# what Grafana substitutes before a query reaches Prometheus
MACROS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def _targets(board: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(p["title"], t) for p in board["panels"] for t in p.get("targets", [])]


def _metric_names(expr: str) -> set[str]:
    names = set(re.findall(r"\b(sparkseal[a-z0-9_:]*)", expr))
    out = set()
    for n in names:
        base = re.sub(r"_(bucket|count|sum)$", "", n)
        out.add(base if base.removeprefix("sparkseal_") in HISTOGRAMS else n)
    return out


def _substituted(expr: str) -> str:
    for macro, value in MACROS.items():
        expr = expr.replace(macro, value)
    return expr


def test_every_query_names_known_metrics_and_every_metric_is_shown():
    board = dashboard()
    used: set[str] = set()
    for title, target in _targets(board):
        names = _metric_names(target["expr"])
        assert names, title
        assert names <= FIXED | RECORDED, (title, names - FIXED - RECORDED)
        used |= names
        # every selector is narrowed to the dashboard's job variable
        selectors = re.findall(r"sparkseal[a-z0-9_:]*\{([^}]*)\}", target["expr"])
        assert selectors and all('job=~"$job"' in s for s in selectors), title
        # grouping and legends use the bounded label set only
        for group in re.findall(r"by \(([^)]*)\)", target["expr"]):
            assert {g.strip() for g in group.split(",")} <= LABELS, title
        assert set(re.findall(r"\{\{(\w+)\}\}", target["legendFormat"])) <= LABELS, title
    assert used >= FIXED, f"metrics without a panel: {sorted(FIXED - used)}"


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not found (apt-get install prometheus)")
def test_every_query_parses_with_promtool(tmp_path: Path):
    board = dashboard()
    rules = [
        {"record": f"dashboard_query_{i}", "expr": _substituted(t["expr"])}
        for i, (_title, t) in enumerate(_targets(board))
    ]
    var = board["templating"]["list"][1]["query"]["query"]  # label_values(metric, job)
    rules.append({"record": "dashboard_variable", "expr": re.sub(r"label_values\((\w+), \w+\)",
                                                                  r"\1", var)})  # fmt: skip
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    out = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"SUCCESS: {len(rules)} rules found" in out.stdout
    # the control: one unbalanced query fails the check
    rules[0]["expr"] = rules[0]["expr"] + ")"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    out = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True)
    assert out.returncode != 0


def test_panels_have_unique_ids_and_do_not_overlap():
    board = dashboard()
    panels = board["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)) and all(isinstance(i, int) and i > 0 for i in ids)
    cells: dict[tuple[int, int], str] = {}
    for p in panels:
        g = p["gridPos"]
        assert g["x"] >= 0 and g["w"] > 0 and g["x"] + g["w"] <= 24, p["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, (p["title"], cells.get((x, y)))
                cells[(x, y)] = p["title"]
    rows = [p["title"] for p in panels if p["type"] == "row"]
    assert rows == [
        "Runs and SLOs",
        "Spark jobs, stages and tasks",
        "I/O, shuffle and spill",
        "Executors",
        "Streaming",
        "Quality",
    ]
    # panels follow their row: each row's y is above its panels and below the previous ones
    ys = [p["gridPos"]["y"] for p in panels]
    assert ys == sorted(ys)
    names = [v["name"] for v in board["templating"]["list"]]
    assert names == ["datasource", "job"]
    assert board["templating"]["list"][1]["includeAll"] is True


def _subset(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Paths in ``ours`` that ``theirs`` lost or changed."""
    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            return [path]
        return [
            m for k, v in ours.items() for m in _subset(v, theirs.get(k, _MISSING), f"{path}.{k}")
        ]
    if isinstance(ours, list):
        if not isinstance(theirs, list) or len(ours) != len(theirs):
            return [path]
        return [m for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
                for m in _subset(a, b, f"{path}[{i}]")]  # fmt: skip
    return [] if ours == theirs else [path]


_MISSING = object()


def test_grafanas_dashboard_model_keeps_every_field():
    sdk = pytest.importorskip(
        "grafana_foundation_sdk.models.dashboard",
        reason="grafana-foundation-sdk not installed (pip install -e '.[test]')",
    )
    from grafana_foundation_sdk.cog.encoder import JSONEncoder

    ours = json.loads(to_json(dashboard()))
    theirs = json.loads(json.dumps(sdk.Dashboard.from_json(ours), cls=JSONEncoder))
    assert _subset(ours, theirs) == []
    # the control: a field Grafana's model does not know is lost, and found lost
    broken = json.loads(to_json(dashboard()))
    broken["panels"][1]["gridPosition"] = broken["panels"][1].pop("gridPos")
    again = json.loads(json.dumps(sdk.Dashboard.from_json(broken), cls=JSONEncoder))
    assert _subset(broken, again) != []


def test_cli_writes_the_dashboard(tmp_path: Path):
    out = tmp_path / "grafana.json"

    def run(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "sparkseal.cli.main", "dashboard", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("--out", out).returncode == 0
    assert json.loads(out.read_text()) == dashboard()
    refused = run("--out", out)
    assert refused.returncode == 2 and "SS938" in refused.stderr
    assert run("--out", out, "--force").returncode == 0
    assert json.loads(run().stdout) == dashboard()
