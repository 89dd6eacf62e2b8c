"""SS513-SS514: the JVMs seal their logs and prove it -- log4j2 sealing and the Java
agent in the driver's and the executors' JVM options, the attestation plugin (grouped:
all are set together by ``sparkseal.conf.jvm_conf``)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import PurePath

from sparkseal.conf import ATTESTATION_PLUGIN, JVM_KEY_PROPERTY
from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

ROLES = ("driver", "executor")
PLUGINS = "spark.plugins"
JAR_PREFIX = "sparkseal"

NO_LOG_SEALING = Rule(
    code="SS513",
    tool="doctor",
    family="sealing",
    title="a JVM's logs are not sealed (log4j2 configuration or Java agent missing)",
    severity="error",
    rationale=(
        "Spark's JVMs log task failure reasons, exception messages and plan strings. "
        "sparkseal seals them through its log4j2 configuration "
        "(-Dlog4j.configurationFile) and its Java agent (-javaagent), with the public key "
        f"in -D{JVM_KEY_PROPERTY}; each must be in spark.driver.extraJavaOptions and in "
        "spark.executor.extraJavaOptions -- executors are separate JVMs."
    ),
    fix="Build the session with sparkseal.harden() or run sparkseal submit (they append "
    "the options to yours); a user's own -Dlog4j.configurationFile must go through the "
    "policy's [jvm] log4j_config.",
)

NO_ATTESTATION = Rule(
    code="SS514",
    tool="doctor",
    family="sealing",
    title="executors are not required to prove that they seal",
    severity="warning",
    rationale=(
        f"Without {ATTESTATION_PLUGIN} in {PLUGINS} an executor whose JVM cannot seal "
        "(wrong path, a user's log4j2 file) still runs tasks and logs in plaintext. A "
        "warning: the settings may still be right; the plugin is what makes sure."
    ),
    fix=f"Add {ATTESTATION_PLUGIN} to {PLUGINS} (harden() does).",
)


def _options(value: str | None) -> list[str]:
    try:
        return shlex.split(value or "")
    except ValueError:
        return (value or "").split()


def missing_in(value: str | None) -> list[str]:
    """Which of sparkseal's JVM options ``value`` lacks (names of options, not values)."""
    opts = _options(value)
    missing = []
    if not any(o.startswith("-Dlog4j.configurationFile=") for o in opts):
        missing.append("-Dlog4j.configurationFile")
    agents = [o.split(":", 1)[1] for o in opts if o.startswith("-javaagent:")]
    if not any(PurePath(a.split("=", 1)[0]).name.startswith(JAR_PREFIX) for a in agents):
        missing.append("sparkseal's -javaagent")
    if not any(o.startswith(f"-D{JVM_KEY_PROPERTY}=") for o in opts):
        missing.append(f"-D{JVM_KEY_PROPERTY}")
    return missing


@check(NO_LOG_SEALING, example="spark.executor.extraJavaOptions -XX:+UseG1GC")
def no_log_sealing(conf: EffectiveConf) -> Iterator[Finding]:
    for role in ROLES:
        key = f"spark.{role}.extraJavaOptions"
        missing = missing_in(conf.get(key))
        if missing:
            yield conf.finding(NO_LOG_SEALING.code, f"{key} lacks {', '.join(missing)}", key)


@check(NO_ATTESTATION, example="spark.plugins com.example.MetricsPlugin")
def no_attestation(conf: EffectiveConf) -> Iterator[Finding]:
    plugins = [p.strip() for p in (conf.get(PLUGINS) or "").split(",")]
    if ATTESTATION_PLUGIN not in plugins:
        yield conf.finding(
            NO_ATTESTATION.code, f"{PLUGINS} lacks sparkseal's attestation plugin", PLUGINS
        )
