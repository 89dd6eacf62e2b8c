"""Seal errors in Python workers that Spark starts without the daemon module.

Spark 4.3 starts its *planner* workers (UDTF ``analyze``, Python data source
creation and planning, streaming sink commits) with the hard-coded
``pyspark.daemon`` or ``python -m pyspark.sql.worker.*``, ignoring
``spark.python.daemon.module``. sparkseal puts this directory on the workers'
``PYTHONPATH``, so Python runs this file at start-up in every worker process
and the hooks are in place before any PySpark code runs.

Outside a Spark worker (no worker-factory variables in the environment) it
does nothing. A ``sitecustomize`` this file shadows is still run.
"""

import os
import sys

_WORKER_ENV = (
    "PYTHON_WORKER_FACTORY_SECRET",
    "PYTHON_WORKER_FACTORY_PORT",
    "PYTHON_WORKER_FACTORY_SOCK_DIR",
    "PYTHON_WORKER_FACTORY_SOCK_PATH",
)


def _run_shadowed_sitecustomize() -> None:
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        directory = os.path.abspath(entry or ".")
        candidate = os.path.join(directory, "sitecustomize.py")
        if directory != here and os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("_shadowed_sitecustomize", candidate)
            if spec is not None and spec.loader is not None:
                spec.loader.exec_module(importlib.util.module_from_spec(spec))
            return


def _install() -> None:
    if not any(name in os.environ for name in _WORKER_ENV):
        return
    from sparkseal.worker.entry import install_or_exit

    install_or_exit()


_run_shadowed_sitecustomize()
_install()
