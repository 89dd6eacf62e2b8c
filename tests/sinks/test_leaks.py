"""The attacker-style hunt over the resilience sinks and chaos reports, with canaries.

* PostgreSQL quotes rows in its errors (``DETAIL: Key (email)=(...) already exists``,
  ``Failing row contains (...)``, ``CONTEXT: COPY ..., column email: "..."``). What the
  user gets from ``postgres_batches`` -- the exception and its whole traceback, raised on
  the driver (the commit) or in a task (the staging COPY) -- must hold none of it. The
  control: the same statements run with psycopg directly show the canary.
* ``sparkseal chaos run`` prints each run's checksum: the sum of Spark's ``xxhash64`` of
  every row. With a public seed, a one-row output's checksum is a guessing oracle: hash
  candidate values and the one that matches is the row. The checksum must not identify a
  value; the control shows the same search finds a value from an unsalted ``xxhash64``.

Uses the suite's shared local[2] session (tests/conftest.py) and one PostgreSQL server.
"""

from __future__ import annotations

import traceback
from uuid import uuid4

import psycopg
import pytest
from pyspark.sql import functions as F

from sparkseal.sinks import SinkError, postgres_batches
from sparkseal.sinks.postgres import conninfo
from tests.postgres import new_database, postgres_url  # noqa: F401 - fixture


def canary() -> str:
    return f"canary-{uuid4().hex}@example.com"


def _everything(exc: BaseException) -> str:
    """The exception as a user or a log sees it: message, chain and traceback."""
    return "".join(traceback.format_exception(exc))


TABLES = {
    # a second unique key: ON CONFLICT (id) does not cover it -> UniqueViolation at commit
    "unique": "CREATE TABLE t (id bigint PRIMARY KEY, email text UNIQUE, card text)",
    # a CHECK constraint: the staging table has none, so it fails at the commit
    "check": "CREATE TABLE t (id bigint PRIMARY KEY, email text CHECK (email NOT LIKE "
             "'canary-%'), card text)",
    # too long for the column: fails in the task's COPY into the staging table
    "too_long": "CREATE TABLE t (id bigint PRIMARY KEY, email varchar(10), card text)",
    # a value of the wrong type: COPY's error CONTEXT quotes it
    "bad_type": "CREATE TABLE t (id bigint PRIMARY KEY, email text, card bigint)",
}


@pytest.fixture
def db(postgres_url):  # noqa: F811 - fixture
    return new_database(postgres_url)


@pytest.mark.parametrize("case", TABLES)
def test_postgres_batches_errors_never_quote_a_row(case, spark, db):
    secret = canary()
    with psycopg.connect(conninfo(db), autocommit=True) as conn:
        conn.execute(TABLES[case])
        if case == "unique":
            conn.execute("INSERT INTO t VALUES (999, %s, 'x')", (secret,))
    card = secret if case == "bad_type" else "4111111111111111"
    df = spark.createDataFrame([(1, secret, card)], "id long, email string, card string")
    with pytest.raises(Exception) as info:
        postgres_batches(db, "t", ["id"], query_id=f"q-{case}")(df, 0)
    text = _everything(info.value)
    assert "SS976" in text and secret not in text
    if case in ("unique", "check"):  # the driver's commit: our own error, nothing chained
        assert isinstance(info.value, SinkError)


@pytest.mark.parametrize("case", TABLES)
def test_control_postgres_quotes_the_row(case, db):
    secret = canary()
    with psycopg.connect(conninfo(db), autocommit=True) as conn:
        conn.execute(TABLES[case])
        if case == "unique":
            conn.execute("INSERT INTO t VALUES (999, %s, 'x')", (secret,))
        card = secret if case == "bad_type" else "4111111111111111"
        with pytest.raises(psycopg.Error) as info, conn.cursor() as cur, cur.copy(
            "COPY t (id, email, card) FROM STDIN"
        ) as copy:
            copy.write_row((1, secret, card))
    diag = info.value.diag
    quoted = " ".join(str(x) for x in (info.value, diag.message_detail, diag.context) if x)
    assert secret in quoted


def _search(spark, checksum: str, candidates: list[str]) -> list[str]:
    """The attacker's search: the candidate whose one-row fingerprint is ``checksum``."""
    from sparkseal.chaos.compare import _hashable

    df = spark.createDataFrame([(c,) for c in candidates], "card string")
    one = df.select("card", F.xxhash64(*_hashable(df.select("card"))).cast("decimal(38,0)")
                    .cast("string").alias("h"))
    return [r.card for r in one.where(F.col("h") == checksum).collect()]


def _candidates(secret: str) -> list[str]:
    return [*(f"4111{uuid4().int % 10**12:012d}" for _ in range(300)), secret]


def test_chaos_checksum_does_not_identify_a_row(spark):
    from sparkseal.chaos.compare import fingerprint

    secret = f"4{uuid4().int % 10**15:015d}"
    reported = fingerprint(spark.createDataFrame([(secret,)], "card string")).checksum
    assert _search(spark, reported, _candidates(secret)) == []


def test_control_an_unsalted_row_hash_identifies_the_row(spark):
    secret = f"4{uuid4().int % 10**15:015d}"
    df = spark.createDataFrame([(secret,)], "card string")
    unsalted = df.select(F.xxhash64(F.col("card"), F.isnull(F.col("card")))
                         .cast("decimal(38,0)").cast("string")).first()[0]
    assert _search(spark, unsalted, _candidates(secret)) == [secret]
