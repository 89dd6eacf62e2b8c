"""The recorder's refusals and the CLI's record of unsealing (no Spark started)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sparkseal.audit.events import token_id
from sparkseal.audit.trail import AuditTrail
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import Policy, load_policy


def _policy(private_key, store: str, **audit) -> Policy:
    return load_policy(
        {"seal": {"public_key": private_key.public.to_text()}, "audit": {"store": store, **audit}}
    )


@pytest.fixture
def unwritable(tmp_path: Path) -> str:
    """A store no user can create, root included: its folder is a regular file."""
    (tmp_path / "not-a-dir").write_text("x")
    return f"sqlite:///{tmp_path / 'not-a-dir' / 'audit.db'}"


def test_an_unwritable_trail_stops_the_job_before_spark_starts(private_key, unwritable):
    from pyspark.sql import SparkSession

    from sparkseal import harden

    with pytest.raises(SparkSealError, match="SS640") as info:
        harden(SparkSession.builder, _policy(private_key, unwritable))
    assert "required = false" in str(info.value)
    assert SparkSession.getActiveSession() is None


def test_not_required_runs_without_a_trail_and_says_so(private_key, unwritable, caplog):
    from sparkseal.audit.recorder import AuditRecorder

    with caplog.at_level(logging.WARNING, logger="sparkseal.audit"):
        recorder = AuditRecorder.open(_policy(private_key, unwritable, required=False))
    assert recorder is None
    assert "SS641" in caplog.text


def test_no_audit_section_no_recorder(private_key):
    from sparkseal.audit.recorder import AuditRecorder
    from sparkseal.conf import AUDIT_LISTENER, jvm_conf

    policy = load_policy({"seal": {"public_key": private_key.public.to_text()}})
    assert AuditRecorder.open(policy) is None
    assert AUDIT_LISTENER not in str(jvm_conf(policy, {}))
    audited = _policy(private_key, "sqlite:///x.db")
    assert AUDIT_LISTENER in jvm_conf(audited, {})["spark.sql.queryExecutionListeners"]


def test_default_store_is_next_to_the_policy_file(tmp_path, key_dir):
    path = tmp_path / "job.toml"
    path.write_text(f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n[audit]\n')
    assert load_policy(path).audit_store_url() == f"sqlite:///{tmp_path / 'sparkseal-audit.db'}"


def _unseal(key_dir: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "sparkseal.cli.main", "unseal", "--key"]
    return subprocess.run(
        [*cmd, str(key_dir / "sparkseal.key"), *args],
        input=text.encode(),
        capture_output=True,
        check=False,
    )


def test_unseal_records_which_tokens_were_opened(key_dir, sealer, private_key, tmp_path):
    canary = "unseal-canary-4711@example.org"
    token = sealer.seal(canary)
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    proc = _unseal(key_dir, f"error: {token}\n", "--store", url)
    assert proc.returncode == 0 and canary in proc.stdout.decode()
    with AuditTrail.open(url) as trail:
        [entry] = [e.body for e in trail.entries()]
    assert entry["event"] == "unseal" and entry["source"] == "cli"
    assert entry["details"]["opened"] == [token_id(token)]
    assert entry["details"]["key_ids"] == [private_key.kid]
    assert canary.encode() not in (tmp_path / "audit.db").read_bytes()


def test_unseal_opens_nothing_when_the_store_cannot_be_written(key_dir, sealer, unwritable):
    canary = "unseal-canary-0815@example.org"
    proc = _unseal(key_dir, sealer.seal(canary) + "\n", "--store", unwritable)
    assert proc.returncode == 2
    assert b"SS640" in proc.stderr and b"Traceback" not in proc.stderr
    assert canary.encode() not in proc.stdout + proc.stderr


def test_unseal_records_inputs_whose_names_are_not_utf8(key_dir, sealer, tmp_path):
    canary = "unseal-canary-1234@example.org"
    name = os.fsdecode(b"log-\xff.txt")
    (tmp_path / name).write_text(f"x {sealer.seal(canary)}\n")
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    proc = _unseal(key_dir, "", "--store", url, str(tmp_path / name))
    assert proc.returncode == 0, proc.stderr
    assert canary in proc.stdout.decode()
    with AuditTrail.open(url) as trail:
        [entry] = [e.body for e in trail.entries()]
    assert entry["details"]["inputs"] == [str(tmp_path) + "/log-\\udcff.txt"]
