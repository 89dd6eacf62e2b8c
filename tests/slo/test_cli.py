"""``sparkseal slo`` as users run it: a separate process, real exit codes and streams."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sparkseal.slo.history import RunHistory, RunRecord


def sparkseal(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_policy(tmp_path: Path, key_dir: Path, store: str | None, slos: str) -> Path:
    path = tmp_path / "sparkseal.toml"
    audit = f'[audit]\nstore = "{store}"\n' if store else ""
    path.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n{audit}'
        f'[metrics]\njob = "nightly"\n{slos}'
    )
    return path


SLOS = """
[[slo]]
name = "runs-succeed"
kind = "success_ratio"
objective = 0.9
window = "1d"

[[slo]]
name = "fast"
kind = "duration"
objective = 0.5
threshold_seconds = 60
window = "1d"
"""


def _record(url: str, failed: int, good: int) -> None:
    now = datetime.now(UTC)
    with RunHistory.open(url) as h:
        for i in range(failed + good):
            end = now - timedelta(minutes=10 * i + 1)
            h.record(
                RunRecord(
                    f"app-{i}",
                    "etl",
                    "nightly",
                    end - timedelta(seconds=30),
                    end,
                    "failed" if i < failed else "succeeded",
                )
            )


def test_budget_json_and_exit_codes(tmp_path, key_dir):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    policy = write_policy(tmp_path, key_dir, url, SLOS)
    out = sparkseal("slo", "budget", "--policy", policy)
    assert out.returncode == 2 and out.stderr.startswith("sparkseal: error: SS931"), out.stderr
    assert "Traceback" not in out.stderr
    _record(url, failed=1, good=19)  # 1 of 20 failed, 2 allowed
    out = sparkseal("slo", "budget", "--policy", policy, "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["slo"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert rows["runs-succeed"]["runs"] == 20 and rows["runs-succeed"]["bad"] == 1
    assert rows["runs-succeed"]["remaining"] == pytest.approx(0.5)
    assert rows["fast"]["bad"] == 0 and rows["fast"]["status"] == "ok"
    out = sparkseal("slo", "budget", "--policy", policy)
    assert out.returncode == 0 and "runs-succeed" in out.stdout and "50.0%" in out.stdout
    _record_more = [
        RunRecord(
            f"x-{i}",
            "etl",
            "nightly",
            datetime.now(UTC) - timedelta(minutes=3),
            datetime.now(UTC) - timedelta(minutes=2),
            "failed",
        )
        for i in range(2)
    ]
    with RunHistory.open(url) as h:
        for r in _record_more:
            h.record(r)
    out = sparkseal("slo", "budget", "--policy", policy)
    assert out.returncode == 1, out.stderr
    assert "SS935: SLO runs-succeed: the error budget is spent" in out.stderr
    assert "SS935: SLO fast" not in out.stderr


def test_budget_usage_errors(tmp_path, key_dir):
    policy = write_policy(tmp_path, key_dir, None, SLOS)
    out = sparkseal("slo", "budget", "--policy", policy)  # no [audit] store, no --store
    assert out.returncode == 2 and "SS937" in out.stderr
    url = f"sqlite:///{tmp_path / 'other.db'}"
    RunHistory.open(url).close()
    out = sparkseal("slo", "budget", "--policy", policy, "--store", url)
    assert out.returncode == 0 and "SS936: SLO runs-succeed: no runs" in out.stderr
    empty = write_policy(tmp_path, key_dir, url, "")
    out = sparkseal("slo", "budget", "--policy", empty)
    assert out.returncode == 2 and "SS934" in out.stderr
    no_job = tmp_path / "nojob.toml"
    no_job.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n'
        '[[slo]]\nname = "a"\nkind = "success_ratio"\nobjective = 0.9\n'
    )
    out = sparkseal("slo", "rules", "--policy", no_job)
    assert out.returncode == 2 and "SS933" in out.stderr
    bad = write_policy(
        tmp_path, key_dir, url, '[[slo]]\nname = "d"\nkind = "duration"\nobjective = 0.9\n'
    )
    out = sparkseal("slo", "rules", "--policy", bad)
    assert out.returncode == 2 and "SS932" in out.stderr and "Traceback" not in out.stderr


def test_rules_to_a_file_refuses_to_overwrite(tmp_path, key_dir):
    policy = write_policy(tmp_path, key_dir, None, SLOS)
    target = tmp_path / "rules.yml"
    out = sparkseal("slo", "rules", "--policy", policy, "--out", target)
    assert out.returncode == 0, out.stderr
    first = target.read_text()
    assert "SparkSealErrorBudgetBurn" in first
    out = sparkseal("slo", "rules", "--policy", policy, "--out", target)
    assert out.returncode == 2 and "SS938" in out.stderr
    assert sparkseal("slo", "rules", "--policy", policy, "--out", target, "--force").returncode == 0
    stdout = sparkseal("slo", "rules", "--policy", policy).stdout
    assert stdout == first
    out = sparkseal("slo", "rules", "--policy", policy, "--anomaly-window", "week")
    assert out.returncode == 2 and "--anomaly-window" in out.stderr
    out = sparkseal("slo", "rules", "--policy", policy, "--out", tmp_path / "no" / "dir.yml")
    assert out.returncode == 2 and "SS938" in out.stderr


def test_help():
    out = sparkseal("slo", "--help")
    assert out.returncode == 0 and "budget" in out.stdout and "rules" in out.stdout
