"""``postgres_batches``: a ``foreachBatch`` function whose writes are idempotent by batch id.

Design (docs/resilience.md): executors stage each partition into an UNLOGGED staging
table (COPY, one connection and one transaction per partition, replacing any rows an
earlier attempt of that partition staged); then the driver, in **one** transaction,
moves the batch's staged rows into the target with ``INSERT ... ON CONFLICT`` and
inserts the ``(query id, target, batch id)`` commit marker. A replayed batch whose
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
STAGE_COLUMNS = ("_ss_query", "_ss_batch", "_ss_part")


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
    """Runs on executors: COPY one partition into the staging table (picklable)."""

    def __init__(self, dsn: str, stage: tuple[str, ...], columns: list[str], query: str,
                 batch: int) -> None:
        self.dsn, self.stage, self.columns = dsn, stage, columns
        self.query, self.batch = query, batch

    def __call__(self, rows: Iterable[Any]) -> None:
        from psycopg import sql
        from pyspark import TaskContext

        it = iter(rows)
        first = next(it, None)
        if first is None:
            return
        ctx = TaskContext.get()
        part = ctx.partitionId() if ctx is not None else 0
        psycopg = _psycopg()
        stage = _sql_name(self.stage)
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in [*self.columns, *STAGE_COLUMNS])
        extra = (self.query, self.batch, part)
        try:
            with psycopg.connect(self.dsn) as conn, conn.transaction():
                # Serialise attempts of the same partition (retry, speculative copy), and
                # replace what an earlier attempt staged: the last attempt's rows stand.
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                             (f"{'.'.join(self.stage)}|{self.query}|{self.batch}", part))
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE _ss_query = %s AND _ss_batch = %s "
                            "AND _ss_part = %s").format(stage), extra)
                with conn.cursor() as cur, cur.copy(
                    sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols)
                ) as copy:
                    copy.write_row((*first, *extra))
                    for row in it:
                        copy.write_row((*row, *extra))
        except psycopg.Error as exc:
            raise _failed(f"staging partition {part} of batch {self.batch}", exc) from None


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
        self.stage = (*self.table[:-1], f"{self.table[-1]}__sparkseal_stage")
        identifier(self.stage[-1], "table (47 characters at most: its staging table adds 16)")
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

    def _prepare(self, conn: Any) -> None:
        from psycopg import sql

        conn.execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (query_id text NOT NULL, target text NOT NULL, "
            "batch_id bigint NOT NULL, rows bigint NOT NULL, "
            "committed_at timestamptz NOT NULL DEFAULT now(), "
            "PRIMARY KEY (query_id, target, batch_id))").format(_sql_name(self.markers)))
        conn.execute(sql.SQL(
            "CREATE UNLOGGED TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS, "
            "_ss_query text NOT NULL, _ss_batch bigint NOT NULL, _ss_part int NOT NULL)"
        ).format(_sql_name(self.stage), _sql_name(self.table)))
        conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (_ss_query, _ss_batch)").format(
            sql.Identifier(f"{self.stage[-1][:50]}_batch"), _sql_name(self.stage)))

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
                if self._marked(conn, query, batch):
                    return  # a replay of a committed batch: nothing to do, no Spark job
        except psycopg.Error as exc:
            raise _failed(f"checking batch {batch} of {self.target}", exc) from None
        df.select(*columns).foreachPartition(
            _StagePartition(self.dsn, self.stage, columns, query, batch))
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        keys = sql.SQL(", ").join(sql.Identifier(c) for c in self.keys)
        others = [c for c in columns if c not in self.keys]
        where = "FROM {stage} WHERE _ss_query = %s AND _ss_batch = %s"
        if self.on_conflict == "update" and others:
            # DO UPDATE may touch a row once per statement: one row per key (DISTINCT ON).
            template = ("INSERT INTO {target} ({cols}) SELECT DISTINCT ON ({keys}) {cols} "
                        + where + " ORDER BY {keys} ON CONFLICT ({keys}) DO UPDATE SET {sets}")
        else:
            template = ("INSERT INTO {target} ({cols}) SELECT {cols} " + where
                        + " ON CONFLICT ({keys}) DO NOTHING")
        sets = sql.SQL(", ").join(
            sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in others)
        move = sql.SQL(template).format(target=_sql_name(self.table), cols=cols, keys=keys,
                                        stage=_sql_name(self.stage), sets=sets)
        try:
            with psycopg.connect(self.dsn) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                             (f"{self.target}|{query}",))
                if not self._marked(conn, query, batch):  # a concurrent replay won the race
                    cur = conn.execute(move, (query, batch))
                    conn.execute(sql.SQL(
                        "INSERT INTO {} (query_id, target, batch_id, rows) VALUES (%s, %s, %s, %s)"
                    ).format(_sql_name(self.markers)), (query, self.target, batch, cur.rowcount))
                conn.execute(sql.SQL(
                    "DELETE FROM {} WHERE _ss_query = %s AND _ss_batch = %s"
                ).format(_sql_name(self.stage)), (query, batch))
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
