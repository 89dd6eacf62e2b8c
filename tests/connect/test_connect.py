"""The Connect helpers without a server: builder detection, server command and environment,
and the wire form of a keyed rule (the server side is tested in test_connect_server.py)."""

from __future__ import annotations

import pytest

from sparkseal.conf import BOOT_DIR
from sparkseal.connect import (
    KEYED_RULES_PLUGIN,
    SERVER_CLASS,
    is_connect_builder,
    server_args,
    server_env,
)
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import load_policy
from sparkseal.core.rules import CONNECT_KEYED_RULE, CONNECT_PROTECT_CONF
from sparkseal.submit import split_conf


class _Builder:  # the shape of PySpark's builder that harden() reads: its options
    def __init__(self, **options: str) -> None:
        self._options = options


@pytest.mark.parametrize(
    "options, env, expected",
    [
        ({}, {}, False),
        ({"spark.master": "local[2]"}, {}, False),
        ({"spark.remote": "sc://h:15002"}, {}, True),
        ({"spark.remote": "sc://h", "spark.api.mode": "classic"}, {}, False),
        ({"spark.api.mode": "connect"}, {}, True),
        ({}, {"SPARK_REMOTE": "sc://h:15002"}, True),
    ],
)
def test_connect_builders_are_recognised_as_pyspark_decides(options, env, expected, monkeypatch):
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert is_connect_builder(_Builder(**options), options) is expected


def test_the_real_remote_builder_is_a_connect_builder():
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.remote("sc://127.0.0.1:1")
    try:
        assert is_connect_builder(builder, dict(builder._options))
    finally:
        builder._options.pop("spark.remote", None)  # the builder is shared by the process


def test_server_args_keep_user_settings_and_add_plugins_and_secret_references(
    policy_file, tmp_path
):
    protect = tmp_path / "p.toml"
    protect.write_text(
        policy_file.read_text().replace("sparkseal.pub", str(policy_file.parent / "sparkseal.pub"))
        + '[protect]\npepper = "env:MY_PEPPER"\ntoken_key = "file:key.bin"\n'
    )
    user = [
        *("--conf", "spark.executorEnv.PYTHONPATH=/opt/libs"),
        *("--conf", "spark.connect.extensions.expression.classes=com.acme.Mine"),
        *("--master", "local[2]"),
    ]
    args = server_args(load_policy(protect), user, 15010, "127.0.0.1")
    conf, rest = split_conf(args)
    assert rest[:2] == ["--class", SERVER_CLASS] and rest[-2:] == ["--master", "local[2]"]
    assert conf["spark.connect.grpc.binding.port"] == "15010"
    assert conf["spark.connect.grpc.binding.address"] == "127.0.0.1"
    assert conf["spark.executorEnv.PYTHONPATH"] == f"{BOOT_DIR}:/opt/libs"
    plugins = conf["spark.connect.extensions.expression.classes"].split(",")
    assert plugins == ["com.acme.Mine", KEYED_RULES_PLUGIN]
    assert conf[f"{CONNECT_PROTECT_CONF}pepper"] == "env:MY_PEPPER"
    # file: references are made absolute: the server JVM may run in another directory
    assert conf[f"{CONNECT_PROTECT_CONF}token_key"].startswith("file:/")


def test_a_secret_value_instead_of_a_reference_is_refused(policy_file, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        policy_file.read_text().replace("sparkseal.pub", str(policy_file.parent / "sparkseal.pub"))
        + '[protect]\npepper = "plain-secret-value-1234"\n'
    )
    with pytest.raises(SparkSealError) as err:
        server_args(load_policy(bad), [], 15002, "127.0.0.1")
    assert "must reference a secret" in str(err.value)
    assert "plain-secret-value-1234" not in str(err.value)


def test_the_server_environment_carries_executor_env_to_local_workers():
    command = [
        *("--conf", "spark.executorEnv.SPARKSEAL_PUBLIC_KEY=key-text"),
        *("--conf", "spark.executorEnv.PYTHONPATH=/ignored/here"),
        "--master",
        "local[2]",
    ]
    env = server_env({"PYTHONPATH": "/mine", "HOME": "/h"}, command)
    assert env["SPARKSEAL_PUBLIC_KEY"] == "key-text"
    assert env["PYTHONPATH"] == f"{BOOT_DIR}:/mine" and env["HOME"] == "/h"


def test_a_keyed_rule_travels_as_an_extension_naming_no_secret():
    pytest.importorskip("grpc", reason="the Connect client needs pyspark[connect]")
    from pyspark.sql.connect import proto
    from pyspark.sql.connect.functions import col

    from sparkseal.columns.connect_keyed import ConnectKeyedColumns

    plan = ConnectKeyedColumns().tokenize(col("email"), "customer-email")._expr.to_plan(None)
    assert plan.extension.type_url == CONNECT_KEYED_RULE
    call = proto.Expression.FromString(plan.extension.value).unresolved_function
    assert call.function_name == "tokenize"
    assert call.arguments[0].unresolved_attribute.unparsed_identifier == "email"
    assert call.arguments[1].literal.string == "customer-email"
    assert len(call.arguments) == 2  # the key stays on the server
