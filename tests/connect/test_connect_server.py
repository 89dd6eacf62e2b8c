"""Spark Connect end to end: a real local Connect server, hardened or stock, and a client.

The hardened server is started by ``sparkseal connect-server``; the client hardens its
Connect builder, runs the Python UDF, pandas UDF, JVM cast and plan-literal cases with
fresh canaries, logs each failure and dies of an uncaught one. Every artifact -- client
stdout and stderr, the server's log (driver and executors: ``local[2]``), its decompressed
event log, every REST and HTML page of its UI, its local dirs -- must hold no plaintext
canary, and the sealed copies must open. The control runs the same client against a stock
server: ``harden()`` refuses that server (SS404), and the scan finds every canary.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.artifacts import Run, _event_log_bytes, free_port, leaks, unseal

pytest.importorskip("grpc", reason="the Spark Connect client needs pyspark[connect] (grpcio)")

CLIENT = Path(__file__).with_name("connect_client.py")
CASES = "python_udf,pandas_udf_raises,jvm_cast_invalid_input,jvm_raise_error,jvm_filter_literal"


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"the server never listened: {log.read_text()[-3000:]}")


@contextmanager
def _server(out: Path, policy: Path, hardened: bool):
    from sparkseal.connect import SERVER_CLASS
    from sparkseal.submit import spark_submit

    port, ui_port = free_port(), free_port()
    (out / "events").mkdir(parents=True)
    spark_args = [
        *("--master", "local[2]"),
        *("--conf", f"spark.ui.port={ui_port}"),
        *("--conf", "spark.eventLog.enabled=true"),
        *("--conf", f"spark.eventLog.dir={out / 'events'}"),
        *("--conf", f"spark.local.dir={out / 'local'}"),
        *("--conf", "spark.task.maxFailures=2"),
        *("--conf", "spark.ui.showConsoleProgress=false"),
    ]
    if hardened:
        cli = [sys.executable, "-m", "sparkseal.cli.main", "connect-server"]
        cmd = [*cli, "--policy", str(policy), "--port", str(port), "--", *spark_args]
    else:
        cmd = [spark_submit(), "--class", SERVER_CLASS]
        cmd += ["--conf", f"spark.connect.grpc.binding.port={port}", *spark_args]
    log = out / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            cmd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ
        )
    try:
        _wait_for_port(port, proc, log)
        yield f"sc://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # Spark's shutdown hooks finish the event log
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _other_policy(directory: Path) -> Path:
    from sparkseal.core import keys

    keys.write_pair(keys.generate(), directory)
    policy = directory / "sparkseal.toml"
    policy.write_text('[seal]\npublic_key = "sparkseal.pub"\n')
    return policy


def _protect_policy(policy_file: Path, out: Path) -> tuple[Path, dict[str, str]]:
    """The test policy with a [protect] section whose secrets are fresh files."""
    secrets = {name: os.urandom(24).hex() for name in ("pepper", "token_key")}
    for name, value in secrets.items():
        (out / name).write_text(value)
    policy = policy_file.with_name(f"connect-protect-{out.name}.toml")
    policy.write_text(
        policy_file.read_text()
        + f"""
[protect]
pepper = "file:{out / "pepper"}"
token_key = "file:{out / "token_key"}"
unprotect_roles = ["fraud"]

