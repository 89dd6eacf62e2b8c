"""OpenLineage lineage for sparkseal jobs (docs/lineage.md).

The Java listener turns each Spark SQL query's analyzed plan into a record; this package
turns records into OpenLineage RunEvents (:func:`application_event`, :func:`query_events`)
and sends them with openlineage-python's transports as ``[lineage]`` says
(:class:`LineageEmitter`). Importing it needs openlineage-python (``sparkseal[lineage]``),
not Spark.
"""

from __future__ import annotations

try:
    import openlineage.client  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "sparkseal.lineage needs openlineage-python: pip install 'sparkseal[lineage]'"
    ) from exc

from sparkseal.lineage.emitter import LineageEmitter
from sparkseal.lineage.events import application_event, query_events
from sparkseal.lineage.identity import application_run_id

__all__ = ["LineageEmitter", "application_event", "application_run_id", "query_events"]
