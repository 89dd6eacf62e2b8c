"""The RPC authentication secret is on no command line, in no py4j DEBUG log, on no
environment page and in no event log (docs/preset.md, "The authentication secret").

Each run watches every process's command line (``/proc/*/cmdline``, as any local
user can) while a real application runs on ``local-cluster``: the ``spark-submit``
script, Spark's launcher, the driver JVM, the executor JVMs and the Python workers.
The control plants a fresh secret the way ``harden()`` used to pass it and shows that
each scan finds it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from sparkseal.auth import PLACEHOLDER
from tests.conftest import run_python
from tests.e2e.artifacts import SPARK_HOME, _event_log_bytes, forms
from tests.e2e.processes import CmdlineWatch
from tests.e2e.secret_app import PLANT

APP = Path(__file__).with_name("secret_app.py")
MASTER = "local-cluster[2,1,1024]"
DRIVER_JVM = "org.apache.spark.deploy.SparkSubmit"
EXECUTOR_JVM = "org.apache.spark.executor.CoarseGrainedExecutorBackend"


@dataclass
class SecretRun:
    manifest: dict
    watch: CmdlineWatch
    artifacts: dict[str, bytes]


def _run(
    out: Path, policy: Path | None, submit: bool, master: str = MASTER, plant: str = ""
) -> SecretRun:
    out.mkdir(parents=True)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    env.pop(PLANT, None)
    if plant:
        env[PLANT] = plant  # in the environment: on the app's command line it would prove nothing
    app = [str(APP), "--master", master, "--out", str(out)]
    app += ["--policy", str(policy)] if policy else []
    cmd = [sys.executable, *app]
    if submit:
        cli = [sys.executable, "-m", "sparkseal.cli.main", "submit", "--policy", str(policy)]
        cmd = [*cli, "--", "--master", master, *app]
    with (
        CmdlineWatch() as watch,
        (out / "driver.stdout").open("wb") as so,
        (out / "driver.stderr").open("wb") as se,
    ):
        proc = subprocess.run(cmd, stdout=so, stderr=se, env=env, timeout=900, check=False)
    err = (out / "driver.stderr").read_bytes()
    assert proc.returncode == 0, err[-3000:].decode(errors="replace")
    manifest = json.loads((out / "manifest.json").read_text())
    art = {name: (out / name).read_bytes() for name in ("driver.stdout", "driver.stderr")}
    art["py4j.log"] = (out / "py4j.log").read_bytes()
    for p in sorted((out / "ui").glob("*")):
        art[f"ui/{p.name}"] = p.read_bytes()
    for p in sorted((out / "events").rglob("*")):
        if p.is_file():
            art[f"eventlog/{p.name}"] = _event_log_bytes(p)
    work = SPARK_HOME / "work" / manifest["app_id"]
    for p in sorted(work.rglob("*")) if work.is_dir() else []:
        if p.is_file():
            art[f"executor/{p.relative_to(work)}"] = p.read_bytes()
    return SecretRun(manifest, watch, art)


def _found(artifacts: dict[str, bytes], secret: str) -> list[str]:
    return sorted(name for name, data in artifacts.items() if any(f in data for f in forms(secret)))


def _assert_nowhere(run: SecretRun) -> None:
    secret = run.manifest["auth_secret"]
    assert secret and secret != PLACEHOLDER and len(secret) >= 32, "authentication was not on"
    assert run.manifest["groups"] == 7
    # the watch saw the processes it is meant to judge
    assert run.watch.count(DRIVER_JVM) >= 1, "never saw the driver JVM"
    assert run.watch.count(EXECUTOR_JVM) >= 2, "never saw the executor JVMs"
    # (the spark-submit script and Spark's launcher exec within milliseconds, so they may
    # slip between two looks; the driver JVM's command line carries the same arguments)
    assert run.watch.holding(secret) == []
    assert _found(run.artifacts, secret) == []
    # and the other scans looked at real content
    assert b"Command to send" in run.artifacts["py4j.log"]
    assert b"spark.authenticate" in run.artifacts["ui/environment.json"]
    assert b"spark.authenticate" in run.artifacts["ui/environment.html"]
    events = b"".join(v for k, v in run.artifacts.items() if k.startswith("eventlog/"))
    assert b"SparkListenerEnvironmentUpdate" in events
    assert any(k.startswith("executor/") for k in run.artifacts)


def test_submit_keeps_the_secret_off_every_command_line(policy_file, tmp_path):
    _assert_nowhere(_run(tmp_path / "run", policy_file, submit=True))


def test_harden_keeps_the_secret_off_the_gateway_command_line(policy_file, tmp_path):
    """PySpark passes builder settings to spark-submit as --conf: none may be the secret."""
    _assert_nowhere(_run(tmp_path / "run", policy_file, submit=False))


def test_control_every_scan_finds_a_planted_secret(tmp_path):
    plant = f"planted-{uuid.uuid4().hex}"
    run = _run(tmp_path / "run", None, submit=False, master="local-cluster[1,1,1024]", plant=plant)
    holders = run.watch.holders(plant)
    assert any(DRIVER_JVM.encode() in c for c in holders), run.watch.holding(plant)
    assert any(EXECUTOR_JVM.encode() in c for c in holders), run.watch.holding(plant)
    found = _found(run.artifacts, plant)
    # Spark 4.3's environment page fills its tables from the REST API in the browser:
    # its HTML holds only the defaults, and the REST answer is what it shows.
    for name in ("py4j.log", "ui/environment.json"):
        assert name in found, found
    assert any(name.startswith("eventlog/") for name in found), found


def test_a_jvm_started_without_the_secret_is_refused(key_dir):
    """A plain session first starts the JVM without _SPARK_AUTH_SECRET: fail closed (SS101)."""
    policy = key_dir / "nojvm.toml"
    policy.write_text('[seal]\npublic_key = "sparkseal.pub"\n[jvm]\nenabled = false\n')
    proc = run_python(
        f"""
        from pyspark.sql import SparkSession
        import sparkseal
        from sparkseal.conf import classpath_conf
        plain = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        for key, value in classpath_conf({{}}).items():
            plain = plain.config(key, value)
        plain.getOrCreate().stop()
        builder = SparkSession.builder.master("local-cluster[1,1,1024]")
        builder = builder.config("spark.ui.enabled", "false")
        try:
            sparkseal.harden(builder, {str(policy)!r}).getOrCreate()
            print("STARTED")
        except sparkseal.SparkSealError as exc:
            print("REFUSED", exc)
        from pyspark import SparkContext
        print("ACTIVE", SparkContext._active_spark_context is not None)
        """
    )
    assert "REFUSED SS101:" in proc.stdout, proc.stdout + proc.stderr[-3000:]
    assert "_SPARK_AUTH_SECRET" in proc.stdout and "ACTIVE False" in proc.stdout
    assert "Traceback" not in proc.stdout
