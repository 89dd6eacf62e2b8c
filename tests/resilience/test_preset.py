"""The conf a [resilience] section turns into, per master, and the speculation refusal."""

from __future__ import annotations

import warnings

import pytest

from sparkseal.conf import preset_conf
from sparkseal.core.errors import PolicyError
from sparkseal.core.policy import policy_from_mapping
from sparkseal.resilience.policy import ResiliencePolicy
from sparkseal.resilience.preset import resilience_conf
from sparkseal.sinks import file_batches, partition_writer, postgres_batches


def _policy(key_dir, **resilience):
    return policy_from_mapping(
        {"seal": {"public_key": str(key_dir / "sparkseal.pub")}, "resilience": resilience},
        base_dir=key_dir,
    )


def test_cluster_master_gets_exclusion_speculation_retries_and_decommissioning():
    conf = resilience_conf(ResiliencePolicy(speculation=True, kill_excluded_executors=True),
                           "spark://127.0.0.1:7077")
    assert conf["spark.excludeOnFailure.enabled"] == "true"
    assert conf["spark.excludeOnFailure.killExcludedExecutors"] == "true"
    assert conf["spark.excludeOnFailure.task.maxTaskAttemptsPerNode"] == "2"
    assert conf["spark.task.maxFailures"] == "6"
    assert conf["spark.stage.maxConsecutiveAttempts"] == "8"
    assert conf["spark.shuffle.io.maxRetries"] == "6"
    assert conf["spark.shuffle.io.retryWait"] == "10s"
    assert conf["spark.speculation"] == "true"
    assert conf["spark.speculation.multiplier"] == "3.0"
    assert conf["spark.speculation.quantile"] == "0.9"
    assert conf["spark.speculation.minTaskRuntime"] == "10s"
    assert conf["spark.decommission.enabled"] == "true"
    assert conf["spark.storage.decommission.enabled"] == "true"
    for master in ("yarn", "k8s://https://k:6443", "local-cluster[2,1,1024]"):
        assert resilience_conf(ResiliencePolicy(), master)["spark.decommission.enabled"] == "true"


def test_local_master_gets_no_exclusion_and_no_decommissioning():
    with pytest.warns(UserWarning, match="SS972"):
        conf = resilience_conf(ResiliencePolicy(), "local[2,3]")
    assert not any(k.startswith(("spark.excludeOnFailure", "spark.decommission",
                                 "spark.storage.decommission")) for k in conf)
    assert conf["spark.task.maxFailures"] == "6" and conf["spark.speculation"] == "false"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resilience_conf(ResiliencePolicy(exclude_on_failure=False), "local[2]")


def test_speculation_is_refused_with_a_non_idempotent_sink(key_dir):
    policy = _policy(key_dir, speculation=True, sinks=[
        {"name": "kafka-out", "idempotent": False}, {"name": "pg", "idempotent": True}])
    with pytest.raises(PolicyError, match="SS971") as err:
        preset_conf(policy, {"spark.master": "yarn"})
    assert "kafka-out" in str(err.value) and "SPARK-9899" in str(err.value)
    assert "pg," not in str(err.value)
    # Without speculation, or with only idempotent sinks, the same sinks are fine.
    conf = preset_conf(_policy(key_dir, speculation=False, sinks=[
        {"name": "kafka-out", "idempotent": False}]), {"spark.master": "yarn"})
    assert conf["spark.speculation"] == "false"
    conf = preset_conf(_policy(key_dir, speculation=True, sinks=[
        {"name": "pg", "idempotent": True}]), {"spark.master": "yarn"})
    assert conf["spark.speculation"] == "true"


def test_harden_refuses_before_spark_starts(key_dir):
    from pyspark.sql import SparkSession

    from sparkseal import harden

    policy = _policy(key_dir, speculation=True, sinks=[{"name": "x", "idempotent": False}])
    with pytest.raises(PolicyError, match="SS971"):
        harden(SparkSession.builder.master("yarn"), policy)


def test_no_section_no_resilience_conf(key_dir):
    policy = policy_from_mapping({"seal": {"public_key": str(key_dir / "sparkseal.pub")}},
                                 base_dir=key_dir)
    assert "spark.task.maxFailures" not in preset_conf(policy, {})


@pytest.mark.parametrize("bad", [
    {"speculation_quantile": 1.5},
    {"speculation_multiplier": 0.5},
    {"task_max_failures": 2},  # max_task_attempts_per_node = 2 leaves no retry
    {"shuffle_fetch_retry_wait": "ten seconds"},
    {"sinks": [{"name": "a", "idempotent": True}, {"name": "a", "idempotent": False}]},
    {"speculaton": True},
])
def test_invalid_sections_are_refused(key_dir, bad):
    with pytest.raises(PolicyError, match="resilience"):
        _policy(key_dir, **bad)


def test_sinks_declare_their_idempotence(tmp_path):
    assert postgres_batches("postgresql://u@h/db", "t", ["id"]).idempotent is True
    assert file_batches(str(tmp_path)).idempotent is True
    assert partition_writer(print).idempotent is False
