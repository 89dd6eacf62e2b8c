"""The run's context written into every JSON log record: app name, app id, run id, job.

The app id only exists once the SparkContext does: it is looked up once per SparkContext,
lazily, the first time a record is written after the session started.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from sparkseal.logs.fields import is_identifier

RUN_ID_ENV = "SPARKSEAL_RUN_ID"
"""Set by a scheduler to give the run's records its own id (an identifier); else a uuid4."""


def new_run_id() -> str:
    """``$SPARKSEAL_RUN_ID`` when it is an identifier, else a fresh random id."""
    given = os.environ.get(RUN_ID_ENV)
    return given if given and is_identifier(given) else uuid.uuid4().hex


@dataclass
class RunContext:
    """What every record of this driver says about the run it belongs to."""

    run_id: str = field(default_factory=new_run_id)
    job: str | None = None
    app_name: str | None = None
    app_id: str | None = None
    _bound_sc: int | None = field(default=None, repr=False)
    _lookup: threading.local = field(default_factory=threading.local, repr=False)

    def bind(self, spark: Any) -> None:
        """Take app name and id from a SparkSession or SparkContext now (optional: they are
        also picked up by themselves on the first record after the session started)."""
        sc = getattr(spark, "sparkContext", spark)
        self._read(sc)

    def current(self) -> dict[str, str | None]:
        """The context fields, with app name and id from the active SparkContext if any."""
        sc = _active_spark_context()
        if sc is not None and id(sc) != self._bound_sc and not getattr(self._lookup, "on", False):
            self._lookup.on = True  # the lookup may log (py4j): never recurse into it
            try:
                self._read(sc)
            finally:
                self._lookup.on = False
        return {
            "app_name": self.app_name,
            "app_id": self.app_id,
            "run_id": self.run_id,
            "job": self.job if self.job is not None else self.app_name,
        }

    def _read(self, sc: Any) -> None:
        name = getattr(sc, "appName", None)
        if isinstance(name, str):
            self.app_name = name
        try:
            app_id = sc.applicationId
        except Exception:
            return  # the JVM is gone or not up yet: try again with the next record
        if isinstance(app_id, str):
            self.app_id = app_id
            self._bound_sc = id(sc)


def _active_spark_context() -> Any:
    # Never import PySpark from a log call: only a driver that already uses it has a context.
    module = sys.modules.get("pyspark.core.context")
    return getattr(getattr(module, "SparkContext", None), "_active_spark_context", None)
