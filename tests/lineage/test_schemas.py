"""The schema check itself: it rejects what the spec rejects, and its copies match the client."""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path

import jsonschema
import pytest
from openlineage.client.serde import Serde

from sparkseal.lineage import application_event, query_events
from tests.lineage.schema_check import FACET_IDS, SCHEMAS, validate_event

NS = "payments"


@pytest.fixture
def failed_event(app, failed_record) -> dict:
    return json.loads(Serde.to_json(query_events(app, failed_record, NS)[1]))


def test_a_valid_event_passes(failed_event):
    validate_event(failed_event)


def _mutations():
    def drop_language(e):
        del e["run"]["facets"]["errorMessage"]["programmingLanguage"]

    def lineage_without_field(e):
        del e["outputs"][0]["facets"]["columnLineage"]["fields"]["total"]["inputFields"][0]["field"]

    def transformation_without_type(e):
        lineage = e["outputs"][0]["facets"]["columnLineage"]
        del lineage["dataset"][0]["transformations"][0]["type"]

    def rows_as_text(e):
        e["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] = "123"

    def symlink_without_type(e):
        del e["outputs"][0]["facets"]["symlinks"]["identifiers"][0]["type"]

    def job_type_without_integration(e):
        del e["job"]["facets"]["jobType"]["integration"]

    def parent_run_id_not_uuid(e):
        e["run"]["facets"]["parent"]["run"]["runId"] = "app-1"

    def event_time_without_time(e):
        e["eventTime"] = "2026-11-30"

    def producer_not_uri(e):
        e["producer"] = "sparkseal 0.1.0"

    def unknown_facet(e):
        e["run"]["facets"]["spark_unknown"] = {"_producer": e["producer"], "_schemaURL": "x:y"}

    def facet_under_wrong_key(e):
        e["run"]["facets"]["tags"] = e["run"]["facets"].pop("processing_engine")

    def event_type_unknown(e):
        e["eventType"] = "DONE"

    return [
        drop_language,
        lineage_without_field,
        transformation_without_type,
        rows_as_text,
        symlink_without_type,
        job_type_without_integration,
        parent_run_id_not_uuid,
        event_time_without_time,
        producer_not_uri,
        unknown_facet,
        facet_under_wrong_key,
        event_type_unknown,
    ]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_the_check_rejects_invalid_events(failed_event, mutate):
    broken = copy.deepcopy(failed_event)
    broken["outputs"][0]["outputFacets"].setdefault(
        "outputStatistics",
        {
            "_producer": broken["producer"],
            "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/"
            "OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
            "rowCount": 1,
        },
    )
    validate_event(broken)  # still valid before the mutation
    mutate(broken)
    with pytest.raises((jsonschema.ValidationError, AssertionError)):
        validate_event(broken)


@pytest.mark.parametrize(
    ("module", "cls"),
    [
        ("column_lineage_dataset", "ColumnLineageDatasetFacet"),
        ("error_message_run", "ErrorMessageRunFacet"),
        ("job_type_job", "JobTypeJobFacet"),
        ("output_statistics_output_dataset", "OutputStatisticsOutputDatasetFacet"),
        ("parent_run", "ParentRunFacet"),
        ("processing_engine_run", "ProcessingEngineRunFacet"),
        ("schema_dataset", "SchemaDatasetFacet"),
        ("storage_dataset", "StorageDatasetFacet"),
        ("symlinks_dataset", "SymlinksDatasetFacet"),
        ("tags_run", "TagsRunFacet"),
    ],
)
def test_copies_are_the_versions_the_installed_client_writes(module, cls):
    facet_class = getattr(importlib.import_module(f"openlineage.client.generated.{module}"), cls)
    schema_id = facet_class._get_schema().split("#")[0]
    assert schema_id in FACET_IDS.values(), f"copy {schema_id} into tests/lineage/schemas/"


def test_every_copy_is_named_in_the_readme_with_its_source():
    readme = (SCHEMAS / "README.md").read_text()
    assert "8f02abfb7a252783b95df79f443edb13959bf52c" in readme
    assert "https://github.com/OpenLineage/OpenLineage" in readme
    for path in SCHEMAS.glob("*.json"):
        assert path.name in readme
        version = json.loads(path.read_text())["$id"].split("/")[-2]
        assert path.name == "OpenLineage.json" or f"| {path.name} | {version} |" in readme


def test_every_facet_sparkseal_builds_has_a_schema_copy(app, join_record, failed_record):
    join_record["outputs"][0]["format"] = "delta"
    app_failed = {**app, "end": "2026-11-30T19:31:02.000Z", "outcome": "failure", "error": "x"}
    events = [
        application_event(app, "START", NS),
        application_event(app_failed, "FAIL", NS),
        *query_events(app, join_record, NS),
        *query_events(app, failed_record, NS),
    ]
    keys = set()
    for event in events:
        data = json.loads(Serde.to_json(event))
        validate_event(data)
        keys |= set(data["run"]["facets"]) | set(data["job"]["facets"])
        for d in data["inputs"] + data["outputs"]:
            keys |= set(d["facets"]) | set(d.get("outputFacets", {}))
    # all but the client's own "tags" additions are ours; each must have a copy
    assert keys == set(FACET_IDS)


def test_schemas_dir_holds_only_json_and_the_readme():
    assert {p.suffix for p in Path(SCHEMAS).iterdir()} == {".json", ".md"}
