"""Fault specs, the deterministic choice of tasks, and the executor lookup (no Spark)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sparkseal.chaos import FailFirstAttempt, FailingSink, FaultSpecError, KillExecutor, parse
from sparkseal.chaos.executor import find_executor
from sparkseal.chaos.faults import chosen


def test_specs_parse_into_faults_and_back():
    f = parse("fail_first_attempt:share=0.25,seed=7")
    assert f == FailFirstAttempt(share=0.25, seed=7)
    assert parse(f.spec()) == f
    assert parse("kill_executor") == KillExecutor()
    assert parse("failing_sink:calls=0,for_seconds=2.5") == FailingSink(calls=0, for_seconds=2.5)


@pytest.mark.parametrize("spec", [
    "explode", "fail_first_attempt:share=0", "fail_first_attempt:share=2",
    "fail_first_attempt:bogus=1", "slow_tasks:seconds=x", "slow_tasks:seconds=-1",
    "kill_executor:partition=-1", "fail_first_attempt:share",
    "failing_sink:calls=-1", "failing_sink:calls=0", "failing_sink:for_seconds=-1",
    "failing_sink:calls=x",
])
def test_bad_specs_are_refused_with_a_code(spec):
    with pytest.raises(FaultSpecError, match=r"^SS985: "):
        parse(spec)


def test_the_choice_of_tasks_is_stable_and_near_the_share():
    picks = [chosen(0, "map", p, 0.3) for p in range(2000)]
    assert picks == [chosen(0, "map", p, 0.3) for p in range(2000)]
    assert 0.25 < sum(picks) / 2000 < 0.35
    assert picks != [chosen(1, "map", p, 0.3) for p in range(2000)]  # the seed matters
    assert all(chosen(0, "map", p, 1.0) for p in range(10))


def test_the_executor_is_the_nearest_executor_backend_ancestor(tmp_path):
    assert find_executor() is None  # pytest runs under no executor JVM
    # A stand-in "executor": a process whose argv names the backend class, with a child.
    script = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
              "'import time; time.sleep(30)']); print(p.pid, flush=True); p.wait()")
    parent = subprocess.Popen(
        [sys.executable, "-c", script, "org.apache.spark.executor.CoarseGrainedExecutorBackend",
         "--executor-id", "7"], stdout=subprocess.PIPE, text=True,
    )
    try:
        child = int(parent.stdout.readline())
        found = find_executor(child)
        assert found is not None and found.pid == parent.pid and found.executor_id == "7"
        assert find_executor(os.getpid()) is None
    finally:
        parent.kill()
        parent.wait()
        subprocess.run(["kill", str(child)], check=False)
