"""Found by the attacker-style hunt: a directory named after a customer, a partition
directory whose *key* is data, and a password in a URL's authority went into the audit
trail and the lineage events in clear (only ``key=value`` values were sealed).

One hardened ``local[2]`` application (``names_app.py``) writes and reads
``exports/<email>/``, writes ``by_owner/<email>=1`` and tries ``hdfs://etl:<password>@...``.
The SQLite trail and the lineage file must hold neither canary in clear; the control opens
the trail's sealed parts with the private key and finds both canaries there, so the records
did carry them and the scan would see them in clear.
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

from sparkseal.audit.trail import AuditTrail
from tests.e2e.artifacts import forms, unseal

APP = Path(__file__).with_name("names_app.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory, key_dir) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("audit-names")
    tag = uuid.uuid4().hex
    canaries = {"email": f"canary-{tag}@example.com", "password": f"pw{tag[:12]}+secret"}
    store, lineage = tmp / "audit.db", tmp / "lineage.jsonl"
    policy = tmp / "policy.toml"
    policy.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n\n'
        f'[audit]\nstore = "sqlite:///{store}"\n\n'
        f'[lineage]\ntransport = "file"\npath = "{lineage}"\n'
    )
    env = {
        **os.environ,
        "NAMES_CANARIES": json.dumps([canaries["email"], canaries["password"]]),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, str(APP), str(tmp / "out"), str(policy)],
        capture_output=True, env=env, timeout=300, check=False, cwd=tmp,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    with AuditTrail.open(f"sqlite:///{store}") as trail:
        entries = [e.body for e in trail.entries()]
    return {"canaries": canaries, "store": store.read_bytes(), "entries": entries,
            "lineage": lineage.read_bytes(), "out": tmp / "out"}


def _datasets(run: dict[str, Any]) -> list[dict[str, Any]]:
    queries = [e for e in run["entries"] if e["event"] == "query"]
    return [d for q in queries for side in ("inputs", "outputs") for d in q["details"][side]]


@pytest.mark.parametrize("artifact", ["store", "lineage"])
def test_no_canary_in_clear(run, artifact):
    for case, canary in run["canaries"].items():
        assert not any(f in run[artifact] for f in forms(canary)), f"{artifact}: {case}"


def test_control_the_records_carry_the_canaries_sealed(run, key_dir):
    names = [f"{d['namespace']} {d['name']}" for d in _datasets(run)]
    opened = unseal("\n".join(names), key_dir)
    for case, canary in run["canaries"].items():
        assert canary in opened, case
    # The scan's forms do find a canary in clear: the job's own output directory has it.
    assert any(f in str(run["out"] / "exports" / run["canaries"]["email"]).encode()
               for f in forms(run["canaries"]["email"]))


def test_path_shaped_segments_stay_readable(run):
    names = [d["name"] for d in _datasets(run)]
    exports = [n for n in names if "/exports/" in n]
    assert exports and all(n.split("/exports/")[0].endswith("/out") for n in exports)
    hdfs = [d for d in _datasets(run) if d["namespace"].startswith("hdfs://")]
    assert [d["name"] for d in hdfs] == ["/landing/orders"]
    assert hdfs[0]["namespace"].startswith("hdfs://etl:[SEALED:")
    assert hdfs[0]["namespace"].endswith("@127.0.0.1:9")
