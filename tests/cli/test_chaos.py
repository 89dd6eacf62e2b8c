"""``sparkseal chaos run``: usage errors exit 2 with their code, before Spark starts."""

from __future__ import annotations

import subprocess
import sys


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sparkseal.cli.main", "chaos", "run", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_bad_fault_spec(tmp_path):
    job = tmp_path / "job.py"
    job.write_text("def main(spark):\n    return spark.range(1)\n")
    p = _run(str(job), "--fault", "explode")
    assert p.returncode == 2 and "SS985" in p.stderr and "Traceback" not in p.stderr


def test_a_job_without_main_and_a_missing_job(tmp_path):
    job = tmp_path / "job.py"
    job.write_text("X = 1\n")
    p = _run(str(job), "--fault", "fail_first_attempt")
    assert p.returncode == 2 and "SS986" in p.stderr
    p = _run(str(tmp_path / "none.py"), "--fault", "fail_first_attempt")
    assert p.returncode == 2 and "SS986" in p.stderr


def test_a_job_that_raises_on_import_is_named_by_type_only(tmp_path):
    job = tmp_path / "job.py"
    secret = "canary-7d1f@example.com"
    job.write_text(f"raise ValueError('{secret}')\n")
    p = _run(str(job), "--fault", "fail_first_attempt")
    assert p.returncode == 2 and "SS986" in p.stderr and "ValueError" in p.stderr
    assert secret not in p.stderr + p.stdout


def test_executor_faults_need_executor_jvms(tmp_path):
    job = tmp_path / "job.py"
    job.write_text("def main(spark):\n    return spark.range(1)\n")
    p = _run(str(job), "--fault", "kill_executor", "--master", "local[2,3]")
    assert p.returncode == 2 and "SS987" in p.stderr
