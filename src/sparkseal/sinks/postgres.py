"""``postgres_batches``: a ``foreachBatch`` function whose writes are idempotent by batch id.

Design (docs/resilience.md): executors stage each partition into the batch's UNLOGGED
staging table (COPY, one connection and one transaction per partition, its rows tagged
with the attempt and the attempt recorded as the partition's last); then the driver, in
**one** transaction, moves the rows of each partition's last attempt into the target with
``INSERT ... ON CONFLICT``, inserts the ``(query id, target, batch id)`` commit marker
and drops the staging tables. A replayed batch whose
marker exists is a no-op, so retries, speculation and a restart from the checkpoint
leave each record once. Nothing is collected on the driver, so batch size is not
bounded by driver memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sparkseal.core.codes import coded
from sparkseal.sinks._names import identifier, table_name
from sparkseal.sinks.errors import SinkError

QUERY_ID_PROPERTY = "sql.streaming.queryId"
STAGE_COLUMNS = ("_ss_part", "_ss_attempt")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise SinkError(coded(
            "SS980", "postgres_batches needs psycopg: pip install 'sparkseal[postgres]'"
        )) from None
    return psycopg


def conninfo(url: str) -> str:
    """A libpq URL from a SQLAlchemy-style one (``postgresql+psycopg://`` works too)."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    if not url.startswith("postgresql://"):
        raise SinkError(coded("SS975", "the PostgreSQL URL must start with postgresql://"))
    return url


def _failed(what: str, exc: BaseException) -> SinkError:
    # The server's message can quote row values (DETAIL: Key (id)=(...)); keep the
    # SQLSTATE and the class only.
    state = getattr(exc, "sqlstate", None) or "?"
    return SinkError(coded("SS976", f"{what} failed ({type(exc).__name__}, SQLSTATE {state}); "
                                    "the transaction was rolled back"))


def _sql_name(parts: Sequence[str]) -> Any:
    from psycopg import sql

    return sql.Identifier(*parts)


class _StagePartition:
    """Runs on executors: COPY one partition into the batch's staging table (picklable)."""

    def __init__(self, dsn: str, stage: tuple[str, ...], parts: tuple[str, ...],
                 columns: list[str]) -> None:
        self.dsn, self.stage, self.parts, self.columns = dsn, stage, parts, columns

    def __call__(self, rows: Iterable[Any]) -> None:
        import uuid

        from psycopg import sql
        from pyspark import TaskContext

        it = iter(rows)
        first = next(it, None)
        if first is None:
            return
        ctx = TaskContext.get()
        part = ctx.partitionId() if ctx is not None else 0
        attempt = uuid.uuid4().hex
        psycopg = _psycopg()
        stage = _sql_name(self.stage)
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in [*self.columns, *STAGE_COLUMNS])
        extra = (part, attempt)
        try:
            with psycopg.connect(self.dsn) as conn, conn.transaction():
                with conn.cursor() as cur, cur.copy(
                    sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols)
                ) as copy:
                    copy.write_row((*first, *extra))
                    for row in it:
                        copy.write_row((*row, *extra))
                # The partition's rows are those of its last committed attempt: a retry or
                # a speculative copy replaces, never adds to, what an earlier one staged.
                conn.execute(sql.SQL(
                    "INSERT INTO {} (part, attempt) VALUES (%s, %s) ON CONFLICT (part) "
                    "DO UPDATE SET attempt = EXCLUDED.attempt").format(_sql_name(self.parts)),
                    extra)
        except psycopg.Error as exc:
            raise _failed(f"staging partition {part}", exc) from None


