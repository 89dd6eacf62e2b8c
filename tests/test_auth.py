"""How the authentication secret travels: the environment of the JVM, never the conf."""

from __future__ import annotations

import os

import pytest

from sparkseal.auth import (
    AUTH_SECRET_ENV,
    PLACEHOLDER,
    launch_environment,
    secret_environment,
)
from sparkseal.core.errors import PolicyError
from sparkseal.core.policy import load_policy


def _policy(private_key, **preset):
    return load_policy({"seal": {"public_key": private_key.public.to_text()}, "preset": preset})


def test_local_cluster_gets_a_fresh_secret_per_application(private_key):
    policy = _policy(private_key)
    master = {"spark.master": "local-cluster[2,1,1024]"}
    a = secret_environment(policy, master)[AUTH_SECRET_ENV]
    b = secret_environment(policy, master)[AUTH_SECRET_ENV]
    assert a != b and len(a) == 64 and int(a, 16) >= 0
    assert PLACEHOLDER not in (a, b)


def test_standalone_secret_comes_from_the_named_variable(private_key, monkeypatch):
    monkeypatch.setenv("CLUSTER_SECRET", "shared-cluster-secret-value")
    policy = _policy(private_key, authenticate_secret_env="CLUSTER_SECRET")
    env = secret_environment(policy, {"spark.master": "spark://h:7077"})
    assert env == {AUTH_SECRET_ENV: "shared-cluster-secret-value"}
    monkeypatch.delenv("CLUSTER_SECRET")
    with pytest.raises(PolicyError, match="SS102"):
        secret_environment(policy, {"spark.master": "spark://h:7077"})


@pytest.mark.parametrize("master", ["local[2]", "local", "yarn", "k8s://https://h:6443"])
def test_spark_makes_its_own_secret_elsewhere(private_key, master):
    assert secret_environment(_policy(private_key), {"spark.master": master}) == {}
    assert secret_environment(_policy(private_key), {}) == {}  # local[*] by default


def test_nothing_when_authentication_is_off(private_key):
    policy = _policy(private_key, authenticate=False)
    assert secret_environment(policy, {"spark.master": "local-cluster[1,1,1024]"}) == {}


def test_launch_environment_is_undone(monkeypatch):
    monkeypatch.delenv(AUTH_SECRET_ENV, raising=False)
    with launch_environment({AUTH_SECRET_ENV: "for-the-jvm-only"}):
        assert os.environ[AUTH_SECRET_ENV] == "for-the-jvm-only"
    assert AUTH_SECRET_ENV not in os.environ
    monkeypatch.setenv(AUTH_SECRET_ENV, "before")
    with pytest.raises(RuntimeError), launch_environment({AUTH_SECRET_ENV: "during"}):
        raise RuntimeError
    assert os.environ[AUTH_SECRET_ENV] == "before"


def test_the_placeholder_matches_the_jvm(spark):
    """io.sparkseal.AuthSecret recognises the same placeholder text."""
    assert spark.sparkContext._jvm.io.sparkseal.AuthSecret.PLACEHOLDER == PLACEHOLDER
