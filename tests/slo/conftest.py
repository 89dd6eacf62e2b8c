"""Stores for the run-history and budget tests: SQLite and a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres import new_database, postgres_url  # noqa: F401  (the shared fixture)


@pytest.fixture(params=["sqlite", "postgres"])
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a SQLite file, or a new database on the throwaway server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return new_database(request.getfixturevalue("postgres_url"))
