"""Start a PySpark worker entry point with the sealing hooks installed first.

Stdlib-only imports at module level: nothing may reach the daemon's stdout
before it has written its port, so sparkseal loads behind
:func:`stdout_to_stderr`.
"""

from __future__ import annotations

import runpy
import sys

from sparkseal.worker.stdout_guard import stdout_to_stderr


def install_or_exit() -> None:
    """Install the worker hooks; if PySpark is unsupported, say why and exit (fail closed)."""
    with stdout_to_stderr():
        from sparkseal.core.errors import UnsupportedPySparkError
        from sparkseal.worker.install import install_worker_hooks

        try:
            install_worker_hooks()
        except UnsupportedPySparkError as exc:
            print(f"sparkseal: {exc}", file=sys.stderr)
            sys.exit(1)


def run_hooked(pyspark_module: str) -> None:
    """Install the worker hooks, then run ``pyspark_module`` as ``__main__``."""
    install_or_exit()
    runpy.run_module(pyspark_module, run_name="__main__", alter_sys=False)
