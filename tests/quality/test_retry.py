"""Valid + quarantine = input when tasks fail once and are retried (speculative copies:
test_speculation.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path


def test_retried_tasks_lose_and_duplicate_nothing(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("retry_job.py")), str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    n = 3000
    assert got["failed_attempts"] >= 2  # the injected failures happened (map and write stage)
    expected_q = {}
    for i in range(n):
        k = i % 97
        failed = sorted(
            name for name, bad in
            (("k_unique", True), ("k_small", k > 90), ("even", i % 2 != 0)) if bad
        )
        expected_q[i] = failed  # every k repeats: every row fails k_unique
    # Each row exactly once across output and quarantine, with exactly its failed checks.
    assert got["valid"] == [] and got["quarantine_rows"] == n
    assert got["quarantined"] == {str(i): v for i, v in expected_q.items()}
    assert got["rows"] == n and got["quarantined_rows"] == n and got["valid_rows"] == 0
    failing = Counter()
    for names in expected_q.values():
        failing.update(names)
    assert got["failing"] == {"k_unique": n, "k_small": failing["k_small"],
                              "even": failing["even"]}
