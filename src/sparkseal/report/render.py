"""The report as one HTML file: tables and plotly figures, plotly.js embedded, no network.

Why every text is escaped here, once, by one function: job descriptions, stage names,
SQL text and failure messages come from the log, and the log is attacker-influenced (a
job description is whatever the caller set). :func:`text_html` is the only way a log
string reaches the page: HTML-escaped, with well-formed sealed tokens wrapped in a
marker (their alphabet has no HTML metacharacter, so wrapping cannot open a tag).
Figure data is JSON inside ``<script type="application/json">``, with ``<``, ``>`` and
``&`` as ``\\u`` escapes, and plot labels are HTML-escaped too (plotly renders a subset of
HTML in labels). A Content-Security-Policy allows exactly two scripts, by hash (plotly.js
and the loader below): even a missed escape could not run a script or an event handler,
nor load anything from the network.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from datetime import UTC, datetime
from typing import Any

from sparkseal import __version__
from sparkseal.core.rules import TOKEN_RE
from sparkseal.report.eventlog import LogFiles, ReadStats
from sparkseal.report.extras import Extras
from sparkseal.report.model import Run, Stage
from sparkseal.scan.tokens import well_formed

_TOKEN_BYTES = re.compile(TOKEN_RE.pattern.encode("ascii"), TOKEN_RE.flags & ~re.UNICODE)
SEALED_TITLE = "sealed token: only a holder of the private key can open it (sparkseal unseal)"
MAX_POINTS = 500
COLORS = {"succeeded": "#2ca02c", "failed": "#d62728", "running": "#7f7f7f"}

LOADER = (
    '(function(){var n=document.querySelectorAll(\'script[type="application/json"]'
    "[data-figure]');for(var i=0;i<n.length;i++){var s=JSON.parse(n[i].textContent);"
    "Plotly.newPlot(n[i].getAttribute('data-figure'),s.data,s.layout,"
    "{responsive:true,displaylogo:false});}})();"
)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;
background:#f5f7fa}
header{background:#1f2933;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:20px}
header .sub{color:#cbd2d9;font-size:13px;margin-top:4px}
main{padding:12px 28px 40px}
section{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);
margin:14px 0;padding:12px 18px}
h2{font-size:16px;margin:4px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:10px 16px;
min-width:120px}
.card .v{font-size:20px;font-weight:600}.card .k{font-size:12px;color:#616e7c}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:8px 0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.sealed{font-family:ui-monospace,monospace;font-size:11px;background:#e8f0fe;color:#1a4fa0;
border-radius:3px;padding:0 3px;word-break:break-all}
.sealed::before{content:"sealed ";font-family:system-ui,sans-serif;font-weight:600}
.text{white-space:pre-wrap;word-break:break-word;max-height:16em;overflow:auto;display:block}
.none{color:#9aa5b1}
.ok{color:#2ca02c;font-weight:600}.bad{color:#d62728;font-weight:600}
details summary{cursor:pointer;color:#3e4c59}
footer{color:#616e7c;font-size:12px;padding:0 28px 24px}
"""


def _token_spans(value: str) -> list[tuple[int, int]]:
    """Where ``value`` holds well-formed sealed tokens (a look-alike is plain text)."""
    spans = []
    for m in TOKEN_RE.finditer(value):
        raw = m.group(0)
        b = _TOKEN_BYTES.fullmatch(raw.encode("ascii", "replace"))
        if b is not None and well_formed(b):
            spans.append((m.start(), m.end()))
    return spans


def text_html(value: str | None, *, block: bool = False) -> str:
    """A log string as HTML: escaped; sealed tokens marked (and never opened)."""
    if value is None or value == "":
        return '<span class="none">&mdash;</span>'
    parts, pos = [], 0
    for start, end in _token_spans(value):
        parts.append(html.escape(value[pos:start]))
        parts.append(
            f'<span class="sealed" title="{SEALED_TITLE}">{html.escape(value[start:end])}</span>'
        )
        pos = end
    parts.append(html.escape(value[pos:]))
    inner = "".join(parts)
    return f'<span class="text">{inner}</span>' if block else inner


