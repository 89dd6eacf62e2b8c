"""Who is who in an event: job names, run ids and dataset identities.

Names follow OpenLineage's naming conventions (website/docs/spec/naming.md in the
OpenLineage repository, and its Spark integration): the application job is the
normalized app name, a query job is ``{app}.{function}.{output}``; a local file is
namespace ``file`` with its absolute path as name, object stores are ``s3://bucket``
(``gs://``, ``abfss://``, ...) with the object key as name.

Run ids are UUIDv7 derived from a start time and the application id
(``openlineage.client.uuid.generate_static_uuid``): whoever builds an event for the same
application or query gets the same run id without shared state, so a START and its
COMPLETE always pair up, and a query's ParentRunFacet always names its application's run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from openlineage.client.uuid import generate_static_uuid

from sparkseal import __version__
from sparkseal.core.token import TOKEN_RE
from sparkseal.lineage.records import require_int, require_str, require_time

PRODUCER = f"urn:sparkseal:{__version__}"
"""The ``producer`` of every event and facet: a URI naming sparkseal and its version (a URN,
because the project has no public URL to point at yet)."""

# Namespaces whose dataset name is an object key (no leading slash), per naming.md.
_OBJECT_STORE_SCHEMES = ("s3://", "s3a://", "s3n://", "gs://", "wasbs://", "abfss://")
_KEY_VALUE_SEGMENT = re.compile(r"^[^=]+=.*$")


def normalize(text: str) -> str:
    """``payments-daily`` -> ``payments_daily``: the Spark integration's NameNormalizer, so
    our job names look like the ones OpenLineage's own Spark agent gives."""
    trimmed = re.sub(r"[^\w]+$", "", re.sub(r"^[^\w]+", "", text))
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", trimmed) if not unicodedata.combining(c)
    )
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", plain)
    words = re.sub(r"(?<!^)([A-Z])([a-z])", r" \1\2", words)
    words = re.sub(r"(\d)([A-Z])", r"\1 \2", words)
    return re.sub(r"[^a-zA-Z0-9]+", "_", words.lower())


def _name_part(text: str) -> str:
    """A table or path as part of a job name: normalized, with each sealed part (a sealed
    path segment or table name) as the word ``sealed``: a token differs on every run, and
    its normalized text could not be opened anyway."""
    return normalize(TOKEN_RE.sub("sealed", text))


def event_time(value: datetime) -> str:
    """The wire form of an instant: ISO-8601 in UTC, milliseconds, ``Z``."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def application_job_name(app: Mapping[str, Any]) -> str:
    """The application's job name: its normalized app name (its app id if that is empty)."""
    name = normalize(require_str(app, "app_name", "app"))
    return name or normalize(require_str(app, "app_id", "app"))


def application_run_id(app: Mapping[str, Any]) -> str:
    """The application's run id: UUIDv7 from its start time and app id, stable for one app."""
    start = require_time(app, "start", "app")
    app_id = require_str(app, "app_id", "app")
    return str(generate_static_uuid(start, b"sparkseal/app/" + app_id.encode("utf-8")))


def query_run_id(app: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """A query's run id: UUIDv7 from its start time, the app id and the execution id."""
    start = require_time(record, "start", "record")
    app_id = require_str(app, "app_id", "app")
    execution_id = require_int(record, "execution_id", "record")
    return str(generate_static_uuid(start, f"sparkseal/query/{app_id}/{execution_id}".encode()))


def query_job_name(app: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """``{app}.{function}``, plus ``.{output}`` when the query writes (its first output's
    table, else its path), like the Spark integration's ``app.command.db_table``."""
    parts = [application_job_name(app), normalize(str(record.get("function") or "query"))]
    outputs = record.get("outputs") or []
    if outputs and isinstance(outputs[0], Mapping):
        first = outputs[0]
        table = first.get("table")
        if isinstance(table, str) and table:
            parts.append(_name_part(table))
        elif isinstance(first.get("name"), str):
            namespace = first.get("namespace")
            _, name = dataset_identity(
                namespace if isinstance(namespace, str) else "", first["name"]
            )
            parts.append(_name_part(name))
    return ".".join(p for p in parts if p)


def dataset_identity(namespace: str, name: str) -> tuple[str, str]:
    """A dataset's (namespace, name) in OpenLineage's conventions.

    Local paths keep their absolute path under ``file``; object-store keys lose their
    leading slash; trailing slashes go; trailing ``key=value`` directories are cut, because
    they are partition values, i.e. data: ``/data/customers/country=FR`` is the dataset
    ``/data/customers``."""
    ns = namespace.strip() or "file"
    if ns != "file":
        ns = ns.rstrip("/")
    path = name.strip()
    if ns == "file" and path.startswith("file:"):
        path = "/" + re.sub(r"^file:/*", "", path)
    segments = path.split("/")
    while len(segments) > 1 and not segments[-1]:
        segments.pop()
    while sum(1 for s in segments if s) > 1 and _KEY_VALUE_SEGMENT.match(segments[-1]):
        segments.pop()
        while len(segments) > 1 and not segments[-1]:
            segments.pop()
    path = "/".join(segments) or "/"
    if ns.startswith(_OBJECT_STORE_SCHEMES):
        path = path.lstrip("/")
    return ns, path
