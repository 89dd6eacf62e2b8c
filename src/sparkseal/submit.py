"""``spark-submit`` with everything a policy needs, so a cluster deployment is one command.

A driver JVM reads its classpath and Java options when it starts, before any
Python code runs, so the log4j2 sealing of the driver must be on the
``spark-submit`` command line; ``harden()`` inside the job checks that it is and
refuses to start otherwise.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from sparkseal.auth import secret_environment
from sparkseal.conf import jvm_conf, preset_conf, seal_conf
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import ENV_POLICY, Policy

# spark-submit flags that are shorthands for conf keys sparkseal extends.
_SHORTHANDS = {
    "--driver-java-options": "spark.driver.extraJavaOptions",
    "--driver-class-path": "spark.driver.extraClassPath",
}


def split_conf(args: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The ``--conf`` settings (and their shorthands) in ``args``, and the other arguments."""
    conf: dict[str, str] = {}
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        flag, eq, inline = arg.partition("=")
        if flag in ("--conf", "-c") or flag in _SHORTHANDS:
            value = inline if eq else next(it, None)
            if value is None:
                raise SparkSealError(coded("SS010", f"spark-submit argument {flag} needs a value"))
            if flag in _SHORTHANDS:
                conf[_SHORTHANDS[flag]] = value
            else:
                key, sep, val = value.partition("=")
                if not sep:
                    raise SparkSealError(coded("SS010", f"--conf expects KEY=VALUE, got {value!r}"))
                conf[key] = val
        else:
            rest.append(arg)
    return conf, rest


def spark_submit() -> str:
    """``spark-submit`` of the installed pyspark (its version matches the hooks)."""
    import pyspark

    script = Path(pyspark.__file__).resolve().parent / "bin" / "spark-submit"
    if script.exists():
        return str(script)
    found = shutil.which("spark-submit")
    if found is None:
        raise SparkSealError(
            coded("SS011", "spark-submit not found: install pyspark or put Spark's bin on PATH")
        )
    return found


def _conf_with_master(args: Sequence[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The user's conf, the same with ``--master`` folded in, and the other arguments."""
    user_conf, rest = split_conf(args)
    master = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "--master"), None)
    return user_conf, ({**user_conf, "spark.master": master} if master else user_conf), rest


def build_command(policy: Policy, args: Sequence[str]) -> list[str]:
    """The full ``spark-submit`` command: the user's arguments plus sparkseal's conf.

    It never holds the authentication secret (every local user can read a command
    line): that goes in the environment, see :func:`submit_env`.
    """
    user_conf, with_master, rest = _conf_with_master(args)
    conf = {k: v for k, v in preset_conf(policy, with_master).items() if k not in user_conf}
    conf.update(user_conf)
    for key, value in seal_conf(policy).items():
        if key in user_conf and user_conf[key] != value:
            raise SparkSealError(
                coded("SS008", f"--conf {key} conflicts with sparkseal; remove it")
            )
        conf[key] = value
    conf.update(jvm_conf(policy, user_conf))
    confs = [item for key, value in conf.items() for item in ("--conf", f"{key}={value}")]
    return [spark_submit(), *confs, *rest]


def submit_env(policy: Policy, args: Sequence[str]) -> dict[str, str]:
    """The environment for spark-submit: the job's harden() finds the same policy, and
    Spark's JVMs find the authentication secret in ``_SPARK_AUTH_SECRET`` (never on
    the command line; see :mod:`sparkseal.auth`)."""
    env = dict(os.environ)
    env.update(secret_environment(policy, _conf_with_master(args)[1]))
    if policy.source and Path(policy.source).is_file():
        env[ENV_POLICY] = str(Path(policy.source).resolve())
    return env


def redact_command(cmd: Sequence[str]) -> list[str]:
    """The command for display: values of secret-looking settings replaced."""
    import re

    from sparkseal.conf import REDACTION_REGEX

    secret = re.compile(REDACTION_REGEX)
    out = []
    for arg in cmd:
        key, eq, _ = arg.partition("=")
        out.append(f"{key}=*********(redacted)" if eq and secret.search(key) else arg)
    return out
