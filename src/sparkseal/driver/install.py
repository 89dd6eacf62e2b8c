"""Install every driver-side hook the policy asks for, or refuse to start.

The driver runs the same PySpark compatibility check as the workers, so an
unsupported PySpark is caught here, before any job runs, with a message that
says what to do.
"""

from __future__ import annotations

import sys
import threading

from sparkseal.core.errors import UnsupportedPySparkError
from sparkseal.core.policy import Policy
from sparkseal.core.token import Sealer
from sparkseal.driver import py4j_hook
from sparkseal.sealing import ipython_hook, logging_hook, warnings_hook
from sparkseal.sealing.excepthooks import (
    SealingExceptHook,
    SealingExit,
    SealingThreadExceptHook,
    SealingUnraisableHook,
)
from sparkseal.worker.install import check_pyspark_internals


def install_driver_hooks(policy: Policy, connect: bool = False) -> Sealer:
    """Seal uncaught exceptions (IPython's display too), logged exceptions, warnings and
    py4j callback errors.

    A Spark Connect client (``connect``) has no JVM and no Python workers of its own:
    only its printing hooks apply; the server runs everything else hardened.
    """
    sealer = Sealer(policy.public_key, version=str(policy.seal.format))
    if not connect:
        _install_py4j_hooks(sealer)
    if policy.driver.excepthook:
        sys.excepthook = SealingExceptHook(sealer)
        threading.excepthook = SealingThreadExceptHook(sealer)
        sys.unraisablehook = SealingUnraisableHook(sealer)
        if not isinstance(sys.exit, SealingExit):
            sys.exit = SealingExit(sealer)
        ipython_hook.install(sealer)  # notebooks: IPython shows errors without the excepthook
    if policy.driver.logging:
        logging_hook.install(sealer)
    if policy.logs is not None:  # [logs]: sealed JSON records (docs/observability.md#logs)
        from sparkseal.logs.install import install as install_json_logs

        install_json_logs(policy, sealer)
    warnings_hook.install(sealer)
    return sealer


def _install_py4j_hooks(sealer: Sealer) -> None:
    check_pyspark_internals()
    patched = py4j_hook.install(sealer)
    if len(patched) != len(py4j_hook.PY4J_CALLBACK_MODULES):
        missing = sorted(set(py4j_hook.PY4J_CALLBACK_MODULES) - set(patched))
        raise UnsupportedPySparkError(
            f"cannot seal errors of Python callbacks from the JVM: {', '.join(missing)} no longer "
            "uses the traceback module as expected. Install the py4j version pinned by PySpark."
        )
