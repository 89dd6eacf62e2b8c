"""OpenLineage RunEvents for a Spark application and for each of its SQL queries.

The Java listener hands Python an application record and, per SQL query, a query record
taken from the analyzed plan (shapes in docs/lineage.md). :func:`application_event` makes
the application's START, COMPLETE or FAIL; :func:`query_events` makes a query's START and its
COMPLETE or FAIL, whose ParentRunFacet points at the application's run (run ids are derived,
see :mod:`sparkseal.lineage.identity`, so no state is shared between calls).

What goes in: names, paths, types, counts, versions, times, and on FAIL the record's
``error``, which the listener has already sealed. What never goes in: data values, plan or
SQL text, stack traces, user and host names (the audit trail keeps those), and any key the
records carry that is not named here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    JobFacet,
    RunFacet,
    error_message_run,
    job_type_job,
    parent_run,
    processing_engine_run,
    tags_run,
)

from sparkseal.lineage.datasets import input_datasets, output_datasets
from sparkseal.lineage.identity import (
    PRODUCER,
    application_job_name,
    application_run_id,
    event_time,
    query_job_name,
    query_run_id,
)
from sparkseal.lineage.records import (
    LineageRecordError,
    optional_str,
    require_str,
    require_time,
)

EventType = Literal["START", "COMPLETE", "FAIL"]
_EVENT_TYPES: dict[str, RunState] = {
    "START": RunState.START,
    "COMPLETE": RunState.COMPLETE,
    "FAIL": RunState.FAIL,
}
NO_ERROR_TEXT = "failed; the listener reported no sealed error text"
"""The error facet's message when a failure comes without its sealed text."""


def _processing_engine(app: Mapping[str, Any]) -> processing_engine_run.ProcessingEngineRunFacet:
    return processing_engine_run.ProcessingEngineRunFacet(
        version=require_str(app, "spark_version", "app"),
        name="spark",
        openlineageAdapterVersion=optional_str(app, "sparkseal_version", "app"),
        producer=PRODUCER,
    )


def _job_type(job_type: str) -> dict[str, JobFacet]:
    return {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="SPARK", jobType=job_type, producer=PRODUCER
        )
    }


def _error(
    data: Mapping[str, Any], where: str, language: str
) -> error_message_run.ErrorMessageRunFacet:
    # The sealed token text as given, and never a stack trace: the spec's stackTrace field
    # would be a second, unsealed copy of what the token protects.
    message = optional_str(data, "error", where) or NO_ERROR_TEXT
    return error_message_run.ErrorMessageRunFacet(
        message=message, programmingLanguage=language, producer=PRODUCER
    )


def application_event(app: Mapping[str, Any], event_type: EventType, namespace: str) -> RunEvent:
    """The application's START, COMPLETE or FAIL event in job namespace ``namespace``.

    The run id is :func:`~sparkseal.lineage.identity.application_run_id` (from ``app_id`` and
    ``start``), the same for every event of the application and for its queries' parent
    facet. COMPLETE and FAIL are timed at ``end`` (now, if the record has none yet)."""
    state = _EVENT_TYPES.get(event_type)
    if state is None:
        raise ValueError(f"event_type must be START, COMPLETE or FAIL, not {event_type!r}")
    start = require_time(app, "start", "app")
    if state is RunState.START:
        when = start
    elif app.get("end") is not None:
        when = require_time(app, "end", "app")
    else:
        when = datetime.now(UTC)
    run_facets: dict[str, RunFacet] = {
        "processing_engine": _processing_engine(app),
        "tags": tags_run.TagsRunFacet(
            tags=[
                tags_run.TagsRunFacetFields(
                    key="spark.app.id", value=require_str(app, "app_id", "app"), source="SPARKSEAL"
                )
            ],
            producer=PRODUCER,
        ),
    }
    if state is RunState.FAIL:
        # The application's failure is the PySpark driver program's.
        run_facets["errorMessage"] = _error(app, "app", "PYTHON")
    return RunEvent(
        eventType=state,
        eventTime=event_time(when),
        run=Run(runId=application_run_id(app), facets=run_facets),
        job=Job(
            namespace=namespace, name=application_job_name(app), facets=_job_type("APPLICATION")
        ),
        inputs=[],
        outputs=[],
        producer=PRODUCER,
    )


def query_events(
    app: Mapping[str, Any], record: Mapping[str, Any], namespace: str
) -> list[RunEvent]:
    """A query's START and its COMPLETE (``outcome`` success) or FAIL (failure) event.

    Both carry the inputs and outputs with their schema, symlinks and column-lineage facets;
    the last one also the output statistics. The run's parent is the application's run."""
    outcome = require_str(record, "outcome", "record")
    if outcome not in ("success", "failure"):
        raise LineageRecordError("record.outcome must be success or failure")
    start = require_time(record, "start", "record")
    end = require_time(record, "end", "record")
    run_id = query_run_id(app, record)
    job = Job(namespace=namespace, name=query_job_name(app, record), facets=_job_type("SQL_JOB"))
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=application_run_id(app)),
        job=parent_run.Job(namespace=namespace, name=application_job_name(app)),
        root=parent_run.Root(
            run=parent_run.RootRun(runId=application_run_id(app)),
            job=parent_run.RootJob(namespace=namespace, name=application_job_name(app)),
        ),
        producer=PRODUCER,
    )

    def run_facets(final: bool) -> dict[str, RunFacet]:
        facets: dict[str, RunFacet] = {
            "parent": parent,
            "processing_engine": _processing_engine(app),
        }
        if final and outcome == "failure":
            # Spark SQL executes, and reports the failure, in the JVM.
            facets["errorMessage"] = _error(record, "record", "JAVA")
        return facets

    inputs = input_datasets(record)
    first = RunEvent(
        eventType=RunState.START,
        eventTime=event_time(start),
        run=Run(runId=run_id, facets=run_facets(final=False)),
        job=job,
        inputs=inputs,
        outputs=output_datasets(record, final=False),
        producer=PRODUCER,
    )
    last = RunEvent(
        eventType=RunState.COMPLETE if outcome == "success" else RunState.FAIL,
        eventTime=event_time(end),
        run=Run(runId=run_id, facets=run_facets(final=True)),
        job=job,
        inputs=input_datasets(record),
        outputs=output_datasets(record, final=True),
        producer=PRODUCER,
    )
    return [first, last]
