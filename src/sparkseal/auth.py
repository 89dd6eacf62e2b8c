"""How the application's RPC authentication secret reaches Spark: never on a command line.

Any local user can read a process's command line (``/proc/*/cmdline``, ``ps``), and
PySpark hands every builder setting to ``spark-submit`` as ``--conf k=v`` and then to
the JVM through py4j (whose DEBUG log prints it). So the secret travels in the
environment instead, which only its owner can read:

* Spark's ``SecurityManager.getSecretKey`` reads ``_SPARK_AUTH_SECRET`` before
  ``spark.authenticate.secret``, and standalone workers (and a local-cluster's
  in-process workers) hand executors the secret in that same variable.
* On ``local-cluster`` and ``spark://`` masters the driver refuses to start unless
  ``spark.authenticate.secret`` is set (``initializeAuth``), so sparkseal sets it to
  :data:`PLACEHOLDER`, a public marker, and puts the real secret in the environment of
  the JVM it starts. The driver then checks that the placeholder is not in force.
* ``spark.authenticate.secret.file`` (and ``.driver.file`` / ``.executor.file``) are
  accepted on Kubernetes only; Spark refuses them elsewhere.
* ``local[*]``, YARN and Kubernetes masters generate a per-application secret
  themselves; nothing is needed there.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.core.errors import PolicyError, SparkSealError
from sparkseal.core.policy import Policy, PresetPolicy

AUTH_SECRET_CONF = "spark.authenticate.secret"  # noqa: S105 (a conf key)
AUTH_SECRET_ENV = "_SPARK_AUTH_SECRET"  # noqa: S105 (SecurityManager.ENV_AUTH_SECRET)
PLACEHOLDER = "sparkseal:in-environment:_SPARK_AUTH_SECRET"  # io.sparkseal.AuthSecret too


def needs_shared_secret(master: str) -> bool:
    """Masters whose driver requires ``spark.authenticate.secret`` to be set."""
    return master.startswith(("local-cluster", "spark://"))


def cluster_secret(p: PresetPolicy) -> str:
    """A standalone cluster's shared secret, from the variable the policy names."""
    value = os.environ.get(p.authenticate_secret_env or "", "")
    if not value:
        raise PolicyError(
            coded(
                "SS102",
                "preset.authenticate: a standalone cluster (spark://) authenticates with the "
                "secret its master and workers share; name the environment variable that "
                "holds it in [preset] authenticate_secret_env (and set it), or set "
                "authenticate = false",
            )
        )
    return value


def refuse_secret_conf(options: Mapping[str, Any], where: str) -> None:
    """Raise if ``options`` carry an authentication secret: it would reach a command line."""
    value = options.get(AUTH_SECRET_CONF)
    if value is not None and str(value) != PLACEHOLDER:
        raise SparkSealError(
            coded(
                "SS103",
                f"{where} sets {AUTH_SECRET_CONF}: Spark would put it on a process command "
                "line (readable by every local user) and send it through py4j. Remove it: "
                "sparkseal makes a secret per application, and for a standalone cluster "
                "reads the shared one from the environment variable named in [preset] "
                "authenticate_secret_env",
            )
        )


def secret_environment(policy: Policy, options: Mapping[str, Any]) -> dict[str, str]:
    """The environment that carries the secret to the JVM Spark starts ({} if Spark makes one)."""
    p = policy.preset
    master = str(options.get("spark.master", "local[*]"))
    if not p.authenticate or not needs_shared_secret(master):
        return {}
    if master.startswith("local-cluster"):
        # Spark generates per-application secrets for local, YARN and Kubernetes only.
        return {AUTH_SECRET_ENV: secrets.token_hex(32)}
    return {AUTH_SECRET_ENV: cluster_secret(p)}


@contextmanager
def launch_environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` plus ``env`` while PySpark starts its JVM (it copies ``os.environ``).

    Removed again afterwards, so that processes the job starts later do not inherit it.
    """
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def check_secret_in_force(spark: Any, placeholder_set: bool) -> None:
    """Stop ``spark`` and raise if Spark authenticates with the public placeholder."""
    from py4j.protocol import Py4JError

    try:
        problem = spark.sparkContext._jvm.io.sparkseal.AuthSecret.problem()
    except Py4JError:
        if not placeholder_set:
            return
        problem = "sparkseal's jar is not on the driver's classpath, so it cannot check"
    if problem:
        spark.stop()
        raise SparkSealError(
            coded(
                "SS101",
                f"{problem}; the session was stopped. Start the JVM through sparkseal "
                "(sparkseal.harden/session before any other Spark code, or sparkseal submit)",
            )
        )