def plot_text(value: str | None, limit: int = 80) -> str:
    """A log string for a plot label: tokens shortened to their header, cut at ``limit``,
    HTML-escaped (plotly reads a subset of HTML in labels)."""
    if not value:
        return ""
    parts, pos = [], 0
    for start, end in _token_spans(value):
        parts.append(value[pos:start])
        header = value[start:end].rsplit(":", 1)[0]
        parts.append(f"(sealed) {header}:…]")
        pos = end
    parts.append(value[pos:])
    text = " ".join("".join(parts).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text)


def _when(ms: int | None) -> str:
    if ms is None:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _secs(ms: int | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.3f} s"


def _bytes(n: int | float) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def _num(value: Any) -> str:
    if value is None:
        return '<span class="none">&mdash;</span>'
    if isinstance(value, float):
        return html.escape(f"{value:.4g}")
    return html.escape(str(value))


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """Cells are HTML already (made by text_html/_num or from our own strings)."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _figure_json(fig: Any) -> str:
    from plotly.utils import PlotlyJSONEncoder

    spec = fig.to_plotly_json()
    text = json.dumps(
        {"data": spec.get("data", []), "layout": spec.get("layout", {})},
        cls=PlotlyJSONEncoder,
        separators=(",", ":"),
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _figure(div_id: str, fig: Any, height: int) -> str:
    return (
        f'<div id="{div_id}" class="plot" style="height:{height}px"></div>'
        f'<script type="application/json" data-figure="{div_id}">{_figure_json(fig)}</script>'
    )


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "template": "plotly_white",
        "margin": {"l": 90, "r": 20, "t": 50, "b": 40},
        "font": {"size": 12},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    }
    base.update(extra)
    return base


def timeline_figure(run: Run) -> Any:
    """Gantt: one bar per job and per stage attempt, coloured by outcome."""
    import plotly.graph_objects as go

    last = run.last_time or 0
    rows: dict[str, dict[str, list[Any]]] = {
        k: {"y": [], "base": [], "x": [], "text": []} for k in COLORS
    }
    order: list[str] = []

    def add(label: str, status: str, start: int | None, end: int | None, hover: str) -> None:
        if start is None:
            return
        end = end if end is not None and end >= start else last
        r = rows[status]
        r["y"].append(label)
        r["base"].append(_iso(start))
        r["x"].append(max(end - start, 1))
        r["text"].append(hover)
        order.append(label)

    stages_by_job: dict[int | None, list[Stage]] = {}
    for stage in run.stages.values():
        stages_by_job.setdefault(stage.job_id, []).append(stage)
    for job in sorted(run.jobs.values(), key=lambda j: j.job_id):
        status = {"JobSucceeded": "succeeded", "RUNNING": "running"}.get(job.result, "failed")
        what = plot_text(job.description or job.call_site)
        add(
            f"job {job.job_id}",
            status,
            job.submitted,
            job.completed,
            f"job {job.job_id} ({status})<br>{what}",
        )
        for stage in sorted(
            stages_by_job.get(job.job_id, []), key=lambda s: (s.stage_id, s.attempt)
        ):
            if stage.submitted is None:
                continue  # skipped: its output was reused
            add(
                f"stage {stage.key}",
                stage.status,
                stage.submitted,
                stage.completed,
                f"stage {stage.key} ({stage.status}), {stage.num_tasks} tasks<br>"
                f"{plot_text(stage.name)}",
            )
    fig = go.Figure()
    for status, r in rows.items():
        if r["y"]:
            fig.add_trace(
                go.Bar(
                    name=status,
                    orientation="h",
                    y=r["y"],
                    base=r["base"],
                    x=r["x"],
                    marker_color=COLORS[status],
                    hovertext=r["text"],
                    hoverinfo="text",
                )
            )
    fig.update_layout(_layout(barmode="overlay", bargap=0.25))
    fig.update_xaxes(type="date", title_text="time (UTC)")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return fig, max(len(order) * 26 + 90, 200)


def _stage_order(run: Run) -> list[Stage]:
    return sorted(run.stages.values(), key=lambda s: (s.stage_id, s.attempt))


def durations_figure(run: Run) -> Any:
    """Box per stage of its task durations: a long whisker or a lone point is skew."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for stage in _stage_order(run):
        if stage.durations_ms:
            fig.add_trace(
                go.Box(
                    y=[d / 1000 for d in stage.durations_ms],
                    name=f"stage {stage.key}",
                    # Every task as a point while that stays readable; then outliers only.
                    boxpoints="all" if len(stage.durations_ms) <= MAX_POINTS else "outliers",
                    jitter=0.4,
                    pointpos=0,
                    marker_size=5,
                    showlegend=False,
                )
            )
    fig.update_layout(_layout())
    fig.update_yaxes(title_text="task duration (s)", rangemode="tozero")
    return fig