[[protect.columns]]
match = "email"
rules.analyst = "hash"
rules.support = {{ rule = "partial", keep_last = 4 }}
rules.fraud = "tokenize"
rules.ops = "encrypt"
"""
    )
    return policy, secrets


def _run(out: Path, policy: Path, hardened: bool) -> Run:
    with _server(out, policy, hardened) as (remote, ui):
        cmd = [sys.executable, str(CLIENT), "--remote", remote, "--policy", str(policy)]
        cmd += ["--out", str(out / "client"), "--ui", ui, "--cases", CASES]
        if hardened:
            cmd += ["--other-policy", str(_other_policy(out / "other-key")), "--protect"]
        else:
            cmd.append("--no-seal")
        client = subprocess.run(cmd, capture_output=True, timeout=900, check=False)
    (out / "client" / "stderr").write_bytes(client.stderr)  # for whoever reads a failure
    manifest = json.loads((out / "client" / "manifest.json").read_text())
    artifacts = {
        "client/stdout": client.stdout,
        "client/stderr": client.stderr,
        "server/log": (out / "server.log").read_bytes(),
        # the errors as the client's exception objects hold them: what crossed gRPC
        "client/received": (out / "client" / "received.json").read_bytes(),
    }
    for path in sorted(p for p in (out / "events").rglob("*") if p.is_file()):
        artifacts[f"events/{path.relative_to(out / 'events')}"] = _event_log_bytes(path)
    for root in (out / "client" / "ui", out / "local"):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            artifacts[f"{root.name}/{path.relative_to(root)}"] = path.read_bytes()
    return Run(out, manifest, client.returncode, artifacts)


@pytest.mark.cluster
def test_a_hardened_connect_server_and_client_leak_nothing(tmp_path, policy_file, key_dir, spark):
    policy, secrets = _protect_policy(policy_file, tmp_path)
    run = _run(tmp_path, policy, hardened=True)
    _check_column_rules(run.manifest, policy, spark)
    run.manifest["cases"].update(secrets)  # the server's keys are in no artifact either
    assert "Traceback" in run.text("client/stderr"), run.text("client/stderr")[-3000:]
    refused = run.manifest["refused_other_key"]  # a client whose policy has another key
    assert refused.startswith("SS404: ") and "not the policy's public key" in refused
    assert set(run.manifest["outcomes"]) == set(CASES.split(","))
    assert "no error" not in run.manifest["outcomes"].values(), run.manifest
    assert any(name.startswith("events/") for name in run.artifacts)
    assert any(name.startswith("ui/") for name in run.artifacts)
    assert leaks(run) == []
    client = unseal(run.text("client/"), key_dir)
    for case in ("python_udf", "pandas_udf_raises", "jvm_cast_invalid_input", "client_uncaught"):
        assert run.canaries[case] in client, case
    received = json.loads(run.artifacts["client/received"])  # readable conditions, sealed data
    assert received["jvm_cast_invalid_input"]["str"].startswith("[CAST_INVALID_INPUT][SEALED:2:")
    assert "[SEALED:2:" in received["jvm_raise_error"]["getMessageParameters"]
    server = unseal(run.text("server/") + run.text("events/"), key_dir)
    for case in ("python_udf", "jvm_cast_invalid_input", "jvm_filter_literal"):
        assert run.canaries[case] in server, case


def _check_column_rules(manifest: dict, policy: Path, spark) -> None:
    """Column rules applied by the Connect server equal a classic session's, exactly; the
    randomized ``encrypt`` opens to the original; opening is refused over Connect."""
    import sparkseal

    connect = manifest["protected"]
    assert connect["unprotect"].startswith("SS208: "), connect["unprotect"]
    assert "SS208: the server applies hash, tokenize and encrypt only" in connect["open"]
    email = manifest["cases"]["protect_email"]
    df = spark.createDataFrame([(1, email), (2, None)], "id int, email string")
    for role in ("analyst", "support", "fraud", "nobody"):
        classic = sparkseal.protect(df, role, policy).orderBy("id").collect()
        assert connect[role] == [list(row) for row in classic], role
    assert connect["analyst"][0][1] != email and connect["fraud"][0][1].startswith("tok2.")
    sealed = spark.createDataFrame([tuple(row) for row in connect["ops"]], "id int, email string")
    assert sealed.first().email.startswith("enc2.")
    opened = sparkseal.unprotect(sealed, "fraud", policy).orderBy("id").collect()
    assert [list(row) for row in opened] == [[1, email], [2, None]]


@pytest.mark.cluster
def test_control_a_stock_server_is_refused_and_leaks_every_canary(tmp_path, policy_file):
    run = _run(tmp_path, policy_file, hardened=False)
    assert run.manifest["refused"].startswith("SS404: "), run.manifest
    assert "canary" in run.artifacts["client/received"].decode()  # errors cross in clear
    found = {finding.split(": ", 1)[1] for finding in leaks(run)}
    assert found == set(run.canaries), leaks(run)
