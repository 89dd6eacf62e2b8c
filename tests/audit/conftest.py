"""Stores for the audit tests: each test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparkseal.audit import signing
from tests.postgres import new_database, postgres_url  # noqa: F401  (the shared fixture)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a SQLite file, or a new database on the throwaway server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.db'}"
    return new_database(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def audit_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(verifier key, signing key) of one audit log."""
    out = tmp_path_factory.mktemp("audit-keys")
    pub, key = signing.write_pair(signing.generate("audit.test/log"), out)
    return pub, key
