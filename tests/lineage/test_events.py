"""RunEvents built from listener records: content, identities, and the spec's schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openlineage.client.serde import Serde

from sparkseal.lineage import application_event, application_run_id, query_events
from sparkseal.lineage.events import NO_ERROR_TEXT
from sparkseal.lineage.identity import dataset_identity, normalize
from sparkseal.lineage.records import LineageRecordError
from tests.lineage.conftest import SEALED_ERROR
from tests.lineage.schema_check import validate_json

NS = "payments"
CANARY = "alan.turing@example.net"


def wire(event) -> dict[str, Any]:
    """The event as a transport sends it, validated against the schemas."""
    return validate_json(Serde.to_json(event))


# --- application ---


def test_application_start_complete_fail(app):
    start = wire(application_event(app, "START", NS))
    app.update(end="2026-11-30T19:31:02.000Z", outcome="success")
    complete = wire(application_event(app, "COMPLETE", NS))
    app.update(outcome="failure", error=SEALED_ERROR)
    fail = wire(application_event(app, "FAIL", NS))

    assert [e["eventType"] for e in (start, complete, fail)] == ["START", "COMPLETE", "FAIL"]
    assert start["eventTime"] == "2026-11-30T19:30:00.123Z"
    assert complete["eventTime"] == fail["eventTime"] == "2026-11-30T19:31:02.000Z"
    run_ids = {e["run"]["runId"] for e in (start, complete, fail)}
    assert run_ids == {application_run_id(app)}
    for event in (start, complete, fail):
        assert event["job"] == {
            "namespace": NS,
            "name": "payments_daily",
            "facets": {
                "jobType": {
                    "_producer": event["producer"],
                    "_schemaURL": event["job"]["facets"]["jobType"]["_schemaURL"],
                    "processingType": "BATCH",
                    "integration": "SPARK",
                    "jobType": "APPLICATION",
                }
            },
        }
        engine = event["run"]["facets"]["processing_engine"]
        assert (engine["name"], engine["version"], engine["openlineageAdapterVersion"]) == (
            "spark",
            "4.3.0",
            "0.1.0",
        )
        assert event["run"]["facets"]["tags"]["tags"] == [
            {"key": "spark.app.id", "value": "local-1764530000000", "source": "SPARKSEAL"}
        ]
        assert event["inputs"] == event["outputs"] == []
    assert "errorMessage" not in start["run"]["facets"]
    assert "errorMessage" not in complete["run"]["facets"]
    assert fail["run"]["facets"]["errorMessage"]["message"] == SEALED_ERROR
    assert "stackTrace" not in fail["run"]["facets"]["errorMessage"]


def test_application_user_and_host_are_not_emitted(app):
    app.update(user="canary-user-4711", host="canary-host-4711")
    text = Serde.to_json(application_event(app, "START", NS))
    assert "canary-user-4711" not in text
    assert "canary-host-4711" not in text


def test_application_fail_without_error_text_says_so(app):
    app.update(end="2026-11-30T19:31:02.000Z", outcome="failure")
    event = wire(application_event(app, "FAIL", NS))
    assert event["run"]["facets"]["errorMessage"]["message"] == NO_ERROR_TEXT


def test_application_end_without_end_time_is_timed_now(app):
    app.update(outcome="success")
    before = datetime.now(UTC)
    event = wire(application_event(app, "COMPLETE", NS))
    when = datetime.fromisoformat(event["eventTime"])
    assert before - timedelta(seconds=1) <= when <= datetime.now(UTC)


def test_query_job_name_from_an_output_path(app, join_record):
    join_record["outputs"][0]["table"] = None
    event = wire(query_events(app, join_record, NS)[0])
    assert event["job"]["name"] == "payments_daily.command.data_out_daily"


def test_application_run_id_is_stable_per_app_and_differs_between_apps(app):
    first = application_run_id(app)
    assert application_run_id(dict(app)) == first
    assert application_run_id({**app, "app_id": "local-1764530000001"}) != first
    # a UUIDv7, as the spec recommends for run ids: its time prefix is the app's start
    assert first[14] == "7"


def test_event_type_must_be_one_of_three(app):
    with pytest.raises(ValueError, match="START, COMPLETE or FAIL"):
        application_event(app, "RUNNING", NS)  # type: ignore[arg-type]


# --- a query that joins, projects and aggregates ---


def _lineage_as_record(facet: dict[str, Any], inputs: list[dict[str, Any]]) -> tuple[dict, list]:
    """The emitted column-lineage facet turned back into the record's form."""
    index = {(d["namespace"], d["name"]): i for i, d in enumerate(inputs)}

    def entries(fields: list[dict[str, Any]]) -> list[tuple]:
        return sorted(
            (index[(f["namespace"], f["name"])], f["field"], t["type"], t.get("subtype"))
            for f in fields
            for t in f["transformations"]
        )

    columns = {name: entries(v["inputFields"]) for name, v in facet["fields"].items()}
    return columns, entries(facet.get("dataset", []))


