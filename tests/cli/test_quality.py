"""``sparkseal quality history``: the table, JSON lines and exit codes, as users run it
(separate processes, real exit codes, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sparkseal.quality.history import QualityHistory

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def run(*args: object, cwd: Path | None = None, env: dict | None = None):
    out = subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "quality", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if k != "SPARKSEAL_POLICY"}, **(env or {})},
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


@pytest.fixture
def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with QualityHistory.open(url) as h:
        for i in range(5):
            h.record(
                "orders",
                f"q-1:{i}",
                {"row_count": 1000 + i, "email.null_ratio": 0.25 if i != 2 else None},
                at=T0 + timedelta(days=i),
                app_id="app-42",
            )
        h.record("customers", "r", {"row_count": 7}, at=T0)
    return url


def test_history_table(store):
    out = run("history", "orders", "--store", store)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "quality history of orders" in lines[0]
    rows = [ln for ln in lines if "q-1:" in ln]
    assert [r.split("│")[2].strip() for r in rows] == [f"q-1:{i}" for i in range(5)]
    assert "2026-11-01 06:00:00" in rows[0] and "app-42" in rows[0]
    assert "row_count = 1000" in out.stdout and "email.null_ratio = 0.25" in out.stdout
    assert "email.null_ratio = -" in out.stdout  # run 2 had no value
    assert "customers" not in out.stdout


def test_history_of_one_metric_with_a_limit(store):
    out = run("history", "orders", "--store", store, "--metric", "row_count", "--limit", "2")
    assert out.returncode == 0, out.stderr
    rows = [ln for ln in out.stdout.splitlines() if "q-1:" in ln]
    assert [r.split("│")[2].strip() for r in rows] == ["q-1:3", "q-1:4"]
    assert [r.split("│")[4].strip() for r in rows] == ["1003", "1004"]


def test_history_json_lines(store):
    out = run("history", "orders", "--store", store, "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["run_key"] for r in rows] == [f"q-1:{i}" for i in range(5)]
    assert rows[0] == {
        "app": "app-42",
        "dataset": "orders",
        "metrics": {"email.null_ratio": 0.25, "row_count": 1000.0},
        "recorded": rows[0]["recorded"],
        "run_key": "q-1:0",
        "time": "2026-11-01T06:00:00+00:00",
    }
    assert rows[2]["metrics"]["email.null_ratio"] is None
    one = run("history", "orders", "--store", store, "--json", "--metric", "email.null_ratio")
    assert one.returncode == 0, one.stderr
    got = [json.loads(line) for line in one.stdout.splitlines()]
    assert [(r["run_key"], r["metric"], r["value"]) for r in got] == [
        (f"q-1:{i}", "email.null_ratio", None if i == 2 else 0.25) for i in range(5)
    ]
    last = run("history", "orders", "--store", store, "--json", "--limit", "1")
    assert [json.loads(line)["run_key"] for line in last.stdout.splitlines()] == ["q-1:4"]


def test_the_store_comes_from_the_policy(store, tmp_path, policy_file):
    policy = tmp_path / "sparkseal.toml"
    policy.write_text(
        policy_file.read_text().replace('"sparkseal.pub"', f'"{policy_file.parent}/sparkseal.pub"')
        + f'\n[audit]\nstore = "{store}"\n'
    )
    out = run("history", "customers", "--policy", policy, "--json")
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["metrics"] for line in out.stdout.splitlines()] == [{"row_count": 7.0}]
    found = run("history", "customers", "--json", cwd=tmp_path)  # ./sparkseal.toml
    assert found.returncode == 0, found.stderr
    assert found.stdout == out.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["history", "nobody"], "SS847"),
        (["history", "orders", "--metric", "nope"], "SS847"),
    ],
)
def test_unknown_dataset_or_metric_is_bad_usage(store, args, code):
    out = run(*args, "--store", store)
    assert out.returncode == 2
    assert out.stderr.startswith(f"sparkseal: error: {code}")
    assert "customers, orders" in out.stderr or "email.null_ratio, row_count" in out.stderr


def test_bad_usage_exits_2_with_a_coded_error(tmp_path, store):
    no_store = run("history", "orders", cwd=tmp_path)
    assert (no_store.returncode, no_store.stderr[:23]) == (2, "sparkseal: error: SS846")
    bad_url = run("history", "orders", "--store", "sqlite:////nonexistent-dir/x/q.db")
    assert (bad_url.returncode, bad_url.stderr[:23]) == (2, "sparkseal: error: SS601")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    from sparkseal.audit import AuditTrail

    AuditTrail.open(empty).close()
    no_history = run("history", "orders", "--store", empty)
    assert (no_history.returncode, no_history.stderr[:23]) == (2, "sparkseal: error: SS843")
    bad_limit = run("history", "orders", "--store", store, "--limit", "0")
    assert bad_limit.returncode == 2 and "--limit" in bad_limit.stderr
    missing = run("history", "--store", store)
    assert missing.returncode == 2 and "DATASET" in missing.stderr
