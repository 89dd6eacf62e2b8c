"""``sparkseal submit`` against a real standalone master and worker on loopback."""

from __future__ import annotations

import os
import subprocess

import pytest

from sparkseal.auth import AUTH_SECRET_ENV
from tests.e2e.artifacts import leaks, run_app, unseal
from tests.e2e.processes import CmdlineWatch
from tests.standalone import standalone_cluster

CASES = "rdd_map,python_udf,jvm_cast_invalid_input,jvm_filter_literal,driver_logged"


CLUSTER_SECRET = "SPARKSEAL_TEST_CLUSTER_SECRET"
# A standalone cluster authenticates with one secret shared by master, workers and apps.
DAEMON_OPTS = (
    "-Dspark.authenticate=true -Dspark.network.crypto.enabled=true "
    "-Dspark.network.crypto.cipher=AES/GCM/NoPadding -Dspark.network.crypto.saslFallback=false"
)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    os.environ[CLUSTER_SECRET] = os.urandom(24).hex()
    root = tmp_path_factory.mktemp("standalone")
    # The daemons read the shared secret from Spark's own variable, not a -D option that
    # would put it on their command lines (docs/preset.md).
    env = {"SPARK_DAEMON_JAVA_OPTS": DAEMON_OPTS, AUTH_SECRET_ENV: os.environ[CLUSTER_SECRET]}
    with standalone_cluster(root, ("127.0.0.1",), cores=2, memory="2g", env=env) as url:
        yield url, root / "work0"


def test_submit_seals_everything_on_a_standalone_cluster(
    standalone, tmp_path, policy_file, key_dir
):
    url, work = standalone
    policy = key_dir / "standalone.toml"
    policy.write_text(
        policy_file.read_text() + f'\n[preset]\nauthenticate_secret_env = "{CLUSTER_SECRET}"\n'
    )
    with CmdlineWatch() as watch:
        run = run_app(tmp_path / "run", policy, url, CASES, submit=True, work_dir=work)
    assert "no error" not in run.manifest["outcomes"].values(), run.manifest
    # the cluster's secret is the one in force, and on no process's command line
    assert run.manifest["auth_secret"] == os.environ[CLUSTER_SECRET]
    assert watch.count("org.apache.spark.deploy.SparkSubmit") >= 1
    assert watch.count("org.apache.spark.executor.CoarseGrainedExecutorBackend") >= 1
    assert watch.count("org.apache.spark.deploy.worker.Worker") >= 1
    assert watch.holding(os.environ[CLUSTER_SECRET]) == []
    assert any(k.startswith("executor/") for k in run.artifacts), (
        "no executor logs in the worker dir"
    )
    assert any(k.startswith("eventlog/") for k in run.artifacts)
    assert leaks(run) == []
    driver = unseal(run.text("driver/"), key_dir)
    executors = unseal(run.text("executor/"), key_dir)
    recorded = unseal(run.text("eventlog/"), key_dir)
    assert run.canaries["driver_logged"] in driver
    assert run.canaries["jvm_cast_invalid_input"] in executors
    assert run.canaries["rdd_map"] in executors
    assert run.canaries["jvm_filter_literal"] in recorded
    # the driver JVM got sparkseal's log4j2 configuration from the command line
    assert "[CAST_INVALID_INPUT][SEALED:2:X:" in run.text("driver/stderr")


def test_dry_run_prints_the_command(policy_file):
    proc = subprocess.run(
        [
            *("python", "-m", "sparkseal.cli.main", "submit", "--policy", str(policy_file)),
            *("--dry-run", "--", "--master", "local[2]", "--conf", "spark.eventLog.enabled=true"),
            "job.py",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "PATH": os.path.dirname(os.sys.executable) + os.pathsep + os.environ["PATH"],
        },
    )
    cmd = proc.stdout
    assert "spark.eventLog.enabled=false" in cmd
    assert "spark.extraListeners=io.sparkseal.SealedEventLoggingListener" in cmd
    assert "log4j2-sparkseal.properties" in cmd and cmd.rstrip().endswith("job.py")
