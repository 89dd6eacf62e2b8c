"""``sparkseal report`` as users run it: exit codes, coded errors, no traceback, SLO results."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import zstandard

from tests.report.stock_log import APP_ID, T0, events, log_bytes, write_log


@dataclass
class Result:
    returncode: int
    stderr: str


@pytest.fixture
def sparkseal(capsys, monkeypatch):
    """``sparkseal report ARGS`` through the CLI's real entry point (exit codes, errors)."""
    from sparkseal.cli.main import main

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["sparkseal", "report", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            main()
        return Result(exit_.value.code, capsys.readouterr().err)

    return run


@pytest.fixture
def log(tmp_path):
    return write_log(tmp_path / APP_ID, events("a job", "task failed", "job failed"))


def test_writes_the_report_and_says_what_it_read(sparkseal, log, tmp_path):
    out = tmp_path / "r.html"
    proc = sparkseal("--event-log", str(log), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stderr and "2 jobs, 3 stages, 4 failures" in proc.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
    again = sparkseal(
        "--app", APP_ID, "--event-log-dir", str(tmp_path), "--out", str(out), "--quiet"
    )
    assert again.returncode == 0 and again.stderr == ""


@pytest.mark.parametrize(
    "args,message",
    [
        ((), "give exactly one of --event-log PATH and --app ID"),
        (("--event-log", "x", "--app", "y"), "give exactly one of"),
        (("--event-log", "/nonexistent/log"), "SS950: no event log at /nonexistent/log"),
        (("--app", "local-1", "--event-log-dir", "/nonexistent"), "SS950: the event log directory"),
    ],
)
def test_bad_usage_and_missing_logs_exit_2_without_a_traceback(sparkseal, tmp_path, args, message):
    proc = sparkseal(*args, "--out", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.html").exists()


def test_not_an_event_log_is_SS951(sparkseal, tmp_path):
    junk = tmp_path / "junk.zstd"
    junk.write_bytes(zstandard.ZstdCompressor().compress(b"hello\nworld\n"))
    proc = sparkseal("--event-log", str(junk), "--out", str(tmp_path / "r.html"))
    assert (
        proc.returncode == 2
        and "SS951" in proc.stderr
        and "2 lines that are not events" in proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_output_problems_are_SS955(sparkseal, log, tmp_path):
    proc = sparkseal("--event-log", str(log), "--out", str(tmp_path))
    assert proc.returncode == 2 and "SS955" in proc.stderr and "is a directory" in proc.stderr
    proc = sparkseal("--event-log", str(log), "--out", str(log))
    assert proc.returncode == 2 and "SS955" in proc.stderr and "the event log itself" in proc.stderr
    assert log.read_bytes().startswith(b'{"Event"')


def test_a_log_still_being_written_is_reported_with_a_warning(sparkseal, tmp_path):
    raw = log_bytes(events("a job", "task failed", "job failed"))
    cut = tmp_path / f"{APP_ID}.inprogress"
    cut.write_bytes(raw[: len(raw) - 30])
    out = tmp_path / "r.html"
    proc = sparkseal("--event-log", str(cut), "--out", str(out))
    assert proc.returncode == 0
    assert "warning: SS952: the event log ends early" in proc.stderr
    page = out.read_text()
    assert "SS952: the event log ends early" in page and "marked in progress" in page


def test_slo_budgets_from_the_run_history(sparkseal, log, tmp_path, key_dir):
    from sparkseal.slo.history import RunHistory, RunRecord

    store = f"sqlite:///{tmp_path / 'store.db'}"
    end = datetime.fromtimestamp((T0 + 4500) / 1000, tz=UTC)
    with RunHistory.open(store) as history:
        for i, status in enumerate(["succeeded"] * 7 + ["failed"] * 3):
            ended = end - timedelta(hours=i)
            history.record(
                RunRecord(
                    f"app-{i}",
                    "stock-app",
                    "stock-app",
                    ended - timedelta(minutes=5),
                    ended,
                    status,
                )
            )  # type: ignore[arg-type]
    policy = tmp_path / "sparkseal.toml"
    policy.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n'
        '[[slo]]\nname = "runs-succeed"\nkind = "success_ratio"\nobjective = 0.9\nwindow = "1d"\n'
    )
    out = tmp_path / "r.html"
    proc = sparkseal(
        "--event-log", str(log), "--out", str(out), "--store", store, "--policy", str(policy)
    )
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert "<h2>SLOs" in page and "runs-succeed" in page
    # 10 runs, 3 failed, 1 allowed: the budget is overspent (1 - 3/1 = -200 %).
    assert "-200.0 %" in page and '<span class="bad">exhausted</span>' in page
    assert "note: the store holds no quality history" in page


def test_without_plotly_it_says_which_extra_to_install(sparkseal, log, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly now raises ImportError
    proc = sparkseal("--event-log", str(log), "--out", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and "SS954" in proc.stderr and "sparkseal[report]" in proc.stderr
