import pytest

from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import load_policy
from sparkseal.submit import build_command, split_conf


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
    assert "spark.driver.extraJavaOptions=-Dmine=1 -Dlog4j.configurationFile=" in joined
    assert cmd[-3:] == ["--master", "local", "j.py"]
    with pytest.raises(SparkSealError, match="conflicts"):
        build_command(policy, ["--conf", "spark.python.daemon.module=x", "j.py"])
