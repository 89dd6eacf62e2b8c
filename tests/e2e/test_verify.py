"""``sparkseal verify`` on real Spark: passes with the preset, fails when protections are off."""

from __future__ import annotations

import json
import subprocess
import sys


def _verify(policy, tmp_path):
    cmd = [sys.executable, "-m", "sparkseal.cli.main", "verify", "--policy", str(policy)]
    proc = subprocess.run(
        [*cmd, "--json", "--keep", str(tmp_path / "kept")],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    report = json.loads(proc.stdout)
    return proc.returncode, {c["surface"]: c for c in report["checks"]}


def test_verify_passes_with_the_preset(policy_file, tmp_path):
    code, checks = _verify(policy_file, tmp_path)
    assert code == 0, checks
    for surface in (
        "RPC authentication",
        "RPC encryption",
        "JVM shuffle/spill/cache encryption",
        "Python spill encryption",
        "local dirs, during the jobs",
        "Python spill files",
        "event log",
        "driver log",
    ):
        assert checks[surface]["status"] == "PASS", checks[surface]
    # Spark 4.3's commons-crypto cannot bind OpenSSL 3: reported, not hidden
    assert checks["JVM cipher implementation"]["status"] in ("PASS", "WARN")


def test_verify_fails_when_protections_are_off(key_dir, tmp_path):
    weak = key_dir / "weak.toml"
    weak.write_text(
        '[seal]\npublic_key = "sparkseal.pub"\n'
        "[preset]\nio_encryption = false\npython_spill_encryption = false\n"
    )
    code, checks = _verify(weak, tmp_path)
    assert code == 1
    assert checks["JVM shuffle/spill/cache encryption"]["status"] == "FAIL"
    assert checks["Python spill encryption"]["status"] == "FAIL"
    assert checks["Python spill files"]["status"] == "FAIL"  # the canary, readable on disk
