"""Fault kinds that need task retries only, on ``local[2,3]`` (one application in its own
process: see local_app.py): each faulted output equals the clean one; the controls show
the comparison and the "did it happen" check can fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def got(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("chaos-local")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYSPARK_PYTHON": sys.executable}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("local_app.py")), str(out)],
        capture_output=True, text=True, timeout=400, check=False, env=env, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_injection_point_changes_no_row(got):
    d = got["differential"]
    assert d["equal"] and d["rows"] == 997
    r = d["report"]
    assert r["ok"] and r["equal"] and r["faults"] == []
    assert r["clean"] == r["faulted"] and r["clean"]["rows"] == 997
    assert r["clean"]["duplicate_keys"] == 0
    assert r["observed"]["failed_attempts"] == 0


def test_failed_first_attempts_are_retried_and_change_nothing(got):
    r = got["fail_first_attempt:share=0.5"]
    assert r["ok"], r["findings"]
    assert r["observed"]["chaos_failures"] >= 1
    assert r["observed"]["chaos_failures"] == r["observed"]["failed_attempts"]
    assert r["clean"] == r["faulted"]


def test_slowed_tasks_change_nothing(got):
    r = got["slow_tasks:share=0.34,seconds=2"]
    assert r["ok"], r["findings"]
    assert r["happened"] == {"slow_tasks:share=0.34,seconds=2.0,seed=0": True}
    assert r["clean"] == r["faulted"]


def test_a_fault_that_never_fires_fails_the_run(got):
    r = got["fail_first_attempt:share=0.000001"]
    assert not r["ok"] and r["equal"]
    assert [f[:6] for f in r["findings"]] == ["SS989:"]


def test_a_changed_output_is_caught(got):
    r = got["lossy"]
    assert not r["ok"] and not r["equal"]
    assert r["faulted"]["rows"] == r["clean"]["rows"] - 1
    assert any(f.startswith("SS988:") for f in r["findings"])


def test_restart_from_checkpoint_mid_batch(got):
    s = got["stream"]
    assert s["clean"]["rows"] == 150 and s["clean"]["dupes"] == 0
    idem, append = s["idempotent"], s["append"]
    assert idem["crashed"] and idem["restarted"]
    assert (idem["rows"], idem["checksum"], idem["dupes"]) == (150, s["clean"]["checksum"], 0)
    # The control: a plain append writes the replayed batch twice, and the check sees it.
    assert append["crashed"] and append["restarted"]
    assert append["rows"] == 200 and append["dupes"] == 50


def test_a_failing_sink_opens_the_breaker_which_waits_half_opens_and_closes(got):
    r = got["sink"]["ride_out"]["report"]
    assert r["ok"], r["findings"]
    assert r["clean"] == r["faulted"] and r["clean"]["rows"] == 2000
    assert r["faulted"]["duplicate_keys"] == 0  # each row delivered exactly once
    ev = r["sink"]
    # Each worker process that sent: its first 2 sends failed (fail_max = 2, not the 5
    # attempts: the breaker cut the retries short), it opened, waited without calling,
    # half-opened and closed on the trial call.
    assert ev["processes"] >= 1
    assert ev["injected"] == 2 * ev["processes"]
    assert ev["open"] == ev["half-open"] == ev["closed"] == ev["processes"]
    assert ev["rejected"] == 0
    # Nothing of the outage reached the service; every batch reached it once.
    assert got["sink"]["ride_out"]["requests"] == 2000 // 100


def test_a_failing_sink_without_wait_fails_the_tasks_fast_and_the_run(got):
    r = got["sink"]["fail_fast"]["report"]
    assert not r["ok"] and r["faulted"] is None
    assert any(f.startswith("SS988:") for f in r["findings"])
    ev = r["sink"]
    # local[2,3]: a task failed 3 times; each failed attempt's worker exits, so each new
    # attempt starts with a closed breaker (it opens again; nothing is rejected). Every
    # breaker opened at fail_max = 2 failures, not after the 5 attempts; only the task
    # running beside the one that failed the job may be killed before its breaker opened
    # (one or two failures recorded, no "open"), so at most 2 failures more than 2 per open.
    assert ev["open"] >= 3 and 2 * ev["open"] <= ev["injected"] <= 2 * ev["open"] + 2
    assert ev["rejected"] == 0
    assert got["sink"]["fail_fast"]["requests"] == 0
