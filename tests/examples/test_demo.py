"""The README's demo command runs the main job: it must pass and keep customer data out."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "sealed_errors_demo.py"


def test_the_demo_passes_and_prints_no_customer_data(tmp_path):
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    env.pop("SPARKSEAL_POLICY", None)
    run = subprocess.run(
        [sys.executable, str(DEMO)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout.rstrip().endswith("demo passed")
    # the only plaintext card number and SSN are the fraud role's unprotect() output
    assert run.stdout.count("078-05-1120") == 1
    assert run.stdout.count("4111 1111 1111 1111") == 1
    assert "nnn-nn-1120" in run.stdout  # support's partial mask
    job_log = (tmp_path / "demo-out" / "job.log").read_text(errors="replace")
    assert "alan.turing(at)example.net" not in job_log
    # the pepper, the token key and the private key are readable by their owner only
    for secret in ("pepper", "token.key", "sparkseal.key"):
        path = tmp_path / "demo-out" / "keys" / secret
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert len(path.read_text().strip()) >= 32
