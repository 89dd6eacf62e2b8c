"""Records shaped exactly as the Java listener hands them to Python (docs/lineage.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

APP: dict[str, Any] = {
    "app_id": "local-1764530000000",
    "app_name": "payments-daily",
    "user": "etl",
    "host": "worker-3",
    "spark_version": "4.3.0",
    "sparkseal_version": "0.1.0",
    "start": "2026-11-30T19:30:00.123Z",
}

ORDERS_FIELDS = [
    {"name": "id", "type": "bigint", "nullable": True},
    {"name": "customer_id", "type": "bigint", "nullable": True},
    {"name": "amount", "type": "decimal(12,2)", "nullable": True},
    {"name": "day", "type": "date", "nullable": True},
]
CUSTOMERS_FIELDS = [
    {"name": "id", "type": "bigint", "nullable": False},
    {"name": "name", "type": "string", "nullable": True},
    {"name": "email", "type": "string", "nullable": True},
]

# SELECT c.name AS customer, o.day, sum(o.amount) AS total
# FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY c.name, o.day
JOIN_AGGREGATE: dict[str, Any] = {
    "execution_id": 7,
    "function": "command",
    "outcome": "success",
    "start": "2026-11-30T19:30:01.000Z",
    "end": "2026-11-30T19:30:03.500Z",
    "duration_ms": 2500,
    "inputs": [
        {
            "namespace": "file",
            "name": "/data/orders",
            "format": "parquet",
            "table": None,
            "fields": ORDERS_FIELDS,
        },
        {
            "namespace": "file",
            "name": "/data/customers",
            "format": "parquet",
            "table": "crm.customers",
            "fields": CUSTOMERS_FIELDS,
        },
    ],
    "outputs": [
        {
            "namespace": "file",
            "name": "/data/out/daily",
            "format": "parquet",
            "table": "db.daily",
            "mode": "Overwrite",
            "fields": [
                {"name": "customer", "type": "string", "nullable": True},
                {"name": "day", "type": "date", "nullable": True},
                {"name": "total", "type": "decimal(22,2)", "nullable": True},
            ],
            "rows": 123,
            "bytes": 4567,
            "files": 2,
            "columns": {
                "customer": [
                    {"input": 1, "field": "name", "type": "DIRECT", "subtype": "IDENTITY"}
                ],
                "day": [{"input": 0, "field": "day", "type": "DIRECT", "subtype": "IDENTITY"}],
                "total": [
                    {"input": 0, "field": "amount", "type": "DIRECT", "subtype": "AGGREGATION"}
                ],
            },
            "indirect": [
                {"input": 0, "field": "customer_id", "type": "INDIRECT", "subtype": "JOIN"},
                {"input": 1, "field": "id", "type": "INDIRECT", "subtype": "JOIN"},
                {"input": 1, "field": "name", "type": "INDIRECT", "subtype": "GROUP_BY"},
                {"input": 0, "field": "day", "type": "INDIRECT", "subtype": "GROUP_BY"},
            ],
        }
    ],
}

COLLECT: dict[str, Any] = {
    "execution_id": 8,
    "function": "collect",
    "outcome": "success",
    "start": "2026-11-30T19:30:04.000Z",
    "end": "2026-11-30T19:30:04.250Z",
    "duration_ms": 250,
    "inputs": [
        {
            "namespace": "file",
            "name": "/data/customers",
            "format": "parquet",
            "table": None,
            "fields": CUSTOMERS_FIELDS,
        }
    ],
    "outputs": [],
}

SEALED_ERROR = (
    "[CAST_INVALID_INPUT] The value [SEALED:2:X:afd566f52a2b1df5:aoY9FaTHTPBHDKs1I3zeBffPpHFB] "
    'of the type "STRING" cannot be cast to "INT". SQLSTATE: 22018'
)


@pytest.fixture
def app() -> dict[str, Any]:
    return copy.deepcopy(APP)


@pytest.fixture
def join_record() -> dict[str, Any]:
    return copy.deepcopy(JOIN_AGGREGATE)


@pytest.fixture
def collect_record() -> dict[str, Any]:
    return copy.deepcopy(COLLECT)


@pytest.fixture
def failed_record() -> dict[str, Any]:
    record = copy.deepcopy(JOIN_AGGREGATE)
    record.update(execution_id=9, outcome="failure", error=SEALED_ERROR)
    for output in record["outputs"]:
        output.update(rows=None, bytes=None, files=None)
    return record
