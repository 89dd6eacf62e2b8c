"""AuditTrail on SQLite and PostgreSQL: appends, listing, checkpoints, concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from sparkseal.audit import AuditTrail, merkle, signing
from sparkseal.audit.checkpoint import parse
from sparkseal.audit.trail import ENTRIES, AuditEntryError, canonical
from sparkseal.audit.verify import verify_trail


def test_append_assigns_positions_and_stores_canonical_bytes(store_url):
    with AuditTrail.open(store_url) as trail:
        assert trail.size() == 0
        assert trail.append([{"b": 1, "a": "é"}, {"where": {"app_id": "app-7"}}]) == [0, 1]
        assert trail.append([]) == []
        assert trail.append([{"x": [1, 2]}]) == [2]
        assert trail.size() == 3
        entries = list(trail.entries())
        assert [e.index for e in entries] == [0, 1, 2]
        assert entries[0].body == {"a": "é", "b": 1}
        assert entries[0].raw == '{"a":"é","b":1}'.encode()
        assert [e.app for e in entries] == [None, "app-7", None]
        with trail.store.read() as conn:
            rows = conn.execute(sa.select(ENTRIES.c.body, ENTRIES.c.leaf_hash)).all()
        for body, leaf in rows:
            assert bytes(leaf) == merkle.leaf_hash(bytes(body))


def test_entries_filter_by_app_and_time(store_url):
    with AuditTrail.open(store_url) as trail:
        trail.append([{"where": {"app_id": "a"}}, {"where": {"app_id": "b"}}])
        assert [e.index for e in trail.entries(app="b")] == [1]
        assert list(trail.entries(since=datetime.now(UTC) + timedelta(hours=1))) == []
        assert len(list(trail.entries(since=datetime.now(UTC) - timedelta(hours=1)))) == 2


@pytest.mark.parametrize("bad", [["not a mapping"], [{"x": float("nan")}], [{"x": b"bytes"}]])
def test_an_entry_that_is_not_a_json_object_is_refused_and_nothing_written(store_url, bad):
    with AuditTrail.open(store_url) as trail:
        with pytest.raises(AuditEntryError, match=r"^SS610"):
            trail.append([{"ok": 1}, *bad])
        assert trail.size() == 0


def test_each_append_signs_a_checkpoint_of_the_new_tree(store_url, audit_keys):
    pub, key = audit_keys
    verifier = signing.load_verifier(pub)
    with AuditTrail.open(store_url, signing_key=key, origin="audit.test/log") as trail:
        for i in range(5):
            trail.append([{"i": i}, {"i": i, "second": True}])
        cps = trail.checkpoints()
        assert [c.size for c in cps] == [2, 4, 6, 8, 10]
        leaves = [merkle.leaf_hash(e.raw) for e in trail.entries()]
        for c in cps:
            signed = parse(c.note)
            signed.verify(verifier)
            assert signed.checkpoint.origin == "audit.test/log"
            assert signed.checkpoint.root == merkle.root(leaves[: c.size]) == c.root
            assert signed.checkpoint.time is not None
        report = verify_trail(trail, pub=verifier)
        assert report.ok, report.problems
        assert report.signatures_checked == 5
        assert report.root == merkle.root(leaves)


def test_canonical_form():
    assert canonical({"b": [1, {"d": None, "c": True}], "a": "x"}) == (
        b'{"a":"x","b":[1,{"c":true,"d":null}]}'
    )


def _writer(url: str, key: str, writer: int, per_writer: int, batch: int) -> None:
    trail = AuditTrail.open(url, signing_key=key, origin="audit.test/log")
    try:
        for start in range(0, per_writer, batch):
            trail.append(
                [{"writer": writer, "seq": s} for s in range(start, min(start + batch, per_writer))]
            )
    finally:
        trail.close()


def test_eight_processes_appending_at_once_build_one_consistent_tree(store_url, audit_keys):
    pub, key = audit_keys
    AuditTrail.open(store_url).close()  # tables exist before the race (the race is tested too)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(store_url, str(key), w, 500, 5)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
    assert [p.exitcode for p in procs] == [0] * 8
    with AuditTrail.open(store_url, read_only=True) as trail:
        assert trail.size() == 4000
        seen = [(e.body["writer"], e.body["seq"]) for e in trail.entries()]
        assert [e.index for e in trail.entries()] == list(range(4000))
        report = verify_trail(trail, pub=signing.load_verifier(pub))
    assert sorted(seen) == [(w, s) for w in range(8) for s in range(500)]  # none lost or doubled
    for w in range(8):  # each writer's entries stay in its own order
        assert [s for ww, s in seen if ww == w] == list(range(500))
    assert report.ok, [p.text() for p in report.problems]
    assert report.size == 4000
    assert report.stored_checkpoints == report.signatures_checked == 800


def test_concurrent_first_opens_do_not_race(store_url, audit_keys):
    _, key = audit_keys
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(store_url, str(key), w, 10, 2)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * 4
    with AuditTrail.open(store_url, read_only=True) as trail:
        assert trail.size() == 40
        assert verify_trail(trail).ok


def test_read_only_open_of_an_empty_store_is_a_coded_error(store_url):
    from sparkseal.store import StoreError

    with pytest.raises(StoreError, match=r"^SS611"):
        AuditTrail.open(store_url, read_only=True)


def test_entries_are_json(store_url):
    with AuditTrail.open(store_url) as trail:
        trail.append([{"k": "v"}])
        (entry,) = trail.entries()
        assert json.loads(entry.raw) == entry.body
