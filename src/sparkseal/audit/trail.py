"""The audit trail: an append-only log of JSON entries, the leaves of one Merkle tree.

Why a Merkle tree in a database rather than a hash chain: a signed checkpoint commits to
every entry before it at once, and consistency proofs show that a later tree extends an
earlier one, so a copy of one old checkpoint kept elsewhere catches truncation and
rollback (which a chain of digests cannot, see docs/audit.md).

Entries are serialized canonically (sorted keys, compact separators, UTF-8) and the leaf
hash is over exactly the stored bytes. A leaf's index is its position, assigned under the
store's write lock; the right edge of the tree (its frontier) is kept in the store so an
append costs O(log n), but :mod:`sparkseal.audit.verify` trusts none of these caches.
"""

from __future__ import annotations

import json
import time as _time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Integer, LargeBinary, String, Table, Text

from sparkseal.audit import merkle
from sparkseal.audit.checkpoint import Checkpoint, sign
from sparkseal.audit.signing import SignerKey, load_signer
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.store import METADATA, Store, StoreError, safe_url
from sparkseal.store.engine import open_component

COMPONENT = "audit"
SCHEMA_VERSION = 1

ENTRIES = Table(
    "audit_entries",
    METADATA,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("body", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("recorded_us", BigInteger, nullable=False, index=True),
    Column("app", String(255), nullable=True, index=True),
)
"""One row per leaf: the canonical bytes, their leaf hash, when and for which app."""

STATE = Table(
    "audit_state",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("frontier", LargeBinary, nullable=False),
)
"""One row (id 1): the tree size and right edge after the last append (a cache)."""

CHECKPOINTS = Table(
    "audit_checkpoints",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False, index=True),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)
"""Every checkpoint the trail signed, as its signed-note text."""

_TABLES = (ENTRIES, STATE, CHECKPOINTS)


class AuditEntryError(SparkSealError):
    """An entry cannot be recorded: not a JSON object (SS610)."""


class NoAuditTrailError(StoreError):
    """The store has no audit trail (SS611)."""


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The one byte form of an entry: sorted keys, compact separators, UTF-8."""
    if not isinstance(entry, Mapping):
        raise AuditEntryError(
            coded("SS610", f"an audit entry must be a JSON object, not {type(entry).__name__}")
        )
    try:
        text = _ENCODER.encode(dict(entry))
    except (TypeError, ValueError) as exc:
        raise AuditEntryError(
            coded("SS610", f"an audit entry is not JSON-serializable: {type(exc).__name__}")
        ) from None
    return text.encode("utf-8")


def app_of(body: Mapping[str, Any]) -> str | None:
    """``body["where"]["app_id"]`` when present (the column ``audit log --app`` filters)."""
    where = body.get("where")
    if isinstance(where, Mapping):
        app = where.get("app_id")
        if isinstance(app, str):
            return app[:255]
    return None


def as_bytes(value: Any) -> bytes:
    """A BLOB column's value as bytes (SQLite returns TEXT if someone wrote text there)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return bytes(value) if value is not None else b""


def _now_us() -> int:
    return _time.time_ns() // 1000


def _from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


@dataclass(frozen=True)
class AuditEntry:
    """One recorded entry: its leaf index, its JSON body, when it was appended, its app."""

    index: int
    body: dict[str, Any]
    time: datetime
    app: str | None
    raw: bytes


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    note: str
    created: datetime


def _init_state(store: Store) -> None:
    """The tree's state row, once: an empty tree."""
    with store.write() as conn:
        if conn.execute(sa.select(STATE.c.id)).first() is None:
            conn.execute(STATE.insert().values(id=1, size=0, frontier=b""))


