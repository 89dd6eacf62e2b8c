"""``sparkseal quality run`` as users run it: separate processes, a hardened local Spark,
real exit codes. Two Spark runs (a pass with a failing warn check, an error check that
fails and commits nothing); every bad-usage case is refused before Spark starts.

Run Spark tests one at a time on small machines:
``flock /tmp/sparkseal-spark.lock python -m pytest tests/cli/test_quality_run.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sparkseal.cli.quality import QualityUsageError, load_checks_file
from sparkseal.quality import Completeness, Range, Uniqueness

CANARY_WARN = "canary-warn-7f3e91@example.org"
CANARY_ERR = "canary-err-2c8d40@example.org"
SPARK_STARTED = "Setting default log level"  # Spark's first console line

BARE_CHECKS = """\
sample_rows = 2

[[checks]]
kind = "uniqueness"
name = "order_id_unique"
key = "order_id"

[[checks]]
kind = "range"
name = "amount_range"
column = "amount"
min = -10
threshold = 0.01

[[checks]]
kind = "completeness"
name = "email_present"
column = "email"
threshold = 0.001
severity = "warn"
"""

POLICY_WITH_CHECKS = """\
[seal]
public_key = "{key}"

[quality]
sample_rows = 3

[[quality.checks]]
kind = "uniqueness"
name = "order_id_unique"
key = "order_id"

[[quality.checks]]
kind = "range"
name = "amount_positive"
column = "amount"
min = 0
threshold = 0.01

[[quality.checks]]
kind = "completeness"
name = "email_present"
column = "email"
threshold = 0.001
severity = "warn"
"""


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "quality", "run", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env={
            **{k: v for k, v in os.environ.items() if k != "SPARKSEAL_POLICY"},
            "PYSPARK_PYTHON": sys.executable,
        },
    )
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Path:
    """Six orders as Parquet: row 4 has no email (warn), row 5 a negative amount (error);
    each failing row carries a canary."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("quality-run")
    (root / "raw").mkdir()
    table = pa.table(
        {
            "order_id": [1, 2, 3, 4, 5, 6],
            "amount": [10.0, 20.5, 7.25, 3.0, -3.0, 99.0],
            "email": ["a@example.com", "b@example.com", "c@example.com", None, CANARY_ERR,
                      "f@example.com"],
            "note": ["", "", "", CANARY_WARN, "", ""],
        }
    )
    pq.write_table(table, root / "raw" / "part-0.parquet")
    key = key_dir / "sparkseal.pub"
    (root / "sparkseal.toml").write_text(f'[seal]\npublic_key = "{key}"\n')
    (root / "gated.toml").write_text(POLICY_WITH_CHECKS.format(key=key))
    (root / "checks.toml").write_text(BARE_CHECKS)
    return root


def test_both_file_shapes_give_the_same_checks(work):
    bare = load_checks_file(work / "checks.toml")
    policy = load_checks_file(work / "gated.toml")  # a whole policy works as a checks file
    for q in (bare, policy):
        assert [type(c) for c in q.checks] == [Uniqueness, Range, Completeness]
        assert q.checks[2].severity == "warn" and q.checks[1].threshold == 0.01
    assert (bare.sample_rows, policy.sample_rows) == (2, 3)


def test_pass_with_a_failing_warn_check(work, opener):
    out = run(
        "raw", "--checks", "checks.toml", "--output", "clean", "--quarantine", "bad",
        "--report", "pass.json", "--no-progress", "--master", "local[1]",
        "--store", f"sqlite:///{work / 'history.db'}", "--dataset", "orders",
        "--run-key", "orders@1", cwd=work,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    table = out.stdout
    assert "quality checks (6 rows)" in table
    rows = {ln.split("│")[1].strip(): ln for ln in table.splitlines() if ln.startswith("│")}
    assert set(rows) == {"order_id_unique", "amount_range", "email_present"}
    cells = [c.strip() for c in rows["email_present"].split("│")[1:-1]]
    assert cells == ["email_present", "completeness", "null_ratio", "0.1667", "<= 0.001", "no",
                     "warn", "1"]
    assert [c.strip() for c in rows["amount_range"].split("│")][6] == "yes"
    assert "6 valid rows ->" in table and "0 quarantined rows ->" in table
    assert "1 failing-row samples, sealed, not printed: in the report pass.json" in table
    assert "SS802" in out.stderr and "email_present" in out.stderr
    assert "metrics recorded in the history: dataset orders, run orders@1" in table
    hist = subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "quality", "history", "orders", "--store",
         f"sqlite:///{work / 'history.db'}", "--metric", "row_count", "--json"],
        capture_output=True, text=True, check=False,
    )
    assert [json.loads(ln)["value"] for ln in hist.stdout.splitlines()] == [6], hist.stderr
    # committed: all six rows (a warn check quarantines nothing), quarantine empty
    import pyarrow.parquet as pq

    assert pq.read_table(work / "clean").num_rows == 6
    assert pq.read_table(work / "bad").num_rows == 0  # empty, but with the schema
    report_path = work / "pass.json"
    assert stat.S_IMODE(report_path.stat().st_mode) == 0o600
    report = json.loads(report_path.read_text())
    assert report["committed"] is True and report["passed"] is True
    assert report["samples"] == "sealed"
    (warned,) = [c for c in report["checks"] if not c["passed"]]
    assert warned["name"] == "email_present" and warned["failing_rows"] == 1
    # the sample is the failing row, sealed: the key opens it, nothing shows it in clear
    assert CANARY_WARN in opener.open(warned["samples"][0])
    for text in (out.stdout, out.stderr, report_path.read_text()):
        assert CANARY_WARN not in text and CANARY_ERR not in text