def _record_lineage(output: dict[str, Any]) -> tuple[dict, list]:
    def entries(items: list[dict[str, Any]]) -> list[tuple]:
        return sorted((e["input"], e["field"], e["type"], e["subtype"]) for e in items)

    return {k: entries(v) for k, v in output["columns"].items()}, entries(output["indirect"])


def test_join_projection_aggregation(app, join_record):
    events = [wire(e) for e in query_events(app, join_record, NS)]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    start, complete = events
    assert start["eventTime"] == "2026-11-30T19:30:01.000Z"
    assert complete["eventTime"] == "2026-11-30T19:30:03.500Z"
    assert start["run"]["runId"] == complete["run"]["runId"] != application_run_id(app)
    for event in events:
        assert event["job"]["namespace"] == NS
        assert event["job"]["name"] == "payments_daily.command.db_daily"
        assert event["job"]["facets"]["jobType"]["jobType"] == "SQL_JOB"
        parent = event["run"]["facets"]["parent"]
        assert parent["run"]["runId"] == application_run_id(app)
        assert parent["job"] == {"namespace": NS, "name": "payments_daily", "facets": {}}
        assert parent["root"]["run"]["runId"] == application_run_id(app)
        assert event["run"]["facets"]["processing_engine"]["version"] == "4.3.0"
        assert "errorMessage" not in event["run"]["facets"]

        orders, customers = event["inputs"]
        assert (orders["namespace"], orders["name"]) == ("file", "/data/orders")
        assert (customers["namespace"], customers["name"]) == ("file", "/data/customers")
        assert [(f["name"], f["type"]) for f in orders["facets"]["schema"]["fields"]] == [
            ("id", "bigint"),
            ("customer_id", "bigint"),
            ("amount", "decimal(12,2)"),
            ("day", "date"),
        ]
        assert "symlinks" not in orders["facets"]
        assert customers["facets"]["symlinks"]["identifiers"] == [
            {"namespace": "file", "name": "crm.customers", "type": "TABLE"}
        ]

        (output,) = event["outputs"]
        assert (output["namespace"], output["name"]) == ("file", "/data/out/daily")
        assert [f["name"] for f in output["facets"]["schema"]["fields"]] == [
            "customer",
            "day",
            "total",
        ]
        assert output["facets"]["symlinks"]["identifiers"] == [
            {"namespace": "file", "name": "db.daily", "type": "TABLE"}
        ]
        lineage = output["facets"]["columnLineage"]
        assert _lineage_as_record(lineage, event["inputs"]) == _record_lineage(
            join_record["outputs"][0]
        )
        # and spelled out, for the reader:
        assert lineage["fields"]["total"]["inputFields"] == [
            {
                "namespace": "file",
                "name": "/data/orders",
                "field": "amount",
                "transformations": [{"type": "DIRECT", "subtype": "AGGREGATION"}],
            }
        ]
        assert lineage["fields"]["customer"]["inputFields"][0]["name"] == "/data/customers"
        assert {(f["name"], f["field"]) for f in lineage["dataset"]} == {
            ("/data/orders", "customer_id"),
            ("/data/customers", "id"),
            ("/data/customers", "name"),
            ("/data/orders", "day"),
        }
    assert start["outputs"][0]["outputFacets"] == {}
    stats = complete["outputs"][0]["outputFacets"]["outputStatistics"]
    assert (stats["rowCount"], stats["size"], stats["fileCount"]) == (123, 4567, 2)


