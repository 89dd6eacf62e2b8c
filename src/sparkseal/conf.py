"""The Spark conf a policy turns into.

Only the public key travels (it is not a secret); workers read it from
``spark.executorEnv.SPARKSEAL_PUBLIC_KEY``. The daemon and worker modules
point PySpark's Python workers at sparkseal's hooked entry points.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sparkseal.core.policy import Policy
from sparkseal.worker.install import ENV_PUBLIC_KEY

JVM_KEY_PROPERTY = "io.sparkseal.publicKey"  # Spark rejects "-Dspark*" executor options
SEALED_EVENT_LOG_LISTENER = "io.sparkseal.SealedEventLoggingListener"
UI_FILTER = "io.sparkseal.ui.SealingUiFilter"
DAEMON_MODULE = "sparkseal.worker.daemon"
WORKER_MODULE = "sparkseal.worker.module"
# Python workers started with this directory on PYTHONPATH install the hooks at
# start-up: Spark's planner workers ignore spark.python.daemon.module.
BOOT_DIR = str(Path(__file__).resolve().parent / "worker" / "boot")


def seal_conf(policy: Policy) -> dict[str, str]:
    """Spark conf entries that must hold for sealing to be in force."""
    return {
        "spark.python.daemon.module": DAEMON_MODULE,
        "spark.python.worker.module": WORKER_MODULE,
        f"spark.executorEnv.{ENV_PUBLIC_KEY}": policy.public_key.to_text(),
    }


def _append(existing: str | None, addition: str, sep: str) -> str:
    if existing and addition in existing.split(sep):
        return existing
    return sep.join(x for x in (existing, addition) if x)


def jvm_conf(policy: Policy, options: Mapping[str, str]) -> dict[str, str]:
    """Classpath, JVM options and listeners that seal what Spark's JVMs write.

    Values are appended to what ``options`` already holds; the key also reaches
    executors through ``spark.executorEnv``. A requested event log is written by
    sparkseal's sealed writer instead of Spark's.
    """
    from sparkseal.jvm import LOG4J_CONFIG, jar_path

    config = policy.jvm.log4j_config or str(LOG4J_CONFIG)
    java_opts = (
        f"-Dlog4j.configurationFile={config} -D{JVM_KEY_PROPERTY}={policy.public_key.to_text()}"
    )
    conf = {}
    for role in ("driver", "executor"):
        cp_key, opts_key = f"spark.{role}.extraClassPath", f"spark.{role}.extraJavaOptions"
        conf[cp_key] = _append(options.get(cp_key), str(jar_path()), os.pathsep)
        conf[opts_key] = _append(options.get(opts_key), java_opts, " ")
    conf["spark.ui.filters"] = _append(options.get("spark.ui.filters"), UI_FILTER, ",")
    if str(options.get("spark.eventLog.enabled", "false")).lower() == "true":
        # Spark's built-in writer would log plan strings and SQL text in plaintext:
        # the sealed writer takes its place and honours every other spark.eventLog.* setting.
        conf["spark.eventLog.enabled"] = "false"
        conf["spark.extraListeners"] = _append(
            options.get("spark.extraListeners"), SEALED_EVENT_LOG_LISTENER, ","
        )
    return conf


def with_boot_dir(pythonpath: str | None) -> str:
    """The workers' PYTHONPATH with the boot directory first (idempotent)."""
    entries = [p for p in (pythonpath or "").split(os.pathsep) if p and p != BOOT_DIR]
    return os.pathsep.join([BOOT_DIR, *entries])
