"""``sparkseal verify`` on real Spark: passes with the preset, fails when protections are off."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys


def _verify(policy, tmp_path, keep=True):
    cmd = [sys.executable, "-m", "sparkseal.cli.main", "verify", "--policy", str(policy)]
    keeping = ["--keep", str(tmp_path / "kept")] if keep else []
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run(
        [*cmd, "--json", *keeping],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
    )
    report = json.loads(proc.stdout)
    return proc.returncode, {c["surface"]: c for c in report["checks"]}


def _assert_owner_only(root):
    """Everything --keep left is 0600 (files) / 0700 (directories): it holds the auth secret."""
    files = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        assert stat.S_IMODE(os.stat(dirpath).st_mode) == 0o700, dirpath
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600, path
                files += 1
    assert files > 10
    result = json.loads((root / "result.json").read_text())
    assert result["auth_secret"], "the kept files hold the secret: the modes matter"


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
    _assert_owner_only(tmp_path / "kept")


def test_verify_fails_when_protections_are_off(key_dir, tmp_path):
    weak = key_dir / "weak.toml"
    weak.write_text(
        '[seal]\npublic_key = "sparkseal.pub"\n'
        "[preset]\nio_encryption = false\npython_spill_encryption = false\n"
    )
    code, checks = _verify(weak, tmp_path, keep=False)
    assert code == 1
    assert list((tmp_path / "tmp").iterdir()) == []  # without --keep nothing is left behind
    assert checks["JVM shuffle/spill/cache encryption"]["status"] == "FAIL"
    assert checks["Python spill encryption"]["status"] == "FAIL"
    assert checks["Python spill files"]["status"] == "FAIL"  # the canary, readable on disk
    # CI matches failures by code: each failing check names the one it is documented under
    failed = {c["code"] for c in checks.values() if c["status"] == "FAIL"}
    assert failed == {"SS504", "SS311", "SS313"}, checks
