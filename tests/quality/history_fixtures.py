"""Stores for the metric-history tests: each test runs on SQLite and on a real PostgreSQL
server. Bind the fixtures in a test module (a conftest here belongs to the checks' tests):
``history_url = history_fixtures.history_url`` and the same for ``postgres_url``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres import new_database, postgres_url  # noqa: F401  (the shared fixture)


@pytest.fixture(params=["sqlite", "postgres"])
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a SQLite file, or a new database on the throwaway server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'quality.db'}"
    return new_database(request.getfixturevalue("postgres_url"))
