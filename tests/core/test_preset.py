import re

import pytest

from sparkseal.auth import PLACEHOLDER
from sparkseal.conf import REDACTION_REGEX, preset_conf
from sparkseal.core.errors import PolicyError, SparkSealError
from sparkseal.core.policy import load_policy


def _policy(private_key, **preset):
    return load_policy({"seal": {"public_key": private_key.public.to_text()}, "preset": preset})


def test_defaults_are_safe(private_key):
    conf = preset_conf(_policy(private_key), {"spark.master": "local[2]"})
    assert conf["spark.authenticate"] == "true"
    assert "spark.authenticate.secret" not in conf  # Spark generates it for local masters
    assert conf["spark.network.crypto.cipher"] == "AES/GCM/NoPadding"
    assert conf["spark.network.crypto.saslFallback"] == "false"
    assert conf["spark.io.encryption.keySizeBits"] == "256"
    assert conf["spark.executorEnv.SPARKSEAL_SPILL_ENCRYPTION"] == "1"


def test_local_cluster_and_standalone_get_only_the_placeholder(private_key, monkeypatch):
    """Spark's driver needs the key set there; the secret itself travels in the environment."""
    monkeypatch.setenv("CLUSTER_SECRET", "shared-cluster-secret-value")
    policy = _policy(private_key, authenticate_secret_env="CLUSTER_SECRET")
    for master in ("local-cluster[2,1,1024]", "spark://h:7077"):
        conf = preset_conf(policy, {"spark.master": master})
        assert conf["spark.authenticate.secret"] == PLACEHOLDER
        assert "shared-cluster-secret-value" not in repr(conf)


def test_standalone_needs_the_cluster_secret(private_key, monkeypatch):
    monkeypatch.delenv("CLUSTER_SECRET", raising=False)
    with pytest.raises(PolicyError, match=r"SS102: .*authenticate_secret_env"):
        preset_conf(_policy(private_key), {"spark.master": "spark://h:7077"})
    policy = _policy(private_key, authenticate_secret_env="CLUSTER_SECRET")
    with pytest.raises(PolicyError, match="SS102"):  # named but not set
        preset_conf(policy, {"spark.master": "spark://h:7077"})
    off = _policy(private_key, authenticate=False)
    conf = preset_conf(off, {"spark.master": "spark://h:7077"})
    assert "spark.authenticate" not in conf and "spark.network.crypto.enabled" not in conf


def test_a_secret_in_the_conf_is_refused(private_key):
    for policy in (_policy(private_key), _policy(private_key, authenticate=False)):
        with pytest.raises(SparkSealError, match=r"SS103: .*command line"):
            preset_conf(policy, {"spark.master": "local[2]", "spark.authenticate.secret": "s3"})
    ok = {"spark.master": "local-cluster[1,1,1024]", "spark.authenticate.secret": PLACEHOLDER}
    preset_conf(_policy(private_key), ok)  # hardening twice is fine


def test_every_item_can_be_turned_off(private_key):
    policy = _policy(
        private_key, network_crypto=False, io_encryption=False, python_spill_encryption=False
    )
    conf = preset_conf(policy, {"spark.master": "local"})
    assert "spark.network.crypto.enabled" not in conf and "spark.io.encryption.enabled" not in conf
    assert conf["spark.executorEnv.SPARKSEAL_SPILL_ENCRYPTION"] == "0"


@pytest.mark.parametrize(
    "key",
    [
        "spark.hadoop.parquet.encryption.key.list",
        "spark.hadoop.parquet.encryption.kms.instance.url.token",
        "spark.authenticate.secret",
        "spark.hadoop.fs.s3a.access.key",
        "spark.datasource.jdbc.url",
    ],
)
def test_redaction_covers_key_material(key, private_key):
    regex = preset_conf(_policy(private_key), {"spark.master": "local"})["spark.redaction.regex"]
    value = "jdbc:postgresql://db/x?user=u&password=p" if "jdbc" in key else "v"
    assert re.search(regex, key) or re.search(regex, value)
    assert regex.startswith(REDACTION_REGEX)


def test_bad_preset_fields(private_key):
    with pytest.raises(PolicyError, match=r"preset\.io_key_bits"):
        _policy(private_key, io_key_bits=100)
    with pytest.raises(PolicyError, match=r"preset\.encrypt_everything: unknown field"):
        _policy(private_key, encrypt_everything=True)
