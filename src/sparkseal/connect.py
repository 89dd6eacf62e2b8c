"""Spark Connect: the server seals, the client checks that it does.

Under Spark Connect the client holds no JVM: every Python UDF runs in Python workers
that the server's JVMs start, every error reaches the client through the server, and
the event log, UI and logs are the server's. So the server is started hardened
(:func:`server_command`, ``sparkseal connect-server``) with everything ``harden()``
sets, and ``harden()`` on a Connect builder installs only the client's own hooks
(uncaught exceptions, IPython, logging, warnings) and asks the server, through the
session, whether it seals with the policy's key: a server that does not is refused
(SS404) and the session released.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

from sparkseal.conf import (
    ATTESTATION_PLUGIN,
    JVM_KEY_PROPERTY,
    UI_FILTER,
    append_setting,
    seal_conf,
    with_boot_dir,
)
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import Policy
from sparkseal.core.rules import CONNECT_PROTECT_CONF
from sparkseal.core.secrets import jvm_reference
from sparkseal.submit import split_conf

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
DEFAULT_PORT = 15002
KEYED_RULES_PLUGIN = "io.sparkseal.connect.KeyedRulesPlugin"
SEALING_INTERCEPTOR = "io.sparkseal.connect.SealingInterceptor"
_EXPRESSION_PLUGINS = "spark.connect.extensions.expression.classes"
_INTERCEPTORS = "spark.connect.grpc.interceptor.classes"


def is_connect_builder(builder: Any, options: Mapping[str, str]) -> bool:
    """Whether ``builder`` will make a Spark Connect session (as PySpark itself decides)."""
    if type(builder).__module__.startswith("pyspark.sql.connect"):
        return True
    if options.get("spark.remote") or os.environ.get("SPARK_REMOTE"):
        return str(options.get("spark.api.mode", "connect")).lower() != "classic"
    return str(options.get("spark.api.mode", "")).lower() == "connect"


def server_args(policy: Policy, args: Sequence[str], port: int, host: str) -> list[str]:
    """spark-submit arguments that start a Connect server (Spark's own ``start-connect-server``
    class); the server binds to ``host`` -- loopback unless the user says otherwise.

    Executors' Python workers get the boot directory too, after the user's own path. The
    keyed column rules are served by sparkseal's expression plugin, with the policy's secret
    *references* (``env:``/``file:``, read by the server's JVM) in the conf.
    """
    user_conf = split_conf(args)[0]
    plugins = append_setting(user_conf.get(_EXPRESSION_PLUGINS), KEYED_RULES_PLUGIN, ",")
    # Ours last: registered last, it is the outermost and sees what the others send.
    interceptors = append_setting(user_conf.get(_INTERCEPTORS), SEALING_INTERCEPTOR, ",")
    protect = policy.protect
    secrets = {
        name: jvm_reference(ref, f"protect.{name}")
        for name, ref in (("pepper", protect.pepper), ("token_key", protect.token_key))
        if ref
    }
    conf = {
        "spark.executorEnv.PYTHONPATH": with_boot_dir(
            user_conf.get("spark.executorEnv.PYTHONPATH")
        ),
        _EXPRESSION_PLUGINS: plugins,
        _INTERCEPTORS: interceptors,
        **{f"{CONNECT_PROTECT_CONF}{name}": ref for name, ref in secrets.items()},
    }
    return [
        "--class",
        SERVER_CLASS,
        "--name",
        "Spark Connect server (sparkseal)",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        f"spark.connect.grpc.binding.address={host}",
        *args,
        *(item for key, value in conf.items() for item in ("--conf", f"{key}={value}")),
    ]


def server_env(env: Mapping[str, str], command: Sequence[str]) -> dict[str, str]:
    """The server's environment, given its spark-submit ``command``.

    A classic driver passes ``spark.executorEnv.*`` (the public key, spill encryption) to
    its Python workers with each function; a Connect UDF carries no environment, and in
    local mode the workers are the server's children: they get these variables, and the
    boot directory, from the server's own environment.
    """
    out = dict(env)
    prefix = "spark.executorEnv."
    for key, value in split_conf(command)[0].items():
        if key.startswith(prefix) and key != prefix + "PYTHONPATH":
            out[key[len(prefix) :]] = value
    out["PYTHONPATH"] = with_boot_dir(out.get("PYTHONPATH"))
    return out


def _conf(spark: Any, key: str) -> str:
    try:
        return str(spark.conf.get(key, "") or "")
    except Exception:
        return ""


def server_problems(spark: Any, policy: Policy) -> list[str]:
    """What stops the Connect server behind ``spark`` from sealing with ``policy``'s key."""
    problems = [
        f"{key} is not " + ("the policy's public key" if "PUBLIC_KEY" in key else repr(value))
        for key, value in seal_conf(policy).items()
        if _conf(spark, key) != value
    ]
    if not policy.jvm.enabled:
        return problems
    options = _conf(spark, "spark.driver.extraJavaOptions")
    if f"-D{JVM_KEY_PROPERTY}={policy.public_key.to_text()}" not in options.split():
        problems.append("the server's JVM does not seal with the policy's public key")
    if ATTESTATION_PLUGIN not in _conf(spark, "spark.plugins").split(","):
        problems.append(f"spark.plugins lacks {ATTESTATION_PLUGIN} (executor attestation)")
    if UI_FILTER not in _conf(spark, "spark.ui.filters").split(","):
        problems.append(f"spark.ui.filters lacks {UI_FILTER}")
    if KEYED_RULES_PLUGIN not in _conf(spark, _EXPRESSION_PLUGINS).split(","):
        problems.append(f"{_EXPRESSION_PLUGINS} lacks {KEYED_RULES_PLUGIN} (column rules)")
    if SEALING_INTERCEPTOR not in _conf(spark, _INTERCEPTORS).split(","):
        problems.append(f"{_INTERCEPTORS} lacks {SEALING_INTERCEPTOR} (errors sent to clients)")
    if not problems:
        problems.extend(_jvm_problems(spark))
    return problems


def _jvm_problems(spark: Any) -> list[str]:
    """The server JVM's own account (``io.sparkseal.Status``), asked through SQL."""
    try:
        row = spark.sql("SELECT reflect('io.sparkseal.Status', 'problems') AS p").first()
    except Exception:
        return ["the server cannot load sparkseal's jar (io.sparkseal.Status)"]
    return [line for line in str(row.p or "").splitlines() if line]


def refuse_unhardened(spark: Any, policy: Policy) -> None:
    """Raise SS404 (and release the session) unless the server seals with ``policy``."""
    problems = server_problems(spark, policy)
    if not problems:
        return
    with contextlib.suppress(Exception):  # the refusal below is what the user must see
        spark.stop()
    raise SparkSealError(
        coded(
            "SS404",
            "the Spark Connect server does not seal what it logs and serves, so the "
            "session was released:\n  "
            + "\n  ".join(problems)
            + "\nStart the server with `sparkseal connect-server --policy <the same policy>`.",
        )
    )