def test_one_input_field_with_two_transformations_is_one_input_field(app, join_record):
    join_record["outputs"][0]["columns"] = {
        "total": [
            {"input": 0, "field": "amount", "type": "DIRECT", "subtype": "AGGREGATION"},
            {"input": 0, "field": "amount", "type": "INDIRECT", "subtype": "CONDITIONAL"},
        ]
    }
    event = wire(query_events(app, join_record, NS)[1])
    (field,) = event["outputs"][0]["facets"]["columnLineage"]["fields"]["total"]["inputFields"]
    assert field["transformations"] == [
        {"type": "DIRECT", "subtype": "AGGREGATION"},
        {"type": "INDIRECT", "subtype": "CONDITIONAL"},
    ]


def test_query_run_ids_differ_per_query_and_repeat_per_record(app, join_record, collect_record):
    a = query_events(app, join_record, NS)[0].run.runId
    assert query_events(app, join_record, NS)[1].run.runId == a
    assert query_events(app, collect_record, NS)[0].run.runId != a


# --- a failed query ---


def test_failed_query_carries_the_sealed_text_only(app, failed_record):
    # Plaintext the listener must never hand over, planted where extra keys may appear:
    # none of it may reach an event.
    failed_record["plan"] = f"Filter (email#12 = {CANARY})"
    failed_record["stack_trace"] = f"java.lang.NumberFormatException: For input string: {CANARY}"
    failed_record["error_plain"] = CANARY
    failed_record["inputs"][1]["sample"] = [CANARY]
    failed_record["inputs"][1]["fields"][2]["example"] = CANARY
    failed_record["outputs"][0]["partition_values"] = {"email": CANARY}
    failed_record["outputs"][0]["columns"]["total"][0]["expression"] = f"sum(amount) /*{CANARY}*/"
    app["env"] = {"SECRET": CANARY}

    events = query_events(app, failed_record, NS)
    start, fail = (wire(e) for e in events)
    assert fail["eventType"] == "FAIL"
    error = fail["run"]["facets"]["errorMessage"]
    assert error["message"] == SEALED_ERROR
    assert error["programmingLanguage"] == "JAVA"
    assert "stackTrace" not in error
    assert "errorMessage" not in start["run"]["facets"]
    # unknown counts: no statistics facet rather than zeros
    assert fail["outputs"][0]["outputFacets"] == {}
    for event in events:
        assert CANARY not in Serde.to_json(event)


# --- a query without outputs ---


def test_query_with_no_outputs(app, collect_record):
    events = [wire(e) for e in query_events(app, collect_record, NS)]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    for event in events:
        assert event["outputs"] == []
        assert event["job"]["name"] == "payments_daily.collect"
        assert [d["name"] for d in event["inputs"]] == ["/data/customers"]


def test_delta_output_has_a_storage_facet(app, join_record):
    join_record["outputs"][0]["format"] = "delta"
    event = wire(query_events(app, join_record, NS)[1])
    assert event["outputs"][0]["facets"]["storage"]["storageLayer"] == "delta"
    assert "storage" not in event["inputs"][0]["facets"]  # plain parquet


def test_nested_fields_are_kept(app, collect_record):
    collect_record["inputs"][0]["fields"] = [
        {
            "name": "address",
            "type": "struct",
            "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": "string"}],
        }
    ]
    event = wire(query_events(app, collect_record, NS)[0])
    (address,) = event["inputs"][0]["facets"]["schema"]["fields"]
    assert [f["name"] for f in address["fields"]] == ["city", "zip"]


