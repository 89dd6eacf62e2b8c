"""Exactly-once sinks in a real hardened local[2,3] streaming application (one app, in
its own process): task retries, a crash after a commit, and restarts from the checkpoint
leave each record once in PostgreSQL and in the file sink, while a plain append
duplicates; the [resilience] preset is in force; a breaker inside real Spark tasks caps
the calls each worker process makes to a failing service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postgres import new_database, postgres_url  # noqa: F401 - fixture

APP = Path(__file__).with_name("spark_app.py")
ROOT = Path(__file__).resolve().parents[2]
N = 1000


@pytest.fixture(scope="module")
def run(tmp_path_factory, key_dir, postgres_url):  # noqa: F811 - fixture
    work = tmp_path_factory.mktemp("sinks")
    policy = work / "policy.toml"
    policy.write_text(f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n\n[resilience]\n'
                      "task_max_failures = 3\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(APP), str(work), str(policy), new_database(postgres_url)],
        capture_output=True, text=True, timeout=400, check=False, env=env, cwd=work,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print("seconds (start, postgres, files, breaker):", result["part_seconds"])
    return result


def test_preset_is_in_force_in_the_session(run):
    conf = run["conf"]
    assert conf["spark.stage.maxConsecutiveAttempts"] == "8"
    assert conf["spark.shuffle.io.maxRetries"] == "6"
    assert conf["spark.shuffle.io.retryWait"] == "10s"
    assert conf["spark.task.maxFailures"] == "3"
    assert conf["spark.speculation"] == "false"
    # Local master: one executor, so no exclusion (SS972) and no decommissioning.
    assert conf["spark.excludeOnFailure.enabled"] is None
    assert conf["spark.decommission.enabled"] is None


def test_postgres_holds_each_record_exactly_once_after_retries_crash_and_replays(run):
    # The replays really happened: batch 2 after the crash, batch 3 twice from the checkpoint.
    assert run["pg_calls"] == [0, 1, 2, 2, 3, 3, 3]
    assert run["pg_errors"][0] is not None and run["pg_errors"][1:] == [None, None, None]
    assert run["pg_failed_attempts"] >= 4  # injected task failures were retried
    assert run["pg_ids"] == list(range(N))  # each record once
    assert [b for b, _ in run["pg_markers"]] == [0, 1, 2, 3]
    assert sum(r for _, r in run["pg_markers"]) == N
    assert run["pg_query_ids"] == 1  # the streaming query's id, kept across restarts
    assert run["pg_staged_left"] == 0
    # The control: a plain append under the same replays holds duplicates.
    count, distinct = run["pg_plain"]
    assert distinct == N and count == N + 3 * 250  # batch 2 once, batch 3 twice


def test_file_sink_replaces_a_replayed_batch(run):
    assert run["file_calls"] == [0, 1, 2, 3, 3] and run["file_errors"] == [None, None]
    assert run["file_ids"] == list(range(N))
    assert run["file_batches"] == [0, 1, 2, 3]
    assert run["file_entries"] == [f"batch_id={i}" for i in range(4)]  # no temp leftovers


def test_breaker_inside_spark_tasks_caps_calls_per_worker_process(run):
    assert run["breaker_failed_attempts"] == 3  # local[2,3]: every attempt failed
    by_pid = run["breaker_by_pid"]
    assert by_pid and all(n <= 2 for n in by_pid.values())  # fail_max per process
    assert sum(by_pid.values()) < 3 * 5  # well below attempts x retries: it failed fast
    assert run["breaker_rows_after"] == list(range(40))
