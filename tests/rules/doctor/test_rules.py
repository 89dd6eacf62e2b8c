"""One positive and one negative case per doctor rule, each rule run alone on a conf
built from settings (as ``--conf`` would give them)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sparkseal.conf import ATTESTATION_PLUGIN, DAEMON_MODULE, WORKER_MODULE
from sparkseal.core.rules import REDACTION_REGEX
from sparkseal.rules.doctor import CHECKS
from sparkseal.rules.doctor.conf import EffectiveConf, Setting
from sparkseal.rules.doctor.redaction import MUST_REDACT, SPARK_DEFAULT, missed_keys
from sparkseal.rules.model import RULES

JAR = "/opt/sparkseal/sparkseal-jvm.jar"
JVM_OPTS = (
    f"-javaagent:{JAR} -Dlog4j.configurationFile=/x/log4j2.properties -Dio.sparkseal.publicKey=k"
)
SECRET = "s3cr3t-canary-4f1c9a"


def conf_of(values: dict[str, str], **attrs: object) -> EffectiveConf:
    conf = EffectiveConf()
    conf.apply([Setting(k, v, "--conf") for k, v in values.items()], "--conf")
    for name, value in attrs.items():
        setattr(conf, name, value)
    return conf


def findings(code: str, conf: EffectiveConf):
    return list(CHECKS[code](conf))


# code: (conf that triggers it, conf that does not)
CASES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "SS500": ({"spark.authenticate": "false"}, {"spark.authenticate": "TRUE"}),
    "SS501": ({}, {"spark.network.crypto.enabled": "true"}),
    "SS502": (
        {"spark.network.crypto.enabled": "true"},
        {
            "spark.network.crypto.enabled": "true",
            "spark.network.crypto.cipher": "AES/GCM/NoPadding",
        },
    ),
    "SS503": (
        {"spark.network.crypto.enabled": "true"},
        {"spark.network.crypto.enabled": "true", "spark.network.crypto.saslFallback": "false"},
    ),
    "SS504": ({"spark.io.encryption.enabled": "false"}, {"spark.io.encryption.enabled": "true"}),
    "SS505": ({"spark.redaction.regex": SPARK_DEFAULT}, {"spark.redaction.regex": REDACTION_REGEX}),
    "SS506": ({}, {"spark.sql.redaction.string.regex": "(?i)email\\s*=\\s*'[^']*'"}),
    "SS507": (
        {"spark.ui.filters": "io.sparkseal.ui.SealingUiFilter"},
        {"spark.acls.enable": "true"},
    ),
    "SS509": ({"spark.eventLog.enabled": "true"}, {"spark.eventLog.enabled": "false"}),
    "SS511": (
        {"spark.hadoop.fs.s3a.secret.key": SECRET},
        {"spark.hadoop.fs.s3a.secret.key": "${env:AWS_SECRET_ACCESS_KEY}"},
    ),
    "SS512": (
        {"spark.python.daemon.module": "pyspark.daemon"},
        {
            "spark.python.daemon.module": DAEMON_MODULE,
            "spark.python.worker.module": WORKER_MODULE,
            "spark.executorEnv.SPARKSEAL_PUBLIC_KEY": "pk",
        },
    ),
    "SS513": (
        {"spark.driver.extraJavaOptions": JVM_OPTS, "spark.executor.extraJavaOptions": "-Xss4m"},
        {"spark.driver.extraJavaOptions": JVM_OPTS, "spark.executor.extraJavaOptions": JVM_OPTS},
    ),
    "SS514": (
        {"spark.plugins": "com.example.Plugin"},
        {"spark.plugins": f"x.Y,{ATTESTATION_PLUGIN}"},
    ),
    "SS515": (
        {
            "spark.speculation": "true",
            "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2",
        },
        {
            "spark.speculation": "false",
            "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2",
        },
    ),
    "SS516": ({"spark.speculation": "true"}, {"spark.speculation": "false"}),
    "SS517": (
        {
            "spark.dynamicAllocation.enabled": "true",
            "spark.dynamicAllocation.shuffleTracking.enabled": "false",
        },
        {"spark.dynamicAllocation.enabled": "true"},
    ),
    "SS518": ({"spark.python.worker.reuse": "false"}, {}),
    "SS519": (
        {"spark.serializer": "org.apache.spark.serializer.KryoSerializer"},
        {
            "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
            "spark.kryo.registrationRequired": "true",
        },
    ),
    "SS520": ({}, {"spark.ui.filters": "io.sparkseal.ui.SealingUiFilter"}),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_the_unsafe_conf(code):
    found = findings(code, conf_of(CASES[code][0]))
    assert found and all(f.code == code and f.conf_key for f in found)
    for f in found:  # the message names keys, never a value of the conf
        for value in CASES[code][0].values():
            if len(value) > 5:
                assert value not in f.message


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_the_safe_conf(code):
    assert findings(code, conf_of(CASES[code][1])) == []


def test_every_doctor_rule_has_cases_or_its_own_test():
    own_tests = {"SS508", "SS510", "SS521"}  # below: a server's answer, a directory, a policy
    doctor_rules = {c for c, r in RULES.items() if r.tool == "doctor"}
    assert doctor_rules == set(CHECKS)
    assert set(CASES) | own_tests == doctor_rules


def test_ss508_ui_reachable_only_when_the_url_answered():
    assert findings("SS508", conf_of({}, ui_answered_anonymously="http://h:4040"))
    assert findings("SS508", conf_of({})) == []


def _logging_to(path: Path) -> EffectiveConf:
    return conf_of(
        {
            "spark.extraListeners": "io.sparkseal.SealedEventLoggingListener",
            "spark.eventLog.dir": f"file:{path}",
        }
    )


def test_ss510_event_log_dir_readable_by_others(tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    os.chmod(events, 0o755)
    found = findings("SS510", _logging_to(events))
    assert [f.code for f in found] == ["SS510"] and "readable by other users" in found[0].message


def test_ss510_log_file_readable_and_dir_writable_without_sticky_bit(tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    (events / "app-1").write_text("{}")
    os.chmod(events / "app-1", 0o644)
    os.chmod(events, 0o733)
    (message,) = [f.message for f in findings("SS510", _logging_to(events))]
    assert "without the sticky bit" in message and "1 log file" in message


def test_ss510_silent_on_a_private_or_shared_sticky_dir(tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    os.chmod(events, 0o700)
    assert findings("SS510", _logging_to(events)) == []
    os.chmod(events, 0o1773)
    assert stat.S_IMODE(events.stat().st_mode) & stat.S_ISVTX
    assert findings("SS510", _logging_to(events)) == []
    # not logging at all, or logging to HDFS: nothing to check locally
    os.chmod(events, 0o777)
    assert findings("SS510", conf_of({"spark.eventLog.dir": f"file:{events}"})) == []
    hdfs = {"spark.eventLog.enabled": "true", "spark.eventLog.dir": "hdfs://nn/spark-events"}
    assert findings("SS510", conf_of(hdfs)) == []


def test_redaction_list_is_what_sparkseal_redacts_and_spark_misses():
    assert missed_keys(REDACTION_REGEX) == []  # sparkseal's own regex covers every name
    missed = missed_keys(SPARK_DEFAULT)
    assert missed and set(missed) < set(MUST_REDACT)
    assert missed_keys("(unclosed") is None


def test_ss505_names_the_missed_keys_and_tolerates_a_redacted_regex():
    (f,) = findings("SS505", conf_of({}))  # Spark's default regex
    assert "spark.hadoop.parquet.encryption.key.list" in f.message
    redacted = conf_of({})
    redacted.apply([Setting("spark.redaction.regex", "*********(redacted)", "application")], "app")
    assert findings("SS505", redacted) == []


@pytest.mark.parametrize(
    "key",
    [
        "spark.authenticate.secret",
        "spark.ssl.keyStorePassword",
        "spark.hadoop.javax.jdo.option.ConnectionPassword",
        "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net",
        "spark.sql.catalog.lake.credential",
    ],
)
def test_ss511_secret_keys_by_name(key):
    (f,) = findings("SS511", conf_of({key: SECRET}))
    assert f.conf_key == key and SECRET not in f.message


def test_ss511_ignores_placeholders_references_and_other_keys():
    from sparkseal.auth import PLACEHOLDER

    assert findings("SS511", conf_of({"spark.authenticate.secret": PLACEHOLDER})) == []
    assert findings("SS511", conf_of({"spark.ssl.keyPassword": ""})) == []
    assert (
        findings("SS511", conf_of({"spark.app.name": SECRET, "spark.redaction.regex": "secret"}))
        == []
    )


def test_ss513_names_the_role_and_what_is_missing():
    found = findings("SS513", conf_of({"spark.driver.extraJavaOptions": JVM_OPTS}))
    assert [f.conf_key for f in found] == ["spark.executor.extraJavaOptions"]
    other_agent = JVM_OPTS.replace(JAR, "/opt/other-agent.jar")
    (f,) = findings(
        "SS513",
        conf_of(
            {
                "spark.driver.extraJavaOptions": other_agent,
                "spark.executor.extraJavaOptions": JVM_OPTS,
            }
        ),
    )
    assert "-javaagent" in f.message and "log4j" not in f.message


def test_ss515_custom_commit_protocol_and_direct_committer():
    conf = conf_of(
        {
            "spark.speculation": "true",
            "spark.sql.sources.commitProtocolClass": "com.example.DirectCommitProtocol",
            "spark.sql.parquet.output.committer.class": "com.example.DirectParquetOutputCommitter",
        }
    )
    assert len(findings("SS515", conf)) == 2


def test_every_doctor_rule_documents_an_example_it_reports():
    from sparkseal.rules.doctor.check import EXAMPLES
    from sparkseal.rules.doctor.conf import parse_properties

    assert set(EXAMPLES) == set(CHECKS)
    for code, example in EXAMPLES.items():
        if code in {"SS508", "SS510", "SS521"}:  # a server's answer, a directory, a policy
            continue
        conf = EffectiveConf()
        conf.apply(parse_properties(example, "spark-defaults.conf"), "example")
        assert findings(code, conf), code


def test_ss521_speculation_with_a_declared_non_idempotent_sink():
    on = {"spark.speculation": "true"}
    (f,) = findings("SS521", conf_of(on, non_idempotent_sinks=["orders-kafka"]))
    assert f.conf_key == "spark.speculation" and "orders-kafka" in f.message
    assert findings("SS521", conf_of(on)) == []
    off = {"spark.speculation": "false"}
    assert findings("SS521", conf_of(off, non_idempotent_sinks=["orders-kafka"])) == []