class PostgresBatches:
    """The ``foreachBatch`` function (see :func:`postgres_batches`)."""

    idempotent = True

    def __init__(self, url: str, table: str, key_columns: Sequence[str], *,
                 columns: Sequence[str] | None, on_conflict: Literal["update", "nothing"],
                 query_id: str | None, marker_table: str) -> None:
        if on_conflict not in ("update", "nothing"):
            raise SinkError(coded("SS975", "on_conflict must be 'update' or 'nothing'"))
        if isinstance(key_columns, str) or not key_columns:
            raise SinkError(coded("SS975", "key_columns must be a non-empty list of columns"))
        self.dsn = conninfo(url)
        self.table = table_name(table)
        self.keys = [identifier(c, "a key column") for c in key_columns]
        self.columns = [identifier(c, "a column") for c in columns] if columns else None
        self.on_conflict = on_conflict
        self.query_id = query_id
        self.markers = table_name(marker_table, "marker_table")
        self._ready = False

    @property
    def target(self) -> str:
        return ".".join(self.table)

    def _query(self, df: Any) -> str:
        if self.query_id:
            return self.query_id
        qid = df.sparkSession.sparkContext.getLocalProperty(QUERY_ID_PROPERTY)
        if not qid:
            raise SinkError(coded("SS975", "no streaming query id: pass query_id= when the "
                                           "function is not run by a streaming query"))
        return str(qid)

    def _staging(self, query: str, batch: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The batch's staging table and its table of partition attempts."""
        import hashlib

        tag = hashlib.sha256(f"{self.target}|{query}".encode()).hexdigest()[:10]
        name = f"_ss_stage_{tag}_{batch}"
        return (*self.table[:-1], name), (*self.table[:-1], f"{name}_p")

    def _prepare(self, conn: Any) -> None:
        from psycopg import sql

        conn.execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (query_id text NOT NULL, target text NOT NULL, "
            "batch_id bigint NOT NULL, rows bigint NOT NULL, "
            "committed_at timestamptz NOT NULL DEFAULT now(), "
            "PRIMARY KEY (query_id, target, batch_id))").format(_sql_name(self.markers)))

    @staticmethod
    def _drop(conn: Any, stage: tuple[str, ...], parts: tuple[str, ...]) -> None:
        from psycopg import sql

        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}, {}").format(
            _sql_name(stage), _sql_name(parts)))

    def _marked(self, conn: Any, query: str, batch: int) -> bool:
        from psycopg import sql

        row = conn.execute(sql.SQL(
            "SELECT 1 FROM {} WHERE query_id = %s AND target = %s AND batch_id = %s"
        ).format(_sql_name(self.markers)), (query, self.target, batch)).fetchone()
        return row is not None

    def __call__(self, df: Any, batch_id: int) -> None:
        psycopg = _psycopg()
        from psycopg import sql

        query, batch = self._query(df), int(batch_id)
        columns = self.columns or [identifier(c, "a column") for c in df.columns]
        missing = [k for k in self.keys if k not in columns]
        if missing:
            raise SinkError(coded("SS975", f"key column(s) {', '.join(missing)} not written"))
        try:
            with psycopg.connect(self.dsn) as conn:
                if not self._ready:
                    with conn.transaction():
                        self._prepare(conn)
                    self._ready = True
                stage, parts = self._staging(query, batch)
                with conn.transaction():
                    if self._marked(conn, query, batch):
                        # A replay of a committed batch: nothing to do, no Spark job.
                        self._drop(conn, stage, parts)
                        return
                    # UNLOGGED, no index: written once, read once, dropped at the commit.
                    conn.execute(sql.SQL(
                        "CREATE UNLOGGED TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS, "
                        "_ss_part int NOT NULL, _ss_attempt text NOT NULL)"
                    ).format(_sql_name(stage), _sql_name(self.table)))
                    conn.execute(sql.SQL(
                        "CREATE UNLOGGED TABLE IF NOT EXISTS {} "
                        "(part int PRIMARY KEY, attempt text NOT NULL)").format(_sql_name(parts)))
        except psycopg.Error as exc:
            raise _failed(f"preparing batch {batch} of {self.target}", exc) from None
        df.select(*columns).foreachPartition(_StagePartition(self.dsn, stage, parts, columns))
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        keys = sql.SQL(", ").join(sql.Identifier(c) for c in self.keys)
        others = [c for c in columns if c not in self.keys]
        where = ("FROM {stage} s JOIN {parts} p ON s._ss_part = p.part "
                 "AND s._ss_attempt = p.attempt")
        update = self.on_conflict == "update" and others
        if update:
            template = ("INSERT INTO {target} ({cols}) SELECT {scols} " + where
                        + " ON CONFLICT ({keys}) DO UPDATE SET {sets}")
            # DO UPDATE may touch a row once per statement: when a key repeats within the
            # batch, one row per key (DISTINCT ON; a sort, so only when needed).
            dedup = ("INSERT INTO {target} ({cols}) SELECT DISTINCT ON ({skeys}) {scols} "
                     + where + " ORDER BY {skeys} ON CONFLICT ({keys}) DO UPDATE SET {sets}")
        else:
            template = ("INSERT INTO {target} ({cols}) SELECT {scols} " + where
                        + " ON CONFLICT ({keys}) DO NOTHING")
            dedup = template
        sets = sql.SQL(", ").join(
            sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in others)
        scols = sql.SQL(", ").join(sql.Identifier("s", c) for c in columns)
        skeys = sql.SQL(", ").join(sql.Identifier("s", c) for c in self.keys)
        names = {"target": _sql_name(self.table), "cols": cols, "keys": keys, "scols": scols,
                 "skeys": skeys, "stage": _sql_name(stage), "parts": _sql_name(parts),
                 "sets": sets}
        move, move_dedup = sql.SQL(template).format(**names), sql.SQL(dedup).format(**names)
        try:
            with psycopg.connect(self.dsn) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                             (f"{self.target}|{query}",))
                if not self._marked(conn, query, batch):  # a concurrent replay won the race
                    try:
                        with conn.transaction():  # a savepoint: the fallback starts clean
                            cur = conn.execute(move)
                    except psycopg.errors.CardinalityViolation:
                        cur = conn.execute(move_dedup)
                    conn.execute(sql.SQL(
                        "INSERT INTO {} (query_id, target, batch_id, rows) VALUES (%s, %s, %s, %s)"
                    ).format(_sql_name(self.markers)), (query, self.target, batch, cur.rowcount))
                self._drop(conn, stage, parts)
        except psycopg.Error as exc:
            raise _failed(f"committing batch {batch} into {self.target}", exc) from None


def postgres_batches(
    url: str,
    table: str,
    key_columns: Sequence[str],
    *,
    columns: Sequence[str] | None = None,
    on_conflict: Literal["update", "nothing"] = "update",
    query_id: str | None = None,
    marker_table: str = "sparkseal_batches",
) -> PostgresBatches:
    """A ``foreachBatch`` function writing exactly once into ``table`` (docs/resilience.md).

    ``table`` needs a unique constraint on ``key_columns`` (``ON CONFLICT`` uses it).
    ``query_id`` defaults to the streaming query's id (kept in its checkpoint); give a
    stable name to call the function outside a streaming query. The connection URL
    travels to executors inside the task: keep passwords in ``PGPASSWORD``/``.pgpass``.
    """
    return PostgresBatches(url, table, key_columns, columns=columns, on_conflict=on_conflict,
                           query_id=query_id, marker_table=marker_table)
