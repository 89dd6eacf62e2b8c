"""``sparkseal contract`` as users run it: diff exit codes and table, infer on real Parquet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from sparkseal.contracts import diff, load_contract, schema_object

EXAMPLE = Path(__file__).parents[2] / "examples" / "contracts" / "customers.yaml"


def _run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "contract", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable, "COLUMNS": "200"},
    )


@pytest.fixture
def edited(tmp_path):
    def write(edit) -> Path:
        data = yaml.safe_load(EXAMPLE.read_text())
        edit({p["name"]: p for p in data["schema"][0]["properties"]}, data)
        path = tmp_path / "new.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    return write


def test_help_explains_the_commands():
    proc = _run("--help")
    assert proc.returncode == 0
    assert "diff" in proc.stdout and "infer" in proc.stdout and "ODCS" in proc.stdout
    proc = _run("diff", "--help")
    assert "Breaking" in proc.stdout and "Exit code" in proc.stdout


def test_diff_identical_contracts_exit_0():
    proc = _run("diff", EXAMPLE, EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert "no changes" in proc.stdout


def test_diff_breaking_change_exit_1_with_a_table(edited):
    new = edited(lambda cols, d: cols["customer_id"].update(physicalType="int"))
    proc = _run("diff", EXAMPLE, new)
    assert proc.returncode == 1, proc.stderr
    assert "type_narrowed" in proc.stdout and "customer_id" in proc.stdout
    assert "breaking" in proc.stdout
    assert "SS714: 1 breaking change(s)" in proc.stderr


def test_diff_compatible_change_exit_0_json(edited):
    def add(cols, data):
        data["schema"][0]["properties"].append({"name": "nickname", "physicalType": "string"})
        cols["balance"]["physicalType"] = "decimal(16,2)"

    proc = _run("diff", EXAMPLE, edited(add), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["breaking"] == 0
    assert {(c["kind"], c["column"]) for c in report["changes"]} == {
        ("column_added_optional", "nickname"),
        ("type_widened", "balance"),
    }


def test_diff_bad_input_exit_2_without_traceback(tmp_path):
    proc = _run("diff", tmp_path / "missing.yaml", EXAMPLE)
    assert proc.returncode == 2
    assert "SS701" in proc.stderr and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v2.2.2\nkind: DataContract\n")
    proc = _run("diff", EXAMPLE, bad)
    assert proc.returncode == 2 and "SS704" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _run("diff", EXAMPLE)
    assert proc.returncode == 2  # usage: NEW missing


def test_infer_refuses_to_overwrite(tmp_path):
    out = tmp_path / "c.yaml"
    out.write_text("keep me")
    proc = _run("infer", tmp_path, "--out", out)
    assert proc.returncode == 2 and "SS715" in proc.stderr and "--force" in proc.stderr
    assert out.read_text() == "keep me"


def test_infer_on_parquet_finds_the_email_column(tmp_path, policy_file):
    data = tmp_path / "customers.parquet"
    n = 200
    table = pa.table(
        {
            "customer_id": pa.array(range(1, n + 1), pa.int64()),
            "email": [f"person{i}@example.org" for i in range(n)],
            "score": pa.array([None if i % 7 == 0 else i / 3 for i in range(n)], pa.float64()),
            "plan": ["basic" if i % 2 else "pro" for i in range(n)],
        }
    )
    pq.write_table(table, data)
    out = tmp_path / "customers.contract.yaml"
    proc = _run("infer", data, "--policy", policy_file, "--out", out, "--no-progress")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    contract = load_contract(out)  # valid ODCS, through the standard's schema
    obj = schema_object(contract)
    assert obj.name == "customers"
    cols = {p.name: p for p in obj.properties}
    assert list(cols) == ["customer_id", "email", "score", "plan"]
    assert (cols["customer_id"].physicalType, cols["customer_id"].logicalType) == (
        "bigint",
        "integer",
    )
    assert cols["email"].classification == "pii" and cols["email"].tags == ["pii:email"]
    assert cols["plan"].classification is None
    assert cols["customer_id"].required and cols["email"].required
    assert not cols["score"].required  # nulls seen
    assert "example.org" not in out.read_text()  # values never reach the contract
    assert diff(contract, out).changes == []
