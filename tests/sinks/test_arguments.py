"""Sinks refuse invalid arguments with SS975 before anything is written."""

from __future__ import annotations

import pytest

from sparkseal.sinks import SinkError, file_batches, postgres_batches
from sparkseal.sinks.postgres import conninfo

URL = "postgresql://app@127.0.0.1:1/db"


@pytest.mark.parametrize("kwargs", [
    {"table": "events; DROP TABLE x", "key_columns": ["id"]},
    {"table": "a.b.c", "key_columns": ["id"]},
    {"table": "events", "key_columns": []},
    {"table": "events", "key_columns": "id"},
    {"table": "events", "key_columns": ['id"--']},
    {"table": "events", "key_columns": ["id"], "on_conflict": "replace"},
    {"table": "events", "key_columns": ["id"], "marker_table": "m-1"},
])
def test_postgres_batches_refuses_invalid_arguments(kwargs):
    with pytest.raises(SinkError, match="SS975"):
        postgres_batches(URL, **kwargs)


def test_urls():
    assert conninfo("postgresql+psycopg://u@h:5/d") == "postgresql://u@h:5/d"
    assert conninfo(URL) == URL
    with pytest.raises(SinkError, match="SS975"):
        conninfo("mysql://u@h/d")
    sink = postgres_batches(URL, "public.events", ["id"])
    assert sink.target == "public.events" and sink.idempotent


def test_file_batches_refuses_unknown_formats(tmp_path):
    with pytest.raises(SinkError, match="SS975"):
        file_batches(str(tmp_path), "delta-lake")
    assert file_batches(str(tmp_path) + "/").batch_dir(7) == f"{tmp_path}/batch_id=7"
