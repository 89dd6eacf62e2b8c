"""The audit trail and lineage of a real hardened job, end to end.

One application on ``local[2]`` (SQLite store, lineage to a file) and one on
``local-cluster[2,1,1024]`` (PostgreSQL store) run ``audit_app.py``: two Parquet tables
read, joined and aggregated into one, a partitioned write read back by its path, protect
and unprotect, one query failing with a customer's email in its error. Then the trail must
hold an entry for each with the right inputs, outputs and row counts, verify, and contain
no canary in clear -- in the SQLite file or a ``pg_dump`` -- while its sealed error opens
to the original. A control plants one canary in clear the way a naive audit log would and
shows the same scan finds it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sparkseal.audit.trail import AuditTrail
from tests.audit.conftest import new_database
from tests.e2e.artifacts import forms, unseal
from tests.lineage.schema_check import validate_json
from tests.postgres import _bin

APP = Path(__file__).with_name("audit_app.py")


def _canaries() -> list[str]:
    tag = uuid.uuid4().hex[:10]
    return [f"cn{tag}@mail.example", f"Zed Canary{tag}", f"seg{tag}"]


def _run(tmp: Path, policy_text: str, master: str, *extra: str) -> dict[str, Any]:
    policy = tmp / "policy.toml"
    policy.write_text(policy_text)
    canaries = _canaries()
    env = {**os.environ, "AUDIT_CANARIES": json.dumps(canaries), "PYTHONPATH": os.getcwd()}
    proc = subprocess.run(
        [sys.executable, str(APP), str(tmp / "data"), str(policy), master, *extra],
        capture_output=True,
        env=env,
        timeout=600,
        check=False,
    )
    (tmp / "driver.log").write_bytes(proc.stdout + proc.stderr)
    manifest = tmp / "data" / "manifest.json"
    assert manifest.exists(), proc.stderr.decode()[-3000:]
    return {"canaries": canaries, "manifest": json.loads(manifest.read_text()), "policy": policy}


def _policy(key_dir: Path, secrets: Path, audit: str, lineage: str = "") -> str:
    return f"""
[seal]
public_key = "{key_dir / "sparkseal.pub"}"

[protect]
pepper = "file:{secrets / "pepper"}"
token_key = "file:{secrets / "token"}"
unprotect_roles = ["fraud"]

[[protect.columns]]
match = "email"
rules.fraud = "tokenize"

