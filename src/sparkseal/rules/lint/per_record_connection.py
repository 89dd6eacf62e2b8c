"""SS561: a connection or client is created per record in code Spark runs per record.

Why: a ``foreach`` function, a UDF or an ``rdd.map`` function runs once per record;
a ``psycopg.connect``/``boto3.client``/``requests.Session()`` in it opens one
connection per row — a storm of handshakes that exhausts the database's connection
limit and makes task retries hammer the service. In ``foreachPartition``/
``mapPartitions`` (and ``foreachBatch`` on the driver) the connection belongs
before the loop over rows; inside that loop it is per record again.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
import psycopg
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()

def save(rows):
    for row in rows:
        with psycopg.connect("dbname=app") as conn:
            conn.execute("insert into t values (%s)", (row.id,))

spark.read.parquet("x").foreachPartition(save)
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS561",
    tool="lint",
    family="resilience",
    title="a connection or client is opened per record inside a function Spark runs per record",
    severity="warning",
    rationale=(
        "Opening a database connection, HTTP session, cloud SDK client or socket per record "
        "multiplies handshakes by the row count, exhausts server connection limits, and turns "
        "every task retry into a burst of new connections."
    ),
    fix=(
        "Use `foreachPartition`/`mapPartitions` and open one connection per partition before "
        "iterating the rows (closing it in `finally`), or batch writes in `foreachBatch`."
    ),
    example=EXAMPLE,
)

_CONNECT_LAST = {
    "connect",
    "create_connection",
    "Session",
    "client",
    "resource",
    "Client",
    "AsyncClient",
    "MongoClient",
    "Redis",
    "StrictRedis",
    "KafkaProducer",
    "Producer",
    "create_engine",
    "HTTPConnection",
    "HTTPSConnection",
    "SMTP",
    "SMTP_SSL",
    "Elasticsearch",
    "PoolManager",
    "socket",
    "Cluster",
}
_PER_PARTITION_VIA = {
    "foreachPartition",
    "mapPartitions",
    "mapPartitionsWithIndex",
    "mapInPandas",
    "mapInArrow",
    "applyInPandas",
    "applyInArrow",
    "foreachBatch",
}


def is_connect_call(mod: Module, call: ast.Call) -> str | None:
    name = mod.dotted(call.func)
    if name is None:
        return None
    last = name.rsplit(".", 1)[-1]
    if last not in _CONNECT_LAST:
        return None
    if last == "socket" and not name.startswith("socket"):
        return None
    if (
        last in ("client", "resource")
        and not name.startswith(("boto3", "botocore", "google"))
        and "." in name
    ):
        # session.client("s3") counts; foo.client (an attribute) does not
        pass
    return name


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for sf in mod.spark_functions:
        if sf.kind in ("pandas_udf", "arrow") and sf.via not in _PER_PARTITION_VIA:
            continue
        per_partition = sf.via in _PER_PARTITION_VIA or sf.kind in (
            "foreach_partition",
            "foreach_batch",
        )
        for node in ast.walk(sf.node):
            if not isinstance(node, ast.Call) or mod.spark_function_of(node) is not sf:
                continue
            name = is_connect_call(mod, node)
            if name is None:
                continue
            if per_partition and mod.in_loop(node) is None:
                continue
            where = "inside the loop over rows" if per_partition else "once per record"
            yield mod.finding(
                RULE, node, f"`{name}(...)` in `{sf.name}` (run by Spark via {sf.via}) runs {where}"
            )
