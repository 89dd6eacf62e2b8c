"""Validate OpenLineage events against the spec's JSON schemas (copies in ``schemas/``).

The base schema accepts any object as a facet, so every facet is also validated against
its own facet schema, found from its ``_schemaURL``, and its key must be the one that
schema defines: a facet with no schema copy here fails the check instead of passing
unchecked. ``$ref``s between files resolve through a ``referencing.Registry`` mapping each
file's ``$id`` to its contents (no network).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "schemas"


def _load() -> tuple[Registry, dict[str, str]]:
    registry = Registry()
    facet_ids: dict[str, str] = {}
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text())
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
        if path.name != "OpenLineage.json":
            (key,) = contents["properties"]  # each facet file defines exactly one facet key
            facet_ids[key] = contents["$id"]
    return registry, facet_ids


REGISTRY, FACET_IDS = _load()
BASE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json"

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        raise ValueError("no time part")
    datetime.fromisoformat(value)
    return True


@FORMATS.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not urlparse(value).scheme or any(c.isspace() for c in value):
        raise ValueError("not an absolute URI")
    return True


def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref}, registry=REGISTRY, format_checker=FORMATS)


def _facet_maps(event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    maps = [("run.facets", event["run"].get("facets") or {})]
    maps.append(("job.facets", event["job"].get("facets") or {}))
    for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        for i, dataset in enumerate(event.get(side) or []):
            maps.append((f"{side}[{i}].facets", dataset.get("facets") or {}))
            maps.append((f"{side}[{i}].{extra}", dataset.get(extra) or {}))
    return maps


def validate_event(event: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` (or ``AssertionError``) unless ``event`` is a
    valid RunEvent whose every facet is valid under its own facet schema."""
    assert event["schemaURL"] == f"{BASE_ID}#/$defs/RunEvent", event["schemaURL"]
    _validator(BASE_ID).validate(event)
    _validator(event["schemaURL"]).validate(event)
    for where, facets in _facet_maps(event):
        for key, facet in facets.items():
            assert key in FACET_IDS, f"{where}.{key}: no schema copy for this facet"
            schema_url = facet["_schemaURL"]
            assert schema_url.split("#")[0] == FACET_IDS[key], (
                f"{where}.{key}: _schemaURL {schema_url} is not {FACET_IDS[key]}"
            )
            _validator(schema_url).validate(facet)
            _validator(FACET_IDS[key]).validate({key: facet})


def validate_json(text: str) -> dict[str, Any]:
    """Parse one serialized event and validate it; returns the parsed event."""
    event = json.loads(text)
    validate_event(event)
    return event