{audit}
{lineage}
"""


@pytest.fixture(scope="module")
def secrets(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("audit-secrets")
    for name in ("pepper", "token"):
        (root / name).write_text(os.urandom(24).hex())
    return root


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, key_dir, secrets) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("audit-local")
    store = tmp / "audit.db"
    audit = f'[audit]\nstore = "sqlite:///{store}"\n'
    lineage = f'[lineage]\ntransport = "file"\npath = "{tmp / "lineage.jsonl"}"\n'
    # This job dies with an uncaught exception instead of spark.stop(): its record ends at exit.
    run = _run(tmp, _policy(key_dir, secrets, audit, lineage), "local[2]", "crash")
    run.update(url=f"sqlite:///{store}", dump=store.read_bytes(), lineage=tmp / "lineage.jsonl")
    run["crash"] = True
    return run


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory, key_dir, secrets, postgres_url) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("audit-cluster")
    url = new_database(postgres_url)
    run = _run(
        tmp, _policy(key_dir, secrets, f'[audit]\nstore = "{url}"\n'), "local-cluster[2,1,1024]"
    )
    dump = _pg_dump(url)
    run.update(url=url, dump=dump)
    return run


def _pg_dump(url: str) -> bytes:
    u = sa.make_url(url)
    cmd = [_bin("pg_dump") or "pg_dump", "-h", u.host, "-p", str(u.port), "-U", u.username]
    return subprocess.run([*cmd, u.database], capture_output=True, check=True).stdout


def _entries(url: str) -> list[dict[str, Any]]:
    with AuditTrail.open(url) as trail:
        return [e.body for e in trail.entries()]


def _check_trail(run: dict[str, Any], key_dir: Path) -> None:
    m = run["manifest"]
    assert m["partition_rows"] == 2 and m["reopened"] and m["failure"] != "no error"
    entries = _entries(run["url"])
    events = [e["event"] for e in entries]
    assert events[:2] == ["app.start", "policy.load"] and events[-1] == "app.end"
    assert all(e["where"]["app_id"] == m["app_id"] for e in entries)
    end = entries[-1]
    if "crash" in run:
        assert end["outcome"] == "failure" and end["details"]["error"].startswith("RuntimeError: ")
        assert run["canaries"][0] in unseal(end["details"]["error"], key_dir)
    else:
        assert end["outcome"] == "success" and "error" not in end["details"]
    queries = [e for e in entries if e["event"] == "query"]

    def wrote(name: str) -> dict[str, Any]:
        [q] = [
            q
            for q in queries
            if any(o["name"].endswith(f"/{name}") for o in q["details"]["outputs"])
        ]
        return q

    daily = wrote("daily")
    assert sorted(Path(i["name"]).name for i in daily["details"]["inputs"]) == [
        "customers",
        "orders",
    ]
    [out] = daily["details"]["outputs"]
    assert (out["format"], out["mode"], out["rows"]) == ("parquet", "ErrorIfExists", 2)
    assert wrote("orders")["details"]["outputs"][0]["rows"] == 3
    assert wrote("customers_protected")["details"]["outputs"][0]["rows"] == 2
    # The partition read by its path: the directory's key is readable, its value sealed.
    read_back = [
        i["name"] for q in queries for i in q["details"]["inputs"] if "/segments/" in i["name"]
    ]
    assert len(read_back) == 2 and all("segment=[SEALED:" in n for n in read_back)  # V1, V2
    two = [q for q in queries if len(q["details"]["inputs"]) == 2 and not q["details"]["outputs"]]
    assert any(
        sorted(Path(i["name"]).name for i in q["details"]["inputs"]) == ["orders", "orders_b"]
        for q in two
    )
    assert run["canaries"][2] in unseal(read_back[0], key_dir)
    protect = [e["details"] for e in entries if e["event"] == "protect"]
    assert {"role": "fraud", "columns": {"email": "tokenize"}} in protect
    assert {"role": "ANALYST", "columns": {"email": "drop"}} in protect
    [unprotect] = [e for e in entries if e["event"] == "unprotect"]
    assert unprotect["details"]["domains"] == {"email": "match:email"}
    [failed] = [q for q in queries if q["outcome"] == "failure"]
    assert failed["details"]["error"].count("[SEALED:") >= 1
    assert run["canaries"][0] in unseal(failed["details"]["error"], key_dir)
    [policy] = [e for e in entries if e["event"] == "policy.load"]
    assert policy["details"]["seal_key_id"] and policy["details"]["fingerprint"].startswith(
        "sha256:"
    )


def _plaintext(data: bytes, canaries: list[str]) -> list[str]:
    """Canaries in ``data`` as text, or as the hex a ``bytea`` column shows in a dump."""
    lower = data.lower()
    return [c for c in canaries if any(f in data or f.hex().encode() in lower for f in forms(c))]


def _verify(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "audit", "verify", "--store", url],
        capture_output=True,
        check=False,
    )


def test_local_job_is_audited(local_run, key_dir):
    _check_trail(local_run, key_dir)
    assert _verify(local_run["url"]).returncode == 0


def test_local_store_and_lineage_hold_no_plaintext(local_run):
    assert _plaintext(local_run["dump"], local_run["canaries"]) == []
    lineage = local_run["lineage"].read_bytes()
    assert _plaintext(lineage, local_run["canaries"]) == []
    assert (
        _plaintext((local_run["lineage"].parent / "driver.log").read_bytes(), local_run["canaries"])
        == []
    )


def test_lineage_events_are_valid_with_column_lineage(local_run):
    events = [validate_json(line) for line in local_run["lineage"].read_text().splitlines()]
    kinds = [(e["eventType"], e["job"]["name"]) for e in events]
    assert kinds[0][0] == "START" and kinds[-1][0] == "FAIL"  # the job crashed at the end
    daily = [
        o
        for e in events
        if e["eventType"] == "COMPLETE"
        for o in e.get("outputs", [])
        if o["name"].endswith("/daily")
    ]
    assert daily, kinds
    fields = daily[0]["facets"]["columnLineage"]["fields"]
    assert {
        k: sorted((Path(i["name"]).name, i["field"]) for i in v["inputFields"])
        for k, v in fields.items()
    } == {
        "customer": [("customers", "name")],
        "total": [("orders", "amount")],
        "orders": [],
    }


def test_cluster_job_is_audited_on_postgres(cluster_run, key_dir):
    _check_trail(cluster_run, key_dir)
    assert _verify(cluster_run["url"]).returncode == 0
    assert _plaintext(cluster_run["dump"], cluster_run["canaries"]) == []


def test_control_the_scan_finds_a_canary_kept_in_clear(local_run, tmp_path, postgres_url):
    """What a naive audit log does (seed 003: the error text as it is) -- the scan sees it."""
    canary = local_run["canaries"][0]
    naive = {"event": "query", "outcome": "failure", "details": {"error": f"bad customer {canary}"}}
    sqlite = tmp_path / "naive.db"
    with AuditTrail.open(f"sqlite:///{sqlite}") as trail:
        trail.append([naive])
    assert _plaintext(sqlite.read_bytes(), [canary]) == [canary]
    url = new_database(postgres_url)
    with AuditTrail.open(url) as trail:
        trail.append([naive])
    dump = _pg_dump(url)
    assert _plaintext(dump, [canary]) == [canary]
