"""``sparkseal discover`` as users run it: a real CSV, a hardened Spark, a JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "discover", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("discover-csv")
    lines = ["id,email,comment,city"]
    lines += [f"{i},user{i}@example.com,ok {i},Leeds" for i in range(300)]
    lines += ["300,not-an-email,card 4111 1111 1111 1111 on file,York"]
    (root / "part-0.csv").write_text("\n".join(lines) + "\n")
    return root


def test_json_report_and_exit_code(csv_dir, policy_file):
    proc = _run(str(csv_dir), "--policy", str(policy_file), "--json", "--no-progress")
    assert proc.returncode == 1, proc.stderr[-2000:]  # PII found
    report = json.loads(proc.stdout)
    found = {(f["column"], f["entity"]): f for f in report["findings"]}
    assert report["sampled_rows"] == 301
    assert found[("email", "email")]["where"] == "whole"
    assert found[("comment", "card")]["where"] == "embedded"
    assert found[("city", "address")]["where"] == "name"
    assert "4111" not in proc.stdout + proc.stderr  # counts only, never values


def test_suggest_prints_a_policy(csv_dir, policy_file):
    proc = _run(str(csv_dir), "--policy", str(policy_file), "--suggest", "--sample", "100")
    section = tomllib.loads(proc.stdout)["protect"]
    matched = {tuple(c["match"]) for c in section["columns"]}
    assert matched >= {("email",), ("city",)}
    assert ("comment",) not in matched  # the card is in row 301, outside the 100 sampled


def test_unknown_format_is_a_clear_error(tmp_path, policy_file):
    (tmp_path / "data.bin").write_bytes(b"\x00\x01")
    proc = _run(str(tmp_path), "--policy", str(policy_file))
    assert proc.returncode == 2
    assert "cannot tell the format" in proc.stderr and "--format" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_names_the_detectors():
    proc = _run("--help")
    assert proc.returncode == 0
    for word in ("Luhn", "mod-97", "--suggest", "--fraction", "catalog table"):
        assert word in proc.stdout
