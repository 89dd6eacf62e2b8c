"""The PostgreSQL sink holds each record exactly once when speculation really runs a
second copy of a staging task on another host (a standalone cluster with workers on
127.0.0.2 and 127.0.0.3, tests/standalone.py) and the batch is then replayed; a plain
per-partition INSERT under the same speculation holds duplicates (the control)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postgres import new_database, postgres_url  # noqa: F401 - fixture
from tests.standalone import two_host_cluster

APP = Path(__file__).with_name("speculation_app.py")
N = 1000


@pytest.fixture(scope="module")
def got(tmp_path_factory, postgres_url):  # noqa: F811 - fixture
    root = tmp_path_factory.mktemp("sinks-speculation")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    try:
        with two_host_cluster(root) as master:
            proc = subprocess.run(
                [sys.executable, str(APP), master, new_database(postgres_url)],
                capture_output=True, text=True, timeout=400, check=False, env=env, cwd=root,
            )
    except RuntimeError as exc:
        pytest.fail(str(exc))
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print("seconds (sink, all):", result["sink_seconds"], result["seconds"],
          "plain (count, distinct):", result["plain"])
    return result


def _copies(attempts: list[dict]) -> tuple[list[dict], list[dict]]:
    """The speculative copies of partition 1 and its original attempt."""
    copies = [a for a in attempts if a["index"] == 1 and a["speculative"]]
    originals = [a for a in attempts if a["index"] == 1 and not a["speculative"]]
    return copies, originals


def test_speculative_copies_really_ran_on_the_other_host(got):
    for key in ("sink_attempts", "plain_attempts"):
        copies, originals = _copies(got[key])
        assert [c["status"] for c in copies] == ["SUCCESS"], got[key]
        assert [o["status"] for o in originals] == ["KILLED"], got[key]
        assert copies[0]["host"] != originals[0]["host"]


def test_postgres_holds_each_record_exactly_once_under_speculation_and_replay(got):
    assert got["ids"] == list(range(N))
    assert got["payload_ok"] == N
    assert got["markers"] == [[0, N]]  # one commit; the replay added nothing
    assert got["staged_left"] == 0


def test_a_plain_insert_under_the_same_speculation_duplicates(got):
    count, distinct = got["plain"]
    assert distinct == N and count > N  # the killed original's rows stayed
