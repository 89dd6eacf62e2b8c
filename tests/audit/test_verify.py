"""Tampering with the store, as someone with write access to it would, on SQLite and
PostgreSQL: each kind is detected by ``sparkseal audit verify`` (exit 1, first bad entry
named) with a checkpoint exported before the tampering; the untouched store verifies."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from sparkseal.audit import AuditTrail, merkle
from tests.postgres import _bin

N = 30


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _backup(src: object, dst: object) -> None:
    """Copy a whole SQLite database (consistently, WAL included)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


class Store:
    """A signed trail of N entries (one append each), a snapshot at 20 entries and a
    checkpoint exported at N."""

    def __init__(self, url: str, keys: tuple[Path, Path], tmp: Path) -> None:
        self.url, self.pub, self.tmp = url, keys[0], tmp
        self.engine = sa.create_engine(url)
        with AuditTrail.open(url, signing_key=keys[1], origin="audit.test/log") as trail:
            for i in range(N):
                if i == 20:
                    self._snapshot()
                trail.append([{"what": "read", "i": i, "where": {"app_id": f"app-{i % 3}"}}])
        self.checkpoint = tmp / "witness.txt"
        out = run("audit", "checkpoint", "--store", url, "--out", self.checkpoint)
        assert out.returncode == 0, out.stderr

    def _snapshot(self) -> None:
        if self.url.startswith("sqlite"):
            self._copy = self.tmp / "old.db"
            _backup(self.url.removeprefix("sqlite:///"), self._copy)
        else:
            self._copy = self.tmp / "old.sql"
            subprocess.run(
                [_bin("pg_dump"), "--clean", "--if-exists", "-f", self._copy, *self._pg_args()],
                check=True,
                capture_output=True,
                timeout=120,
            )

    def _pg_args(self) -> list[str]:
        u = sa.make_url(self.url)
        return ["-h", str(u.host), "-p", str(u.port), "-U", str(u.username), "-d", str(u.database)]

    def restore_snapshot(self) -> None:
        self.engine.dispose()
        if self.url.startswith("sqlite"):
            _backup(self._copy, self.url.removeprefix("sqlite:///"))
        else:
            subprocess.run(
                [_bin("psql"), "-v", "ON_ERROR_STOP=1", "-q", "-f", self._copy, *self._pg_args()],
                check=True,
                capture_output=True,
                timeout=120,
            )

    def sql(self, statement: str, **params: object) -> list:
        with self.engine.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return result.all() if result.returns_rows else []

    def body(self, idx: int) -> dict:
        (row,) = self.sql("SELECT body FROM audit_entries WHERE idx = :i", i=idx)
        return json.loads(bytes(row[0]))

    def set_body(self, idx: int, body: dict, *, fix_hash: bool) -> None:
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        self.sql("UPDATE audit_entries SET body = :b WHERE idx = :i", b=raw, i=idx)
        if fix_hash:
            self.sql(
                "UPDATE audit_entries SET leaf_hash = :h WHERE idx = :i",
                h=merkle.leaf_hash(raw),
                i=idx,
            )

    def fix_state(self) -> None:
        """What a careful attacker does after editing entries: recompute the cached tree."""
        f = merkle.Frontier()
        for (body,) in self.sql("SELECT body FROM audit_entries ORDER BY idx"):
            f.append(merkle.leaf_hash(bytes(body)))
        self.sql("UPDATE audit_state SET size = :s, frontier = :f", s=f.size, f=f.to_bytes())

    def verify(self, *extra: object) -> subprocess.CompletedProcess[str]:
        return run(
            "audit",
            "verify",
            "--store",
            self.url,
            "--pub",
            self.pub,
            "--checkpoint",
            self.checkpoint,
            *extra,
        )


@pytest.fixture
def store(store_url, audit_keys, tmp_path) -> Store:
    s = Store(store_url, audit_keys, tmp_path)
    yield s
    s.engine.dispose()


def first_bad(out: subprocess.CompletedProcess[str]) -> int:
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("FAIL"))
    return int(line.rsplit(" ", 1)[1])


