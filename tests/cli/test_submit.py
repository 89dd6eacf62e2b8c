import os

import pytest

from sparkseal.auth import AUTH_SECRET_ENV, PLACEHOLDER
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import load_policy
from sparkseal.submit import build_command, split_conf, submit_env


def test_split_conf_understands_spark_submit_forms():
    conf, rest = split_conf(
        ["--conf", "a=1", "--conf=b=2=3", "--driver-java-options", "-Dx=1", "--master", "m", "j.py"]
    )
    assert conf == {"a": "1", "b": "2=3", "spark.driver.extraJavaOptions": "-Dx=1"}
    assert rest == ["--master", "m", "j.py"]


@pytest.mark.parametrize(
    "args, message", [(["--conf"], "needs a value"), (["--conf", "x"], "KEY=VALUE")]
)
def test_split_conf_bad_input(args, message):
    with pytest.raises(SparkSealError, match=message):
        split_conf(args)


def test_command_keeps_user_options_and_refuses_conflicts(policy_file):
    policy = load_policy(policy_file)
    cmd = build_command(policy, ["--driver-java-options", "-Dmine=1", "--master", "local", "j.py"])
    joined = " ".join(cmd)
    assert "spark.driver.extraJavaOptions=-Dmine=1 -javaagent:" in joined
    assert "-Dlog4j.configurationFile=" in joined
    assert cmd[-3:] == ["--master", "local", "j.py"]
    with pytest.raises(SparkSealError, match="conflicts"):
        build_command(policy, ["--conf", "spark.python.daemon.module=x", "j.py"])


def test_the_secret_is_in_the_environment_never_the_command(policy_file, monkeypatch):
    monkeypatch.setenv("CLUSTER_SECRET", "shared-cluster-secret-value")
    standalone = policy_file.with_name("standalone-unit.toml")
    standalone.write_text(
        policy_file.read_text() + '[preset]\nauthenticate_secret_env = "CLUSTER_SECRET"\n'
    )
    policy = load_policy(standalone)
    for master in ("spark://h:7077", "local-cluster[2,1,1024]"):
        args = ["--master", master, "job.py"]
        cmd = build_command(policy, args)
        env = submit_env(policy, args)
        assert f"spark.authenticate.secret={PLACEHOLDER}" in cmd
        secret = env[AUTH_SECRET_ENV]
        assert len(secret) >= 16 and not any(secret in arg for arg in cmd)
    assert submit_env(policy, ["--master", "spark://h:7077", "j.py"])[AUTH_SECRET_ENV] == (
        "shared-cluster-secret-value"
    )
    local = submit_env(policy, ["--master", "local[2]", "j.py"])
    assert local.get(AUTH_SECRET_ENV) == os.environ.get(AUTH_SECRET_ENV)  # Spark makes its own


def test_a_secret_on_the_submit_line_is_refused(cli, policy_file):
    proc = cli(
        *("submit", "--policy", policy_file, "--dry-run", "--"),
        *("--master", "local[2]", "--conf", "spark.authenticate.secret=hunter2-long-enough"),
        "job.py",
    )
    assert proc.returncode == 2
    assert b"SS103: " in proc.stderr and b"Traceback" not in proc.stderr
    assert b"hunter2" not in proc.stderr + proc.stdout
