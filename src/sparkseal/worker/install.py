"""Install the worker hooks (sealed errors, encrypted spills), checking PySpark first.

Fail closed: if the function every worker failure goes through is missing or
has changed shape, no hook can guarantee sealing, so we refuse to run tasks at
all (:class:`UnsupportedPySparkError`) rather than let plaintext through. If
the public key is missing or invalid, the hooks still install but every text is
replaced by a fixed placeholder that names the problem.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from sparkseal.core.errors import KeyFileError
from sparkseal.core.keys import parse_public
from sparkseal.core.token import Sealer, TextSealer, WithholdingSealer
from sparkseal.sealing import logging_hook, warnings_hook
from sparkseal.sealing.excepthooks import SealingExceptHook, SealingThreadExceptHook
from sparkseal.worker.writer import SealedExceptionWriter

ENV_PUBLIC_KEY = "SPARKSEAL_PUBLIC_KEY"
ENV_SPILL_ENCRYPTION = "SPARKSEAL_SPILL_ENCRYPTION"
ENV_APP_ID = "SPARKSEAL_APP_ID"  # set by harden() once the application has an id


def sealer_from_env(environ: Mapping[str, str] = os.environ) -> TextSealer:
    """The worker's sealer, from ``$SPARKSEAL_PUBLIC_KEY`` (set via ``spark.executorEnv``)."""
    text = environ.get(ENV_PUBLIC_KEY, "").strip()
    if not text:
        return WithholdingSealer(f"no public key on this executor (${ENV_PUBLIC_KEY} is not set)")
    try:
        key = parse_public(text, f"${ENV_PUBLIC_KEY}")
        return Sealer(key, producer="worker", app=environ.get(ENV_APP_ID, ""))
    except KeyFileError:
        return WithholdingSealer(f"the public key in ${ENV_PUBLIC_KEY} is invalid")


def check_pyspark_internals() -> tuple[ModuleType, ModuleType]:
    """``(pyspark.util, pyspark.serializers)``, once :mod:`sparkseal.compat` vouches for them."""
    from sparkseal import compat

    compat.require()
    import pyspark.serializers as serializers
    import pyspark.util as util

    return util, serializers


_installed: TextSealer | None = None


def install_worker_hooks(environ: Mapping[str, str] = os.environ) -> TextSealer:
    """Patch PySpark's worker exception writer and the process-wide hooks (once per process)."""
    global _installed
    if _installed is not None:
        return _installed
    util, serializers = check_pyspark_internals()
    sealer = sealer_from_env(environ)
    writer = SealedExceptionWriter(sealer, util, serializers)
    original: Any = util.handle_worker_exception
    util.handle_worker_exception = writer
    # Modules imported before us hold their own reference; re-point them too.
    for module in list(sys.modules.values()):
        if getattr(module, "handle_worker_exception", None) is original:
            module.handle_worker_exception = writer  # type: ignore[union-attr]
    sys.excepthook = SealingExceptHook(sealer)
    threading.excepthook = SealingThreadExceptHook(sealer)
    logging_hook.install(sealer)
    warnings_hook.install(sealer)
    if environ.get(ENV_SPILL_ENCRYPTION, "1") != "0":
        import pyspark.shuffle

        from sparkseal.worker import spill

        spill.install(pyspark.shuffle)
    _installed = sealer
    return sealer