def test_the_untouched_store_verifies(store):
    out = store.verify()
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{N} entries" in out.stdout
    assert f"{N} stored checkpoints ({N} signatures), 1 checkpoint file" in out.stdout
    assert "OK" in out.stdout


def test_one_field_of_one_entry_modified(store):
    body = store.body(12)
    body["what"] = "nothing to see"
    store.set_body(12, body, fix_hash=False)
    out = store.verify()
    assert first_bad(out) == 12
    assert "SS603: entry 12: modified" in out.stdout


def test_one_entry_modified_with_its_hash_and_the_cached_tree_rewritten(store):
    body = store.body(12)
    body["i"] = 999
    store.set_body(12, body, fix_hash=True)
    store.fix_state()
    out = store.verify()
    assert first_bad(out) == 12  # the signed checkpoints at sizes 12 and 13 bound it
    assert "stored checkpoint" in out.stdout


def test_rewritten_entry_hashes_state_and_all_stored_checkpoints_caught_by_the_witness(store):
    body = store.body(12)
    body["i"] = 999
    store.set_body(12, body, fix_hash=True)
    store.fix_state()
    store.sql("DELETE FROM audit_checkpoints")
    out = store.verify()
    assert first_bad(out) == 0  # only the witness copy is left: the range is all of it
    assert f"one of entries 0..{N - 1}" in out.stdout


def test_one_entry_deleted(store):
    store.sql("DELETE FROM audit_entries WHERE idx = 12")
    out = store.verify()
    assert first_bad(out) == 12
    assert "SS603: entry 12: missing" in out.stdout


def test_one_entry_inserted(store):
    store.sql("UPDATE audit_entries SET idx = -idx - 1 WHERE idx >= 12")
    store.sql("UPDATE audit_entries SET idx = -idx WHERE idx < 0")
    raw = b'{"i":-1,"what":"planted"}'
    store.sql(
        "INSERT INTO audit_entries (idx, body, leaf_hash, recorded_us, app) "
        "VALUES (12, :b, :h, 0, NULL)",
        b=raw,
        h=merkle.leaf_hash(raw),
    )
    store.fix_state()
    out = store.verify()
    assert first_bad(out) == 12


def test_two_entries_swapped(store):
    a = store.sql("SELECT body, leaf_hash, app FROM audit_entries WHERE idx = 12")[0]
    b = store.sql("SELECT body, leaf_hash, app FROM audit_entries WHERE idx = 20")[0]
    for idx, (body, leaf, app) in ((12, b), (20, a)):
        store.sql(
            "UPDATE audit_entries SET body = :b, leaf_hash = :h, app = :a WHERE idx = :i",
            b=bytes(body),
            h=bytes(leaf),
            a=app,
            i=idx,
        )
    out = store.verify()
    assert first_bad(out) == 12


@pytest.mark.parametrize("k", [1, 5])
def test_the_last_k_entries_truncated(store, k):
    cut = N - k
    store.sql("DELETE FROM audit_entries WHERE idx >= :c", c=cut)
    store.sql("DELETE FROM audit_checkpoints WHERE size > :c", c=cut)
    store.fix_state()
    out = store.verify()
    assert first_bad(out) == cut
    assert f"SS604: entry {cut}: checkpoint file" in out.stdout
    # without the witness copy the truncation is invisible: that is what the copy is for
    alone = run("audit", "verify", "--store", store.url, "--pub", store.pub)
    assert alone.returncode == 0, alone.stdout


def test_an_older_copy_of_the_whole_store_restored(store):
    store.restore_snapshot()
    out = store.verify()
    assert first_bad(out) == 20
    assert "SS604: entry 20" in out.stdout
    assert "older copy of the store restored" in out.stdout


def test_a_stored_checkpoint_edited_is_tampering_not_usage(store):
    (note,) = store.sql("SELECT note FROM audit_checkpoints WHERE size = 7")[0]
    forged = note.replace("\n7\n", "\n6\n", 1)
    store.sql("UPDATE audit_checkpoints SET note = :n WHERE size = 7", n=forged)
    out = store.verify()
    assert out.returncode == 1, out.stdout + out.stderr
    assert "SS605" in out.stdout
