"""sparkseal: make PySpark jobs safe to run on sensitive data.

>>> import sparkseal
>>> spark = sparkseal.session("my-job", policy="sparkseal.toml")  # doctest: +SKIP

Exception text from the driver and from every Python worker is sealed to the
policy's public key; ``sparkseal unseal --key sparkseal.key`` opens it.
The package root imports lazily, so that ``python -m sparkseal.worker.daemon``
loads nothing before it has guarded its stdout.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "harden": "sparkseal.api",
    "session": "sparkseal.api",
    "Policy": "sparkseal.core.policy",
    "load_policy": "sparkseal.core.policy",
    "SparkSealError": "sparkseal.core.errors",
    "PolicyError": "sparkseal.core.errors",
    "KeyFileError": "sparkseal.core.errors",
    "TokenError": "sparkseal.core.errors",
    "UnsupportedPySparkError": "sparkseal.core.errors",
    "Sealer": "sparkseal.core.token",
    "Opener": "sparkseal.core.token",
    "TOKEN_RE": "sparkseal.core.token",
    "generate_key": "sparkseal.core.keys",
    "load_public_key": "sparkseal.core.keys",
    "load_private_key": "sparkseal.core.keys",
    "protect": "sparkseal.columns.api",
    "unprotect": "sparkseal.columns.api",
    "create_role_views": "sparkseal.columns.api",
    "discover": "sparkseal.discovery.discover",
}
_RENAMED = {
    "generate_key": "generate",
    "load_public_key": "load_public",
    "load_private_key": "load_private",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sparkseal' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext sparkseal``: seal what this IPython shell shows of exceptions, warnings and
    logs, with the policy from ``$SPARKSEAL_POLICY`` or ``./sparkseal.toml``.

    ``sparkseal.harden()`` does the same in a notebook; the extension covers cells that
    run before a session exists.
    """
    from sparkseal.core.policy import load_policy
    from sparkseal.driver.install import install_driver_hooks
    from sparkseal.sealing import ipython_hook

    sealer = install_driver_hooks(load_policy(None))
    ipython_hook.install(sealer, ipython)
