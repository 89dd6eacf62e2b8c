"""The Spark conf a policy turns into.

Only the public key travels (it is not a secret); workers read it from
``spark.executorEnv.SPARKSEAL_PUBLIC_KEY``. The daemon and worker modules
point PySpark's Python workers at sparkseal's hooked entry points.
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkseal.core.policy import Policy
from sparkseal.worker.install import ENV_PUBLIC_KEY

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


def with_boot_dir(pythonpath: str | None) -> str:
    """The workers' PYTHONPATH with the boot directory first (idempotent)."""
    entries = [p for p in (pythonpath or "").split(os.pathsep) if p and p != BOOT_DIR]
    return os.pathsep.join([BOOT_DIR, *entries])
