"""``sparkseal doctor``'s rules: one module per rule, or per small group of settings of
one feature that are judged together (network crypto, redaction, UI, event log, JVM
sealing, speculation: each module's docstring says why). Importing this package
registers them all; :func:`diagnose` runs them."""

from __future__ import annotations

from sparkseal.rules.doctor import (  # noqa: F401 (imported to register the rules)
    authentication,
    dynamic_allocation,
    event_log,
    io_encryption,
    jvm_sealing,
    kryo,
    network_crypto,
    python_hooks,
    redaction,
    secrets,
    speculation,
    ui,
    worker_reuse,
)
from sparkseal.rules.doctor.check import CHECKS, run
from sparkseal.rules.doctor.conf import EffectiveConf, effective_conf
from sparkseal.rules.model import Finding

__all__ = ["CHECKS", "EffectiveConf", "diagnose", "effective_conf"]


def diagnose(conf: EffectiveConf) -> list[Finding]:
    """Every doctor rule's findings on ``conf``."""
    return run(conf)