def io_figure(run: Run) -> Any:
    """Shuffle read/write and spill (memory/disk) per stage, side by side."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    stages = _stage_order(run)
    labels = [f"stage {s.key}" for s in stages]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    series = [
        (1, "shuffle read", [s.shuffle_read for s in stages], "#1f77b4"),
        (1, "shuffle write", [s.shuffle_write for s in stages], "#aec7e8"),
        (2, "spill (memory)", [s.memory_spill for s in stages], "#ff7f0e"),
        (2, "spill (disk)", [s.disk_spill for s in stages], "#ffbb78"),
    ]
    for col, name, values, color in series:
        fig.add_trace(
            go.Bar(
                name=name,
                x=labels,
                y=values,
                marker_color=color,
                hovertext=[f"{name}: {_bytes(v)}" for v in values],
                hoverinfo="text+x",
            ),
            row=1,
            col=col,
        )
    fig.update_layout(_layout(barmode="group"))
    fig.update_yaxes(title_text="shuffle (bytes)", row=1, col=1)
    fig.update_yaxes(title_text="spill (bytes)", row=1, col=2)
    return fig


def _summary(run: Run) -> str:
    tasks = sum(len(s.durations_ms) for s in run.stages.values())
    failed_tasks = sum(s.tasks_failed for s in run.stages.values())
    jobs_failed = sum(1 for j in run.jobs.values() if j.result not in ("JobSucceeded", "RUNNING"))
    first, last = run.start or run.first_time, run.end or run.last_time
    cards = [
        ("duration", _secs(last - first) if first is not None and last is not None else "—"),
        ("jobs", f"{len(run.jobs)} ({jobs_failed} failed)"),
        ("stages", str(len(run.stages))),
        ("tasks", f"{tasks} ({failed_tasks} failed)"),
        ("shuffle written", _bytes(sum(s.shuffle_write for s in run.stages.values()))),
        ("spilled to disk", _bytes(sum(s.disk_spill for s in run.stages.values()))),
        ("executor changes", str(len(run.executors))),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="v">{html.escape(v)}</div>'
            f'<div class="k">{html.escape(k)}</div></div>'
            for k, v in cards
        )
        + "</div>"
    )


def _jobs_table(run: Run) -> str:
    rows = []
    for job in sorted(run.jobs.values(), key=lambda j: j.job_id):
        ok = job.result == "JobSucceeded"
        status = f'<span class="{"ok" if ok else "bad"}">{html.escape(job.result)}</span>'
        duration = (job.completed - job.submitted) if job.completed and job.submitted else None
        sql = run.sql_descriptions.get(job.sql_execution or "")
        rows.append(
            [
                str(job.job_id),
                status,
                html.escape(_when(job.submitted)),
                _secs(duration),
                text_html(job.description, block=True),
                text_html(job.call_site, block=True),
                text_html(sql, block=True),
                html.escape(", ".join(str(s) for s in job.stage_ids)),
            ]
        )
    return _table(
        ["job", "result", "submitted", "duration", "description", "call site", "SQL", "stages"],
        rows,
        {0, 3},
    )


def _stages_table(run: Run) -> str:
    rows = []
    for s in _stage_order(run):
        duration = (s.completed - s.submitted) if s.completed and s.submitted else None
        skew = s.skew
        rows.append(
            [
                s.key,
                html.escape(s.status),
                _secs(duration),
                str(s.num_tasks),
                str(len(s.durations_ms)),
                str(s.tasks_failed),
                _secs(int(sorted(s.durations_ms)[len(s.durations_ms) // 2]))
                if s.durations_ms
                else "—",
                _secs(max(s.durations_ms)) if s.durations_ms else "—",
                f"{skew:.1f}x" if skew is not None else "—",
                _bytes(s.shuffle_read),
                _bytes(s.shuffle_write),
                _bytes(s.memory_spill),
                _bytes(s.disk_spill),
                text_html(s.name, block=True),
            ]
        )
    return _table(
        [
            "stage",
            "status",
            "duration",
            "tasks",
            "ended",
            "failed",
            "median task",
            "max task",
            "max/median",
            "shuffle read",
            "shuffle write",
            "spill (memory)",
            "spill (disk)",
            "name",
        ],
        rows,
        set(range(2, 13)),
    )


def _failures_table(run: Run) -> str:
    if not run.failures:
        return "<p>No job, stage or task failed.</p>"
    rows = []
    for f in run.failures:
        detail = (
            f"<details><summary>stack trace</summary>{text_html(f.detail, block=True)}</details>"
            if f.detail
            else ""
        )
        lines = [line for line in f.message.splitlines() if line.strip()]
        if len(lines) > 4:  # a traceback: its last lines say what failed
            message = (
                text_html("…\n" + "\n".join(lines[-3:]), block=True)
                + f"<details><summary>whole message ({len(lines)} lines)</summary>"
                + f"{text_html(f.message, block=True)}</details>"
            )
        else:
            message = text_html(f.message, block=True)
        rows.append(
            [
                html.escape(f.kind),
                text_html(f.where),
                html.escape(_when(f.time)),
                text_html(f.reason),
                message + detail,
            ]
        )
    return _table(["kind", "where", "time", "reason", "message (as in the log)"], rows)


def _executors_table(run: Run) -> str:
    if not run.executors:
        return "<p>No executor was added or removed.</p>"
    rows = [
        [
            html.escape(_when(e.time)),
            text_html(e.executor),
            html.escape(e.change),
            text_html(e.detail, block=True),
        ]
        for e in sorted(run.executors, key=lambda e: e.time or 0)
    ]
    return _table(["time", "executor", "change", "detail"], rows)


def _quality_section(extras: Extras) -> str:
    if extras.quality is None:
        return ""
    blocks = []
    for q in extras.quality:
        rows = [[text_html(name), _num(value)] for name, value in sorted(q.metrics.items())]
        blocks.append(
            f"<h3>{text_html(q.dataset)} <small>run {text_html(q.run_key)}, "
            f"{html.escape(q.at.strftime('%Y-%m-%d %H:%M:%S'))}Z</small></h3>"
            + _table(["metric", "value"], rows, {1})
        )
    return "<section><h2>Quality results</h2>" + "".join(blocks) + "</section>"


def _slo_section(extras: Extras) -> str:
    if extras.slo is None:
        return ""
    rows = []
    for b in extras.slo:
        status = html.escape(str(b.get("status")))
        cls = "ok" if b.get("status") == "ok" else "bad"
        burn = b.get("burn_rates") or {}
        remaining = b.get("remaining")
        rows.append(
            [
                text_html(str(b.get("slo"))),
                html.escape(str(b.get("kind"))),
                text_html(str(b.get("job"))),
                _num(b.get("objective")),
                html.escape(str(b.get("window"))),
                _num(b.get("runs")),
                _num(b.get("bad")),
                "—" if remaining is None else html.escape(f"{remaining * 100:.1f} %"),
                _num(burn.get("1h")),
                _num(burn.get("6h")),
                f'<span class="{cls}">{status}</span>',
            ]
        )
    at = extras.slo_at.strftime("%Y-%m-%d %H:%M:%S") + "Z" if extras.slo_at else ""
    return (
        f"<section><h2>SLOs <small>(error budgets as of {html.escape(at)})</small></h2>"
        + _table(
            [
                "SLO",
                "kind",
                "job",
                "objective",
                "window",
                "runs",
                "bad",
                "budget left",
                "burn 1h",
                "burn 6h",
                "status",
            ],
            rows,
            {3, 5, 6, 7, 8, 9},
        )
        + "</section>"
    )


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render(run: Run, stats: ReadStats, files: LogFiles, extras: Extras) -> str:
    """The whole report page."""
    from plotly.offline import get_plotlyjs

    plotly_js = get_plotlyjs().replace("</script", "<\\/script")
    warnings = []
    if stats.truncated:
        warnings.append(
            "SS952: the event log ends early (an application still running, or a copy cut "
            f"short): this report shows what is there. {stats.truncation}"
        )
    if files.in_progress:
        warnings.append(
            "SS952: the event log is marked in progress: the application had not "
            "ended when it was read."
        )
    if stats.bad_lines:
        warnings.append(
            f"SS953: {stats.bad_lines} line(s) of the event log are not Spark "
            "events and were skipped."
        )
    warnings += [f"note: {n}" for n in extras.notes]
    warn_html = "".join(f'<div class="warn">{html.escape(w)}</div>' for w in warnings)

    timeline, timeline_height = timeline_figure(run)
    figures = [
        (
            "Timeline of jobs and stages",
            "Each bar is a job or a stage attempt, from submission to completion; red ones failed.",
            _figure("fig-timeline", timeline, timeline_height),
        ),
        (
            "Task durations per stage",
            "Every task of a stage is a point; a point far above its "
            "box is a straggler, a long box is skew (see max/median in the stage table).",
            _figure("fig-durations", durations_figure(run), 380),
        ),
        (
            "Shuffle and spill per stage",
            "Bytes each stage's tasks read from and wrote to the "
            "shuffle, and spilled from memory (in-memory size) and to disk.",
            _figure("fig-io", io_figure(run), 380),
        ),
    ]
    fig_html = "".join(
        f"<section><h2>{html.escape(t)}</h2><p>{html.escape(d)}</p>{f}</section>"
        for t, d, f in figures
    )
    title = f"Run report: {plot_text(run.app_name, 200) or 'Spark application'}"
    sub = " · ".join(
        x
        for x in (
            f"application {text_html(run.app_id)}" if run.app_id else "",
            f"attempt {text_html(run.attempt)}" if run.attempt else "",
            f"user {text_html(run.user)}" if run.user else "",
            f"Spark {text_html(run.spark_version)}" if run.spark_version else "",
            f"started {html.escape(_when(run.start or run.first_time))}",
        )
        if x
    )
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(plotly_js)} {_csp_hash(LOADER)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    codecs = ", ".join(sorted(stats.codecs)) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{CSS}</style>
<script>{plotly_js}</script>
</head><body>
<header><h1>{title}</h1><div class="sub">{sub}</div></header>
<main>
{warn_html}
{_summary(run)}
{fig_html}
<section><h2>Failures</h2><p>Reasons and messages exactly as the event log holds them;
sealed tokens are marked and stay sealed (open them with <code>sparkseal unseal</code> and
the private key).</p>{_failures_table(run)}</section>
<section><h2>Jobs</h2>{_jobs_table(run)}</section>
<section><h2>Stages</h2>{_stages_table(run)}</section>
<section><h2>Executors added and removed</h2>{_executors_table(run)}</section>
{_quality_section(extras)}
{_slo_section(extras)}
</main>
<footer>sparkseal {html.escape(__version__)} · {stats.events} events from {stats.files} file(s)
({html.escape(codecs)}, {_bytes(stats.raw_bytes)} on disk) · nothing in this report was
unsealed</footer>
<script>{LOADER}</script>
</body></html>
"""
