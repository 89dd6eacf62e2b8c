"""Reading the effective conf: spark-defaults.conf as Spark reads it, --conf, a policy
(as harden() applies it) and the order in which sources override each other."""

from __future__ import annotations

import pytest

from sparkseal.conf import DAEMON_MODULE
from sparkseal.rules.doctor.conf import (
    DoctorInputError,
    effective_conf,
    parse_conf_args,
    parse_properties,
    read_defaults,
)

DEFAULTS = """\
# Default system properties included when running spark-submit.
! a bang comment
spark.master                     spark://master:7077
spark.eventLog.enabled           true
  spark.serializer=org.apache.spark.serializer.KryoSerializer
spark.driver.memory:5g
spark.executor.extraJavaOptions  -XX:+PrintGCDetails \\
                                 -Dnumbers=one\\u0020two
spark.escaped\\ key  v
not.spark.key value
spark.authenticate false
spark.authenticate   true
spark.empty
"""


def test_properties_like_spark():
    settings = {s.key: s for s in parse_properties(DEFAULTS, "conf/spark-defaults.conf")}
    assert settings["spark.master"].value == "spark://master:7077"
    assert settings["spark.master"].line == 3
    assert settings["spark.serializer"].value == "org.apache.spark.serializer.KryoSerializer"
    assert settings["spark.serializer"].line == 5
    assert settings["spark.driver.memory"].value == "5g"
    opts = settings["spark.executor.extraJavaOptions"]
    assert opts.value == "-XX:+PrintGCDetails -Dnumbers=one two" and opts.line == 7
    assert settings["spark.escaped key"].value == "v"
    assert "not.spark.key" not in settings  # spark-submit ignores non-spark keys
    assert settings["spark.authenticate"].value == "true"  # the later line wins
    assert settings["spark.authenticate"].line == 12
    assert settings["spark.empty"].value == ""
    assert all(s.path == "conf/spark-defaults.conf" for s in settings.values())


def test_read_defaults_errors(tmp_path):
    with pytest.raises(DoctorInputError, match=r"^SS590"):
        read_defaults(tmp_path / "missing.conf")
    with pytest.raises(DoctorInputError, match=r"^SS590"):
        read_defaults(tmp_path)
    bad = tmp_path / "latin1.conf"
    bad.write_bytes(b"spark.app.name caf\xe9\n")
    with pytest.raises(DoctorInputError, match=r"^SS590"):
        read_defaults(bad)


def test_conf_args():
    (s,) = parse_conf_args(["spark.a = b=c "])
    assert (s.key, s.value, s.source) == ("spark.a", "b=c", "--conf")
    for bad in ("no-equals-secret-value", "=value"):
        with pytest.raises(DoctorInputError, match=r"^SS591") as err:
            parse_conf_args([bad])
        assert bad not in str(err.value)


def test_sources_override_in_order(tmp_path, policy_file):
    defaults = tmp_path / "spark-defaults.conf"
    defaults.write_text(
        "spark.authenticate false\nspark.python.daemon.module pyspark.daemon\n"
        "spark.io.encryption.enabled false\nspark.app.name from-file\n"
    )
    conf = effective_conf([defaults], ["spark.app.name=from-conf"], policy_file)
    # --conf beats the file
    assert conf.get("spark.app.name") == "from-conf"
    # the preset fills unset keys only: an explicit setting (file or --conf) is kept
    assert conf.get("spark.authenticate") == "false"
    assert conf.settings["spark.authenticate"].line == 1
    assert conf.get("spark.network.crypto.cipher") == "AES/GCM/NoPadding"
    # the sealing settings always hold
    assert conf.get("spark.python.daemon.module") == DAEMON_MODULE
    assert conf.settings["spark.python.daemon.module"].source == "policy"
    assert conf.sources == [f"defaults:{defaults}", "--conf", f"policy:{policy_file}"]


def test_policy_appends_jvm_options_and_seals_a_requested_event_log(policy_file):
    conf = effective_conf(
        conf_args=["spark.driver.extraJavaOptions=-Xss4m", "spark.eventLog.enabled=true"],
        policy=policy_file,
    )
    opts = conf.get("spark.driver.extraJavaOptions") or ""
    assert opts.startswith("-Xss4m ") and "-javaagent:" in opts
    assert conf.get("spark.eventLog.enabled") == "false"
    assert "io.sparkseal.SealedEventLoggingListener" in (conf.get("spark.extraListeners") or "")


def test_policy_errors(tmp_path):
    with pytest.raises(DoctorInputError, match=r"^SS592"):
        effective_conf(policy=tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[seal\n")
    with pytest.raises(DoctorInputError, match=r"^SS592"):
        effective_conf(policy=bad)


def test_url_errors():
    with pytest.raises(DoctorInputError, match=r"^SS593"):
        effective_conf(url="file:///etc/passwd")
    with pytest.raises(DoctorInputError, match=r"^SS593"):
        effective_conf(url="http://127.0.0.1:9")  # discard port: nothing listens