def test_error_check_fails_and_commits_nothing(work):
    out = run(
        "raw", "--policy", "gated.toml", "--output", "clean2", "--quarantine", "bad2",
        "--report", "fail.json", "--json", "--no-progress", "--master", "local[1]", cwd=work,
    )
    assert out.returncode == 1, out.stderr[-3000:]
    assert "SS801" in out.stderr and "amount_positive" in out.stderr
    assert "nothing was committed" in out.stderr
    assert not (work / "clean2").exists() and not (work / "bad2").exists()
    assert not [p for p in work.iterdir() if p.name.startswith("_sparkseal_staging")]
    printed = json.loads(out.stdout)
    assert printed["committed"] is False and printed["passed"] is False
    failed = {c["name"]: c for c in printed["checks"] if not c["passed"]}
    assert set(failed) == {"amount_positive", "email_present"}
    assert failed["amount_positive"]["failing_rows"] == 1
    assert failed["amount_positive"]["sample_count"] == 1
    assert all("samples" not in c for c in printed["checks"])  # stdout: counts only
    report = (work / "fail.json").read_text()
    assert json.loads(report)["checks"][1]["samples"]  # the report keeps them, sealed
    for text in (out.stdout, out.stderr, report):
        assert CANARY_ERR not in text and CANARY_WARN not in text


@pytest.mark.parametrize(
    ("args", "files", "expected"),
    [
        (["--checks", "missing.toml"], {}, "SS820: checks file not found: missing.toml"),
        (["--checks", "c.toml"], {"c.toml": "[[checks]]\nkind = 'range'\nname = 'r'\n"
                                            "column = 'amount'\nmin = 0\nthreshhold = 0.1\n"},
         "checks.0.range.threshhold: unknown field"),
        (["--checks", "c.toml"], {"c.toml": "[[checks]\n"}, "SS820: checks file is not valid TOML"),
        (["--checks", "c.toml"], {"c.toml": "sample_rows = 1\n"}, "SS820: no checks in c.toml"),
        (["--checks", "c.toml"], {"c.toml": "[quality]\n[[checks]]\nkind = 'sql'\n"},
         "top-level checks next to policy sections"),
        ([], {}, "SS820: no checks: pass --checks FILE"),
        (["--checks", "c.toml"], {"c.toml": BARE_CHECKS + "[[anomalies]]\nmetric = 'row_count'\n"},
         "SS846: the checks have [[quality.anomalies]] but there is no history store"),
        (["--checks", "checks.toml", "--input-format", "csv"], {"raw.csv": None},
         "SS821: input not found"),
        (["--checks", "checks.toml", "--mode", "errorifexists"], {"out/": ""},
         "SS804: --output out already exists"),
    ],
)
def test_bad_usage_fails_before_spark_starts(work, tmp_path, args, files, expected):
    shutil.copy(work / "checks.toml", tmp_path)
    shutil.copy(work / "sparkseal.toml", tmp_path)
    shutil.copytree(work / "raw", tmp_path / "raw")
    source = "raw"
    for name, text in files.items():
        if text is None:
            source = name  # an input that does not exist
        elif name.endswith("/"):
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_text(text)
    out = run(source, *args, "--output", "out", cwd=tmp_path)
    assert out.returncode == 2
    assert expected in out.stderr
    assert SPARK_STARTED not in out.stderr
    assert not (tmp_path / "out").exists() or files.get("out/") == ""


def test_a_policy_without_checks_is_no_checks_file(tmp_path):
    (tmp_path / "p.toml").write_text('[seal]\npublic_key = "k.pub"\n')
    with pytest.raises(QualityUsageError, match="SS820: no checks in"):
        load_checks_file(tmp_path / "p.toml")
    (tmp_path / "p.toml").write_text('[seal]\npublic_key = "k.pub"\n[[checks]]\nkind = "sql"\n')
    with pytest.raises(QualityUsageError, match="top-level checks next to policy sections"):
        load_checks_file(tmp_path / "p.toml")


def test_help_says_what_it_does():
    out = subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "quality", "run", "--help"],
        capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for words in ("--checks", "[[quality.checks]]", "--quarantine", "--report", "Exit code",
                  "1 an error check failed (nothing committed)", "sealed"):
        assert words in text, words
