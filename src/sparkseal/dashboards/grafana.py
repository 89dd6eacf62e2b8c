"""A Grafana dashboard for sparkseal's metrics, generated from code as plain dicts.

Why generated and not a hand-edited JSON file: the panels' PromQL uses the fixed metric
names (docs/observability.md#metrics) and the SLO rules' recorded series
(:mod:`sparkseal.slo.rules`), so they change together, and the tests parse every query
with ``promtool`` and check every name against the contract.

One row per concern: runs and SLOs, Spark jobs/stages/tasks, I/O with
shuffle and spill, executors, streaming, quality. ``job`` is a dashboard variable (multi,
"All" by default) and the Prometheus data source another, so the file imports anywhere.
Nothing in the dashboard comes from data: titles and queries are fixed text, labels
shown are the bounded label set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sparkseal.slo.rules import RECORD_RATIO, RECORD_REMAINING

UID = "sparkseal-overview"
TITLE = "sparkseal: runs, SLOs and Spark"
SCHEMA_VERSION = 39
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
JOB = 'job=~"$job"'
WIDTH = 24  # Grafana's grid is 24 columns wide
PANEL_W, PANEL_H = 8, 8


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    unit: str = "short"
    kind: str = "timeseries"
    description: str = ""
    width: int = PANEL_W


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...] = field(default_factory=tuple)


def _rate(metric: str, by: str = "job") -> str:
    return f"sum by ({by}) (rate({metric}{{{JOB}}}[$__rate_interval]))"


def _quantile(q: float, metric: str, window: str = "$__rate_interval") -> str:
    return f"histogram_quantile({q}, sum by (job, le) (rate({metric}_bucket{{{JOB}}}[{window}])))"


ROWS: tuple[Row, ...] = (
    Row(
        "Runs and SLOs",
        (
            Panel(
                "Runs per hour",
                (
                    Query(
                        f"sum by (job, status) (increase(sparkseal_runs_total{{{JOB}}}[1h]))",
                        "{{job}} {{status}}",
                    ),
                ),
                description="Finished applications per status (from the run history).",
            ),
            Panel(
                "Last run duration",
                (Query(f"sparkseal_run_last_duration_seconds{{{JOB}}}", "{{job}}"),),
                unit="s",
                description="The 3-sigma alert compares this with its own mean and stddev.",
            ),
            Panel(
                "Run duration p50 / p95 (1 day)",
                (
                    Query(_quantile(0.5, "sparkseal_run_duration_seconds", "1d"), "p50 {{job}}"),
                    Query(_quantile(0.95, "sparkseal_run_duration_seconds", "1d"), "p95 {{job}}"),
                ),
                unit="s",
            ),
            Panel(
                "SLO error budget left",
                (Query(f"{RECORD_REMAINING}{{{JOB}}}", "{{job}} {{slo}}"),),
                unit="percentunit",
                description="From `sparkseal slo rules`: 1 = untouched, 0 = spent.",
            ),
            Panel(
                "SLO error ratio (1h and 6h)",
                (
                    Query(f"{RECORD_RATIO.format(window='1h')}{{{JOB}}}", "1h {{job}} {{slo}}"),
                    Query(f"{RECORD_RATIO.format(window='6h')}{{{JOB}}}", "6h {{job}} {{slo}}"),
                ),
                unit="percentunit",
                description="Divide by (1 - objective) for the burn rate the alerts use.",
            ),
            Panel(
                "Data freshness and time since the last success",
                (
                    Query(f"sparkseal_data_freshness_seconds{{{JOB}}}", "freshness {{job}}"),
                    Query(
                        f"time() - sparkseal_run_last_success_timestamp_seconds{{{JOB}}}",
                        "since success {{job}}",
                    ),
                ),
                unit="s",
            ),
            Panel(
                "Records processed and failed",
                (
                    Query(
                        f"sum by (job, direction) (increase(sparkseal_records_processed_total"
                        f"{{{JOB}}}[1h]))",
                        "{{job}} {{direction}}",
                    ),
                    Query(
                        f"sum by (job, error_type) (increase(sparkseal_records_failed_total"
                        f"{{{JOB}}}[1h]))",
                        "failed {{job}} {{error_type}}",
                    ),
                ),
                width=WIDTH,
            ),
        ),
    ),
    Row(
        "Spark jobs, stages and tasks",
        (
            Panel(
                "Spark jobs per status",
                (Query(_rate("sparkseal_spark_jobs_total", "job, status"), "{{job}} {{status}}"),),
                unit="ops",
            ),
            Panel(
                "Spark job duration p95",
                (Query(_quantile(0.95, "sparkseal_spark_job_duration_seconds"), "{{job}}"),),
                unit="s",
            ),
            Panel(
                "Stages per status",
                (
                    Query(
                        _rate("sparkseal_spark_stages_total", "job, status"), "{{job}} {{status}}"
                    ),
                ),
                unit="ops",
            ),
            Panel(
                "Tasks per status (succeeded, failed, killed) and speculative",
                (
                    Query(
                        _rate("sparkseal_spark_tasks_total", "job, status"), "{{job}} {{status}}"
                    ),
                    Query(_rate("sparkseal_spark_speculative_tasks_total"), "speculative {{job}}"),
                ),
                unit="ops",
            ),
            Panel(
                "Task duration p50 / p99 (skew)",
                (
                    Query(_quantile(0.5, "sparkseal_spark_task_duration_seconds"), "p50 {{job}}"),
                    Query(_quantile(0.99, "sparkseal_spark_task_duration_seconds"), "p99 {{job}}"),
                ),
                unit="s",
            ),
            Panel(
                "GC time share",
                (Query(_rate("sparkseal_spark_gc_seconds_total"), "{{job}}"),),
                unit="percentunit",
                description="Seconds of JVM GC per second of wall time, summed over executors.",
            ),
        ),
    ),
    Row(
        "I/O, shuffle and spill",
        (
            Panel(
                "Input and output bytes",
                (
                    Query(_rate("sparkseal_spark_input_bytes_total"), "in {{job}}"),
                    Query(_rate("sparkseal_spark_output_bytes_total"), "out {{job}}"),
                ),
                unit="Bps",
            ),
            Panel(
                "Input and output records",
                (
                    Query(_rate("sparkseal_spark_input_records_total"), "in {{job}}"),
                    Query(_rate("sparkseal_spark_output_records_total"), "out {{job}}"),
                ),
                unit="rps",
            ),
            Panel(
                "Shuffle read and write",
                (
                    Query(_rate("sparkseal_spark_shuffle_read_bytes_total"), "read {{job}}"),
                    Query(_rate("sparkseal_spark_shuffle_write_bytes_total"), "write {{job}}"),
                ),
                unit="Bps",
            ),
            Panel(
                "Spill (memory and disk)",
                (
                    Query(_rate("sparkseal_spark_spill_memory_bytes_total"), "memory {{job}}"),
                    Query(_rate("sparkseal_spark_spill_disk_bytes_total"), "disk {{job}}"),
                ),
                unit="Bps",
            ),
        ),
    ),
    Row(
        "Executors",
        (
            Panel(
                "Executors added, removed and excluded",
                (
                    Query(
                        f"sum by (job) (increase(sparkseal_spark_executors_added_total{{{JOB}}}"
                        "[$__rate_interval]))",
                        "added {{job}}",
                    ),
                    Query(
                        f"sum by (job) (increase(sparkseal_spark_executors_removed_total"
                        f"{{{JOB}}}[$__rate_interval]))",
                        "removed {{job}}",
                    ),
                    Query(
                        f"sum by (job) (increase(sparkseal_spark_executors_excluded_total"
                        f"{{{JOB}}}[$__rate_interval]))",
                        "excluded {{job}}",
                    ),
                ),
                width=WIDTH,
            ),
        ),
    ),
    Row(
        "Streaming",
        (
            Panel(
                "Input and processing rate",
                (
                    Query(f"sparkseal_streaming_input_rows_per_second{{{JOB}}}", "in {{job}}"),
                    Query(
                        f"sparkseal_streaming_processed_rows_per_second{{{JOB}}}",
                        "processed {{job}}",
                    ),
                ),
                unit="rps",
                description="Processing below input for long: the query falls behind.",
            ),
            Panel(
                "Batch duration p95",
                (Query(_quantile(0.95, "sparkseal_streaming_batch_duration_seconds"), "{{job}}"),),
                unit="s",
            ),
            Panel(
                "State rows and watermark delay",
                (
                    Query(f"sparkseal_streaming_state_rows{{{JOB}}}", "state rows {{job}}"),
                    Query(
                        f"sparkseal_streaming_watermark_delay_seconds{{{JOB}}}",
                        "watermark delay (s) {{job}}",
                    ),
                ),
            ),
        ),
    ),
    Row(
        "Quality",
        (
            Panel(
                "Quality checks per outcome",
                (
                    Query(
                        f"sum by (job, outcome) (increase(sparkseal_quality_checks_total{{{JOB}}}"
                        "[1h]))",
                        "{{job}} {{outcome}}",
                    ),
                ),
                width=WIDTH // 2,
            ),
            Panel(
                "Failed checks by check and severity",
                (
                    Query(
                        f"sum by (job, check, severity) (increase(sparkseal_quality_checks_total"
                        f'{{{JOB},outcome="failed"}}[1d]))',
                        "{{check}} ({{severity}})",
                    ),
                ),
                kind="table",
                width=WIDTH // 2,
            ),
        ),
    ),
)


def _panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    targets = [
        {
            "datasource": dict(DATASOURCE),
            "expr": q.expr,
            "legendFormat": q.legend,
            "refId": chr(ord("A") + i),
            **({"format": "table", "instant": True} if panel.kind == "table" else {}),
        }
        for i, q in enumerate(panel.queries)
    ]
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": dict(DATASOURCE),
        "gridPos": {"h": PANEL_H, "w": panel.width, "x": x, "y": y},
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {},
    }


def dashboard(rows: tuple[Row, ...] = ROWS) -> dict[str, Any]:
    """The dashboard as plain data (Grafana's dashboard JSON model)."""
    panels: list[dict[str, Any]] = []
    next_id, y = 1, 0
    for row in rows:
        panels.append(
            {
                "id": next_id,
                "type": "row",
                "title": row.title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": y},
                "panels": [],
            }
        )
        next_id, y, x = next_id + 1, y + 1, 0
        for panel in row.panels:
            if x + panel.width > WIDTH:
                x, y = 0, y + PANEL_H
            panels.append(_panel_json(panel, next_id, x, y))
            next_id, x = next_id + 1, x + panel.width
        y += PANEL_H
    return {
        "uid": UID,
        "title": TITLE,
        "description": "Generated by `sparkseal dashboard` (docs/observability.md#dashboards).",
        "tags": ["sparkseal", "spark"],
        "editable": True,
        "graphTooltip": 1,
        "timezone": "utc",
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": "now-7d", "to": "now"},
        "refresh": "1m",
        "annotations": {"list": []},
        "links": [],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                },
                {
                    "name": "job",
                    "label": "job",
                    "type": "query",
                    "datasource": dict(DATASOURCE),
                    "query": {
                        "query": "label_values(sparkseal_runs_total, job)",
                        "refId": "jobs",
                    },
                    "multi": True,
                    "includeAll": True,
                    "allValue": ".*",
                    "current": {"text": "All", "value": "$__all"},
                    "refresh": 2,
                    "sort": 1,
                    "hide": 0,
                },
            ]
        },
        "panels": panels,
    }


def to_json(board: dict[str, Any]) -> str:
    """The dashboard as the JSON file Grafana imports."""
    return json.dumps(board, indent=2, sort_keys=False) + "\n"