class AuditTrail:
    """The append-only audit log in the store (see the module docstring)."""

    def __init__(
        self, store: Store, *, signer: SignerKey | None, origin: str, read_only: bool
    ) -> None:
        self._store = store
        self._signer = signer
        self._origin = origin
        self._read_only = read_only

    @property
    def store(self) -> Store:
        return self._store

    @property
    def url(self) -> str:
        return self._store.url

    @classmethod
    def open(
        cls,
        url: str,
        *,
        signing_key: Path | None = None,
        origin: str = "sparkseal",
        read_only: bool = False,
    ) -> AuditTrail:
        """Open (and create) the trail at ``url``.

        Unless ``read_only``, this takes the write lock once: a store that cannot be
        written fails here (SS601), before a job runs, not at its first entry.
        """
        signer = load_signer(signing_key) if signing_key is not None else None
        if not origin or "\n" in origin:
            raise AuditEntryError(coded("SS610", "the checkpoint origin must be one line"))
        store = open_component(
            url, COMPONENT, SCHEMA_VERSION, _TABLES, read_only=read_only,
            missing=lambda where: NoAuditTrailError(
                coded(
                    "SS611",
                    f"the store {where} holds no audit trail. What to do: "
                    "check --store / [audit] store (a job with [audit] creates it)",
                )
            ),
            init=_init_state,
        )
        return cls(store, signer=signer, origin=origin, read_only=read_only)

    def append(self, entries: Sequence[Mapping[str, Any]]) -> list[int]:
        """Append ``entries`` as one atomic batch; returns their leaf indexes.

        With a signing key, the same transaction stores a checkpoint of the new tree.
        """
        if self._read_only:
            raise StoreError(coded("SS601", "this audit trail was opened read-only"))
        bodies = [canonical(e) for e in entries]
        if not bodies:
            return []
        leaves = [merkle.leaf_hash(b) for b in bodies]
        apps = [app_of(e) for e in entries]
        now = _now_us()
        with self._store.write() as conn:
            row = conn.execute(sa.select(STATE.c.size, STATE.c.frontier).where(STATE.c.id == 1))
            state = row.first()
            if state is None:
                raise NoAuditTrailError(
                    coded("SS611", f"the store {safe_url(self.url)} lost its audit state row")
                )
            start = int(state.size)
            frontier = merkle.Frontier.from_bytes(start, bytes(state.frontier))
            frontier.extend(leaves)
            conn.execute(
                ENTRIES.insert(),
                [
                    {"idx": start + i, "body": b, "leaf_hash": h, "recorded_us": now, "app": a}
                    for i, (b, h, a) in enumerate(zip(bodies, leaves, apps, strict=True))
                ],
            )
            conn.execute(
                STATE.update()
                .where(STATE.c.id == 1)
                .values(size=frontier.size, frontier=frontier.to_bytes())
            )
            if self._signer is not None:
                root = frontier.root()
                cp = Checkpoint(self._origin, frontier.size, root, _from_us(now))
                conn.execute(
                    CHECKPOINTS.insert().values(
                        size=frontier.size,
                        root=root,
                        note=sign(cp, self._signer),
                        created_us=now,
                    )
                )
        return list(range(start, start + len(bodies)))

    def entries(
        self, *, since: datetime | None = None, app: str | None = None
    ) -> Iterator[AuditEntry]:
        """The entries in index order, optionally only those appended at or after ``since``
        and only those of ``app``."""
        query = sa.select(
            ENTRIES.c.idx, ENTRIES.c.body, ENTRIES.c.recorded_us, ENTRIES.c.app
        ).order_by(ENTRIES.c.idx)
        if since is not None:
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            query = query.where(ENTRIES.c.recorded_us >= int(since.timestamp() * 1_000_000))
        if app is not None:
            query = query.where(ENTRIES.c.app == app)
        with self._store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=1000).execute(query)
            for idx, body, us, app_id in result:
                raw = as_bytes(body)
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = {"unreadable": raw.decode("utf-8", "replace")}
                yield AuditEntry(int(idx), parsed, _from_us(int(us)), app_id, raw)

    def size(self) -> int:
        """The number of entries (the tree size after the last append)."""
        with self._store.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(ENTRIES)).scalar_one())

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every checkpoint the trail signed, oldest first."""
        with self._store.read() as conn:
            rows = conn.execute(sa.select(CHECKPOINTS).order_by(CHECKPOINTS.c.id)).all()
        return [
            StoredCheckpoint(
                int(r.id), int(r.size), bytes(r.root), r.note, _from_us(int(r.created_us))
            )
            for r in rows
        ]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._store.read() as conn:
            r = conn.execute(
                sa.select(CHECKPOINTS).order_by(CHECKPOINTS.c.size.desc(), CHECKPOINTS.c.id.desc())
            ).first()
        if r is None:
            return None
        return StoredCheckpoint(
            int(r.id), int(r.size), bytes(r.root), r.note, _from_us(int(r.created_us))
        )

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
