"""The store: opening, the schema version guard and coded errors, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from sparkseal.store import METADATA, StoreError, StoreVersionError, open_store
from sparkseal.store.engine import SCHEMA_TABLE
from tests.postgres import new_database

DEMO = sa.Table("store_test_demo", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return new_database(request.getfixturevalue("postgres_url"))


def test_ensure_creates_tables_and_records_the_version(url):
    store = open_store(url)
    try:
        assert store.schema_version("demo") is None
        store.ensure("demo", 1, [DEMO])
        store.ensure("demo", 1, [DEMO])  # idempotent
        assert store.schema_version("demo") == 1
        with store.read() as conn:
            assert sa.inspect(conn).has_table("store_test_demo")
            rows = conn.execute(sa.select(SCHEMA_TABLE)).all()
        assert [tuple(r) for r in rows] == [("demo", 1)]
    finally:
        store.close()


def test_a_newer_schema_version_is_refused_with_a_code(url):
    store = open_store(url)
    try:
        store.ensure("demo", 1, [DEMO])
        with store.write() as conn:
            conn.execute(SCHEMA_TABLE.update().values(version=99))
        with pytest.raises(StoreVersionError, match=r"SS602: .*version 99"):
            store.ensure("demo", 1, [DEMO])
    finally:
        store.close()


def test_one_metadata_holds_every_table():
    import sparkseal.audit.trail  # noqa: F401  registers the audit tables

    assert {"sparkseal_schema", "audit_entries", "audit_state", "audit_checkpoints"} <= set(
        METADATA.tables
    )


@pytest.mark.parametrize(
    "bad",
    ["not a url", "mysql://x@localhost/db", "sqlite:////nonexistent-dir/sub/store.db"],
)
def test_bad_urls_and_paths_are_coded_errors(bad):
    with pytest.raises(StoreError, match=r"^SS601: .*What to do"):
        open_store(bad)


def test_an_unreachable_postgres_is_a_coded_error_without_the_password():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError) as err:
        open_store(f"postgresql+psycopg://u:hunter2@127.0.0.1:{port}/db", busy_timeout=2)
    assert str(err.value).startswith("SS601: cannot open the store")
    assert "hunter2" not in str(err.value)


def test_a_read_only_sqlite_store_fails_at_open(tmp_path):
    """Opened read-only (the file can be read, not written): the first write lock fails."""
    from sparkseal.audit import AuditTrail

    db = tmp_path / "ro.db"
    AuditTrail.open(f"sqlite:///{db}").close()
    with pytest.raises(StoreError, match=r"^SS601: cannot write to the store .*readonly"):
        AuditTrail.open(f"sqlite:///file:{db}?mode=ro&uri=true")


def test_an_unwritable_directory_fails_with_a_code(tmp_path):
    """A read-only directory. Root ignores permissions, so as root the check runs in a
    subprocess without the capabilities that bypass them (as a job user would be)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    code = (
        "from sparkseal.audit import AuditTrail\n"
        "from sparkseal.store import StoreError\n"
        "try:\n"
        f"    AuditTrail.open('sqlite:///{ro}/audit.db')\n"
        "except StoreError as e:\n"
        "    print(e)\n"
    )
    prefix = []
    if os.geteuid() == 0:  # root without the capabilities that bypass file permissions
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    out = subprocess.run(
        [*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert out.stdout.startswith("SS601: cannot "), out.stdout + out.stderr
    assert "What to do" in out.stdout
    assert not (ro / "audit.db").exists()
