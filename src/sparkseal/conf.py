"""The Spark conf a policy turns into.

Only the public key travels (it is not a secret); workers read it from
``spark.executorEnv.SPARKSEAL_PUBLIC_KEY``. The daemon and worker modules
point PySpark's Python workers at sparkseal's hooked entry points.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sparkseal.auth import (
    AUTH_SECRET_CONF,
    PLACEHOLDER,
    cluster_secret,
    needs_shared_secret,
    refuse_secret_conf,
)
from sparkseal.core.policy import Policy, PresetPolicy
from sparkseal.core.rules import REDACTION_REGEX  # the one copy, shared with Java
from sparkseal.core.token import ENV_FORMAT as ENV_TOKEN_FORMAT
from sparkseal.worker.install import ENV_PUBLIC_KEY, ENV_SPILL_ENCRYPTION

JVM_KEY_PROPERTY = "io.sparkseal.publicKey"  # Spark rejects "-Dspark*" executor options
SEALED_EVENT_LOG_LISTENER = "io.sparkseal.SealedEventLoggingListener"
UI_FILTER = "io.sparkseal.ui.SealingUiFilter"
ATTESTATION_PLUGIN = "io.sparkseal.attest.SealingPlugin"
AUDIT_LISTENER = "io.sparkseal.audit.AuditListener"
STRUCTURED_LOGGING = "spark.log.structuredLogging.enabled"
METRICS_LISTENER = "io.sparkseal.metrics.MetricsListener"
STREAMING_METRICS_LISTENER = "io.sparkseal.metrics.StreamingMetricsListener"
DAEMON_MODULE = "sparkseal.worker.daemon"
WORKER_MODULE = "sparkseal.worker.module"
# Python workers started with this directory on PYTHONPATH install the hooks at
# start-up: Spark's planner workers ignore spark.python.daemon.module.
BOOT_DIR = str(Path(__file__).resolve().parent / "worker" / "boot")


def seal_conf(policy: Policy) -> dict[str, str]:
    """Spark conf entries that must hold for sealing to be in force."""
    conf = {
        "spark.python.daemon.module": DAEMON_MODULE,
        "spark.python.worker.module": WORKER_MODULE,
        f"spark.executorEnv.{ENV_PUBLIC_KEY}": policy.public_key.to_text(),
    }
    if policy.seal.format != 2:  # [seal] format = 3: Python workers seal format 3 too
        conf[f"spark.executorEnv.{ENV_TOKEN_FORMAT}"] = str(policy.seal.format)
    return conf


def append_setting(existing: str | None, addition: str, sep: str) -> str:
    """A list-valued Spark setting with ``addition`` appended once (the user's entries kept)."""
    if existing and addition in existing.split(sep):
        return existing
    return sep.join(x for x in (existing, addition) if x)


def classpath_conf(options: Mapping[str, str]) -> dict[str, str]:
    """sparkseal's jar on the driver's and executors' classpaths."""
    from sparkseal.jvm import jar_path

    return {
        key: append_setting(options.get(key), str(jar_path()), os.pathsep)
        for key in ("spark.driver.extraClassPath", "spark.executor.extraClassPath")
    }


def jvm_conf(policy: Policy, options: Mapping[str, str]) -> dict[str, str]:
    """Classpath, JVM options and listeners that seal what Spark's JVMs write.

    Values are appended to what ``options`` already holds; the key also reaches
    executors through ``spark.executorEnv``. A requested event log is written by
    sparkseal's sealed writer instead of Spark's.
    """
    from sparkseal.jvm import LOG4J_CONFIG, LOG4J_JSON_CONFIG, jar_path

    conf = classpath_conf(options)
    if policy.audit_store_url() is not None or (policy.lineage and policy.lineage.enabled):
        # Inputs, outputs and column lineage of every query, from the analyzed plan.
        key = "spark.sql.queryExecutionListeners"
        conf[key] = append_setting(options.get(key), AUDIT_LISTENER, ",")
    if policy.metrics is not None and policy.metrics.enabled:
        # Numbers only, aggregated in the driver (sparkseal.metrics; docs/observability.md).
        conf.update(metrics_listener_conf(options))
    if not policy.jvm.enabled:
        return conf  # the jar still carries the column-protection functions
    # Spark 4's structured logging: its JSON layout, sealed (docs/observability.md#logs).
    structured = str(options.get(STRUCTURED_LOGGING, "false")).strip().lower() == "true"
    config = policy.jvm.log4j_config or str(LOG4J_JSON_CONFIG if structured else LOG4J_CONFIG)
    # The agent seals task failure reasons where Spark builds them (io.sparkseal.attest).
    java_opts = (
        f"-javaagent:{jar_path()} -Dlog4j.configurationFile={config} "
        f"-D{JVM_KEY_PROPERTY}={policy.public_key.to_text()}"
    )
    if policy.seal.format != 2:  # [seal] format = 3 (io.sparkseal.TokenSealer)
        java_opts += f" -Dio.sparkseal.tokenFormat={policy.seal.format}"
    for role in ("driver", "executor"):
        opts_key = f"spark.{role}.extraJavaOptions"
        conf[opts_key] = append_setting(options.get(opts_key), java_opts, " ")
    conf["spark.ui.filters"] = append_setting(options.get("spark.ui.filters"), UI_FILTER, ",")
    # Executors prove they seal before they take tasks; those that cannot never start.
    conf["spark.plugins"] = append_setting(options.get("spark.plugins"), ATTESTATION_PLUGIN, ",")
    if str(options.get("spark.eventLog.enabled", "false")).lower() == "true":
        # Spark's built-in writer would log plan strings and SQL text in plaintext:
        # the sealed writer takes its place and honours every other spark.eventLog.* setting.
        conf["spark.eventLog.enabled"] = "false"
        conf["spark.extraListeners"] = append_setting(
            conf.get("spark.extraListeners", options.get("spark.extraListeners")),
            SEALED_EVENT_LOG_LISTENER,
            ",",
        )
    return conf


def metrics_listener_conf(options: Mapping[str, str]) -> dict[str, str]:
    """The metrics listeners (Spark's and streaming's), appended to the user's."""
    listeners = "spark.extraListeners"
    streaming = "spark.sql.streaming.streamingQueryListeners"
    return {
        listeners: append_setting(options.get(listeners), METRICS_LISTENER, ","),
        streaming: append_setting(options.get(streaming), STREAMING_METRICS_LISTENER, ","),
    }


def with_boot_dir(pythonpath: str | None) -> str:
    """The workers' PYTHONPATH with the boot directory first (idempotent)."""
    entries = [p for p in (pythonpath or "").split(os.pathsep) if p and p != BOOT_DIR]
    return os.pathsep.join([BOOT_DIR, *entries])


def preset_conf(policy: Policy, options: Mapping[str, str]) -> dict[str, str]:
    """Spark's own protections with safe settings; every item can be turned off in the policy."""
    p = policy.preset
    refuse_secret_conf(options, "the Spark conf (a builder setting or --conf)")
    conf: dict[str, str] = {}
    if p.authenticate:
        conf.update(_authentication(p, str(options.get("spark.master", "local[*]"))))
    if p.network_crypto and p.authenticate:
        conf["spark.network.crypto.enabled"] = "true"
        conf["spark.network.crypto.cipher"] = "AES/GCM/NoPadding"
        conf["spark.network.crypto.saslFallback"] = "false"
    if p.io_encryption:
        conf["spark.io.encryption.enabled"] = "true"
        conf["spark.io.encryption.keySizeBits"] = str(p.io_key_bits)
    regex = REDACTION_REGEX + (f"|{p.redaction_regex}" if p.redaction_regex else "")
    conf["spark.redaction.regex"] = regex
    if p.sql_redaction_regex:
        conf["spark.sql.redaction.string.regex"] = p.sql_redaction_regex
    conf[f"spark.executorEnv.{ENV_SPILL_ENCRYPTION}"] = "1" if p.python_spill_encryption else "0"
    # [resilience] (docs/resilience.md); raises SS971 when speculation meets a
    # non-idempotent sink, before anything starts.
    from sparkseal.resilience.preset import preset_for

    conf.update(preset_for(policy, options))
    return conf


def _authentication(p: PresetPolicy, master: str) -> dict[str, str]:
    """``spark.authenticate`` on; where Spark insists on a configured secret, only the
    placeholder goes in the conf (see :mod:`sparkseal.auth` for how the secret travels)."""
    conf = {"spark.authenticate": "true"}
    if needs_shared_secret(master):
        if master.startswith("spark://"):
            cluster_secret(p)  # refuse now, before anything starts, if it is missing
        conf[AUTH_SECRET_CONF] = PLACEHOLDER
    return conf