# --- naming ---


@pytest.mark.parametrize(
    ("namespace", "name", "expected"),
    [
        ("file", "/data/orders", ("file", "/data/orders")),
        ("file", "/data/orders/", ("file", "/data/orders")),
        ("file", "file:///data/orders", ("file", "/data/orders")),
        ("file", "file:/data/orders", ("file", "/data/orders")),
        ("file", "/data/customers/country=FR", ("file", "/data/customers")),
        ("file", "/data/customers/country=FR/email=a@b.c/", ("file", "/data/customers")),
        ("file", "/x=1", ("file", "/x=1")),
        ("s3://bucket", "/warehouse/orders", ("s3://bucket", "warehouse/orders")),
        ("gs://bucket/", "orders/day=2026-11-30", ("gs://bucket", "orders")),
        ("hdfs://nn:8020", "/data/orders", ("hdfs://nn:8020", "/data/orders")),
    ],
)
def test_dataset_identity(namespace, name, expected):
    assert dataset_identity(namespace, name) == expected


def test_partitions_of_one_table_are_one_input(app, collect_record):
    second = json.loads(json.dumps(collect_record["inputs"][0]))
    collect_record["inputs"][0]["name"] = "/data/customers/country=FR"
    second["name"] = "/data/customers/country=DE"
    collect_record["inputs"].append(second)
    event = wire(query_events(app, collect_record, NS)[0])
    assert [d["name"] for d in event["inputs"]] == ["/data/customers"]
    assert "country=" not in Serde.to_json(query_events(app, collect_record, NS)[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("payments-daily", "payments_daily"),
        ("camelCaseExample", "camel_case_example"),
        ("someACRONYMInside", "some_acronym_inside"),
        ("  Déjà vu! ", "deja_vu"),
        ("db.daily", "db_daily"),
    ],
)
def test_normalize_matches_the_spark_integration(text, expected):
    assert normalize(text) == expected


# --- malformed records ---


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda r: r.pop("start"), "record.start is missing"),
        (lambda r: r.update(outcome=CANARY), "record.outcome"),
        (lambda r: r.update(execution_id=CANARY), "record.execution_id"),
        (lambda r: r["inputs"][0].update(name=None), "record.inputs[0].name is missing"),
        (lambda r: r["outputs"][0].update(rows=CANARY), "record.outputs[0].rows"),
        (
            lambda r: r["outputs"][0]["indirect"][0].update(input=5),
            "record.outputs[0].indirect[0].input",
        ),
        (
            lambda r: r["outputs"][0]["indirect"][0].update(type="DIRECT"),
            "record.outputs[0].indirect[0].type",
        ),
        (
            lambda r: r["outputs"][0]["indirect"][0].update(subtype=CANARY),
            "record.outputs[0].indirect[0].subtype",
        ),
        (lambda r: r.update(start=CANARY), "record.start is not an ISO-8601 time"),
    ],
)
def test_malformed_records_name_the_key_never_the_value(app, join_record, mutate, where):
    mutate(join_record)
    with pytest.raises(LineageRecordError) as info:
        query_events(app, join_record, NS)
    message = str(info.value)
    assert message.startswith("SS653: ")
    assert where in message
    assert CANARY not in message


def test_importing_needs_no_spark():
    code = (
        "import sys, sparkseal.lineage as l\n"
        "assert l.LineageEmitter and l.application_event and l.query_events\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_java_instant_times_are_read(app, collect_record):
    # java.time.Instant.toString(): nanoseconds, or no fraction at all on a whole second
    collect_record.update(start="2026-11-30T19:30:04.123456789Z", end="2026-11-30T19:30:05Z")
    start, complete = (wire(e) for e in query_events(app, collect_record, NS))
    assert start["eventTime"] == "2026-11-30T19:30:04.123Z"
    assert complete["eventTime"] == "2026-11-30T19:30:05.000Z"
