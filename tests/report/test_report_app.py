"""End to end: a hardened PySpark application's sealed event log, reported.

One application (``report_app.py``, local[2] with one retry, its own process): a skewed
sort that shuffles and spills, a quality-checked write recorded in the store, and a job
whose task fails twice, with canaries in the task's exception and in a job description.
The report must hold zero canaries, show the sealed tokens as tokens (they open, with the
private key, to the canaries), and render in headless Chromium.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sparkseal.core.rules import TOKEN_RE
from sparkseal.report import build_report, locate
from sparkseal.report.model import Run
from sparkseal.scan.sources import read_decoded
from tests.report import browser
from tests.report.test_browser import FIGURES, rendered_figures

APP = Path(__file__).with_name("report_app.py")


@dataclass
class Reported:
    out: Path
    manifest: dict
    page: str
    run: Run
    log_text: str
    cli_stderr: str


@pytest.fixture(scope="module")
def reported(tmp_path_factory, policy_file) -> Reported:
    out = tmp_path_factory.mktemp("report-app")
    store = f"sqlite:///{out / 'store.db'}"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    with (out / "app.log").open("wb") as log:
        proc = subprocess.run(
            [sys.executable, str(APP), str(out), str(policy_file), store],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            timeout=600,
            check=False,
        )
    assert proc.returncode == 0, (out / "app.log").read_text()[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    (event_log,) = (out / "events").iterdir()
    report = out / "report.html"
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "sparkseal.cli.main",
            "report",
            "--event-log",
            str(event_log),
            "--out",
            str(report),
            "--store",
            store,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    files = locate(event_log)
    run = build_report(files, out / "again.html").run
    log_text = "".join(read_decoded(p).decode("utf-8", "replace") for p in files.paths)
    return Reported(out, manifest, report.read_text(encoding="utf-8"), run, log_text, cli.stderr)


def test_zero_canaries_in_the_report_and_the_sealed_tokens_shown(reported, opener):
    canaries = reported.manifest["canaries"].values()
    for canary in canaries:
        assert canary not in reported.page
        assert canary not in reported.log_text
    # The tokens the report shows are the sealed canaries: they open, with the key.
    shown = {m.group(0) for m in TOKEN_RE.finditer(reported.page)}
    opened = "\n".join(opener.open(t) for t in shown)
    for name in ("task", "description"):
        assert reported.manifest["canaries"][name] in opened
    # The data canary is in the plans, which the report does not show: it is in the log, sealed.
    in_log = "\n".join(opener.open(m.group(0)) for m in TOKEN_RE.finditer(reported.log_text))
    assert reported.manifest["canaries"]["data"] in in_log
    job = reported.run.jobs[2]
    assert job.result == "JobFailed" and TOKEN_RE.fullmatch(job.description)
    assert '<span class="sealed" title="' in reported.page
    assert f">{job.description}</span>" in reported.page  # marked, shown whole
    for token in TOKEN_RE.finditer(job.failure):
        assert f">{token.group(0)}</span>" in reported.page


def test_the_report_shows_the_run(reported):
    run = reported.run
    assert run.app_id == reported.manifest["app_id"] and run.app_name == "sparkseal-report-app"
    assert [j.result for _, j in sorted(run.jobs.items())] == [
        "JobSucceeded",
        "JobSucceeded",
        "JobFailed",
    ]
    sort_reduce = max(run.stages.values(), key=lambda s: s.disk_spill)
    assert sort_reduce.disk_spill > 0 and sort_reduce.memory_spill > 0
    assert sort_reduce.shuffle_read > 0 and sort_reduce.skew is not None and sort_reduce.skew > 1.5
    failing = run.stages[(max(s for s, _ in run.stages), 0)]
    assert failing.tasks_failed == 2 and failing.status == "failed"
    # Both attempts of the failing task; a task of the same stage may also be killed then.
    errors = [f for f in run.failures if f.kind == "task" and f.reason.startswith("Exception")]
    assert len(errors) == 2
    assert any(e.change == "added" and e.executor == "driver" for e in run.executors)
    assert "3 jobs" in reported.cli_stderr
    # The checked write's metrics, from the store, matched by application id.
    assert "<h2>Quality results</h2>" in reported.page and "report_test" in reported.page
    assert '<td>row_count</td><td class="num">1000</td>' in reported.page


def test_renders_in_chromium(reported, tmp_path):
    page = reported.out / "report.html"
    dom, console = browser.dom(page)
    assert console == []
    assert rendered_figures(dom) == list(FIGURES)
    png = tmp_path / "report.png"
    assert browser.screenshot(page, png, 1000, 1200) == []
    assert browser.colours(png) > 50
