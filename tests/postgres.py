"""A throwaway PostgreSQL server for tests and benchmarks: ``initdb`` + ``pg_ctl`` in a
temporary directory, listening on a free loopback port (its unix socket in that directory
too), stopped and deleted afterwards.

Use the ``postgres_url`` fixture (import it into a conftest: ``from tests.postgres import
postgres_url``) and :func:`new_database` for a clean database per test. PostgreSQL refuses
to run as root, so as root the server runs as the ``postgres`` (or ``nobody``) user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "sparkseal"


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


def binaries_missing() -> str | None:
    """Why no server can be started here, or None."""
    missing = [b for b in ("initdb", "pg_ctl") if _bin(b) is None]
    if missing:
        return (
            f"PostgreSQL server binaries not found ({', '.join(missing)}): install Debian's "
            "postgresql package (apt-get install postgresql) to run the PostgreSQL store tests"
        )
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running server; :meth:`stop` stops it and deletes its directory."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sparkseal-pg-"))
        self.port = _free_port()
        self._as: dict[str, int] = {}
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    pw = pwd.getpwnam(name)
                    self._as = {"user": pw.pw_uid, "group": pw.pw_gid}
                    os.chown(self.dir, pw.pw_uid, pw.pw_gid)
                    break
        data, log = self.dir / "data", self.dir / "server.log"
        self._run(
            [
                _bin("initdb"),
                "-D",
                data,
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
            f"-c max_connections=60 -c fsync={'on' if fsync else 'off'}"
        )
        try:
            self._run(
                [_bin("pg_ctl"), "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start"]
            )
        except subprocess.CalledProcessError:
            text = log.read_text() if log.exists() else ""
            shutil.rmtree(self.dir, ignore_errors=True)
            raise RuntimeError(f"PostgreSQL did not start:\n{text}") from None
        self.url = f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, cmd: list) -> None:
        subprocess.run(
            [str(c) for c in cmd], check=True, capture_output=True, timeout=120, **self._as
        )

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run([_bin("pg_ctl"), "-D", self.dir / "data", "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def new_database(server_url: str) -> str:
    """Create an empty database on the server of ``server_url``; returns its URL."""
    import psycopg
    import sqlalchemy as sa

    url = sa.make_url(server_url)
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


_lock = threading.Lock()
_cluster: Cluster | None = None
_users = 0


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A ``postgresql+psycopg://`` URL of a throwaway server (one per test session)."""
    global _cluster, _users
    why = binaries_missing()
    if why:
        pytest.skip(why)
    with _lock:
        if _cluster is None:
            _cluster = Cluster()
        _users += 1
        url = _cluster.url
    try:
        yield url
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _cluster is not None:
                _cluster.stop()
                _cluster = None
