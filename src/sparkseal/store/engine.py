"""Opening the store: one engine, one ``MetaData``, one store-wide write lock.

Why a lock and not optimistic retries: the audit trail numbers its entries by position,
so two writers must never read the same tree size. SQLite takes its database-wide write
lock up front (``BEGIN IMMEDIATE``, waiting up to the busy timeout); PostgreSQL takes a
transaction-scoped advisory lock. Errors from the driver never reach the user as a
traceback: they become a :class:`StoreError` (SS601) that says what to check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, Integer, MetaData, String, Table, event
from sqlalchemy.engine import Connection, Engine

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

METADATA = MetaData()
"""Every table of the store (audit now; quality and run history later)."""

SCHEMA_TABLE = Table(
    "sparkseal_schema",
    METADATA,
    Column("component", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)
"""One row per component (``audit``, ...): the schema version its tables were made with."""

_PG_LOCK_KEY = 0x7373_6175_6469_7400  # "ssaudit\0": the store-wide advisory lock
DEFAULT_BUSY_TIMEOUT = 60.0


class StoreError(SparkSealError):
    """The store cannot be opened, read or written (SS601)."""


class StoreVersionError(StoreError):
    """The store was made by a newer sparkseal (its schema version is unknown here, SS602)."""


def safe_url(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable store URL>"


def _hint(dialect: str) -> str:
    if dialect == "sqlite":
        return (
            "check that the file's directory exists and that this user may write the file "
            "and its directory (SQLite writes a -wal or -journal file beside it), or point "
            "[audit] store / --store at another URL"
        )
    if dialect == "postgresql":
        return (
            "check that the server is running and reachable, that the database exists and "
            "that the user may create tables and write to them, or point [audit] store / "
            "--store at another URL"
        )
    return "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def _translated(url: str, dialect: str, action: str) -> Iterator[None]:
    try:
        yield
    except SparkSealError:
        raise
    except (sa.exc.SQLAlchemyError, OSError, ModuleNotFoundError) as exc:
        raise StoreError(
            coded(
                "SS601",
                f"cannot {action} the store {safe_url(url)}: {_reason(exc)}. What to do: "
                + _hint(dialect),
            )
        ) from None


class Store:
    """An open store. Use :meth:`write` for anything that must see a stable store."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.dialect = engine.dialect.name

    def translated(self, action: str) -> Any:
        """A context that turns driver errors into :class:`StoreError` naming ``action``."""
        return _translated(self.url, self.dialect, action)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction holding the store-wide write lock; commits on success."""
        with self.translated("write to"), self.engine.connect() as conn:
            conn = conn.execution_options(sparkseal_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction (a consistent snapshot on both databases)."""
        with self.translated("read"), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def schema_version(self, component: str) -> int | None:
        """The stored schema version of ``component``, or None if it has no tables yet."""
        with self.read() as conn:
            if not sa.inspect(conn).has_table(SCHEMA_TABLE.name):
                return None
            row = conn.execute(
                sa.select(SCHEMA_TABLE.c.version).where(SCHEMA_TABLE.c.component == component)
            ).first()
            return None if row is None else int(row[0])

    def ensure(self, component: str, version: int, tables: Sequence[Table]) -> None:
        """Create ``component``'s tables if missing; refuse a store made by a newer schema.

        Runs under the write lock, so it also proves the store can be written (fail closed
        at start rather than at the first entry) and concurrent first opens do not race.
        """
        with self.write() as conn:
            SCHEMA_TABLE.create(conn, checkfirst=True)
            row = conn.execute(
                sa.select(SCHEMA_TABLE.c.version).where(SCHEMA_TABLE.c.component == component)
            ).first()
            if row is not None:
                check_version(self.url, component, int(row[0]), version)
            for table in tables:
                table.create(conn, checkfirst=True)
            if row is None:
                conn.execute(SCHEMA_TABLE.insert().values(component=component, version=version))
            else:  # a real write, so a read-only store or user fails here, not later
                conn.execute(
                    SCHEMA_TABLE.update()
                    .where(SCHEMA_TABLE.c.component == component)
                    .values(version=SCHEMA_TABLE.c.version)
                )

    def close(self) -> None:
        self.engine.dispose()


def check_version(url: str, component: str, found: int, supported: int) -> None:
    """Raise SS602 when the store's ``component`` schema is not the one this code knows."""
    if found != supported:
        raise StoreVersionError(
            coded(
                "SS602",
                f"the store {safe_url(url)} holds {component} schema version {found}; this "
                f"sparkseal reads version {supported} only. What to do: use the sparkseal "
                "release that wrote the store (or a newer one); never edit the version row",
            )
        )


def open_component(
    url: str,
    component: str,
    version: int,
    tables: Sequence[Table],
    *,
    read_only: bool,
    missing: Callable[[str], BaseException],
    init: Callable[[Store], None] | None = None,
) -> Store:
    """The store at ``url`` for one component (audit trail, quality history, run history).

    Writable: its tables are created if needed (the write lock taken once, so an unwritable
    store fails here, SS601) and ``init`` runs. Read-only: a store without the component
    raises ``missing(safe_url)``; another schema version is SS602 either way.
    """
    store = open_store(url)
    try:
        if read_only:
            found = store.schema_version(component)
            if found is None:
                raise missing(safe_url(url))
            check_version(url, component, found, version)
        else:
            store.ensure(component, version, tables)
            if init is not None:
                init(store)
    except BaseException:
        store.close()
        raise
    return store


def _sqlite_setup(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Transactions are ours to begin (BEGIN IMMEDIATE for writers), not the driver's.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        except Exception:  # noqa: S110  a read-only database keeps its journal mode
            pass
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("sparkseal_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def open_store(url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Store:
    """Open the store at a SQLAlchemy ``url`` (``sqlite:///PATH``,
    ``postgresql+psycopg://USER@HOST/DB``); connects once so a bad URL fails here."""
    try:
        parsed = sa.make_url(url)
    except Exception:
        raise StoreError(
            coded("SS601", f"not a store URL: {url!r}. What to do: " + _hint(""))
        ) from None
    dialect = parsed.get_backend_name()
    with _translated(url, dialect, "open"):
        kwargs: dict[str, Any] = {}
        if dialect == "postgresql":
            kwargs["connect_args"] = {"connect_timeout": int(busy_timeout) or 1}
        elif dialect != "sqlite":
            raise StoreError(
                coded("SS601", f"unsupported store {safe_url(url)}. What to do: " + _hint(""))
            )
        engine = sa.create_engine(parsed, **kwargs)
        if dialect == "sqlite":
            _sqlite_setup(engine, busy_timeout)
        with engine.connect():
            pass
    return Store(url, engine)
