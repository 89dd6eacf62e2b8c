"""Found by the attacker-style hunt: keys of a record's fields can be data too.

A dict message keyed by customer (``log.info({email: n})``) or ``extra={email: ...}`` put
the key in clear as a JSON field name, whatever happened to its value. Keys that are not
shaped like a field name now go, with their values, into one sealed field."""

import io
import json
import logging
from uuid import uuid4

import pytest
from pythonjsonlogger.json import JsonFormatter

from sparkseal.logs import RunContext, SealedJsonFormatter
from sparkseal.logs.formatter import SEALED_FIELDS


def canary() -> str:
    return f"canary-{uuid4().hex}@example.com"


@pytest.fixture(autouse=True)
def no_active_spark_context(monkeypatch):
    monkeypatch.setattr("sparkseal.logs.context._active_spark_context", lambda: None)


def _write(formatter: logging.Formatter, emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    log = logging.getLogger(f"app.leaks.{uuid4().hex[:8]}")
    log.handlers = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    emit(log)
    return stream.getvalue()


CASES = {
    "dict-message-key": lambda log, c: log.info({c: 3, "count": 1}),
    "extra-key": lambda log, c: log.info("loaded", extra={c: "x", "count": 1}),
    "tuple-key": lambda log, c: log.info({(c, 1): 3, "count": 1}),
}


@pytest.mark.parametrize("case", CASES)
def test_a_key_holding_data_is_sealed_and_opens(case, sealer, opener):
    secret = canary()
    out = _write(SealedJsonFormatter(sealer, RunContext(run_id="r1")),
                 lambda log: CASES[case](log, secret))
    assert secret not in out and secret.split("@")[0] not in out
    record = json.loads(out)
    assert record["count"] == 1  # field-name keys keep their own fields
    assert secret in opener.unseal_text(record[SEALED_FIELDS])[0]


@pytest.mark.parametrize("case", ["dict-message-key", "extra-key"])
def test_control_a_plain_json_formatter_writes_the_key(case):
    secret = canary()
    out = _write(JsonFormatter(), lambda log: CASES[case](log, secret))
    assert secret in out


def test_field_name_keys_stay_fields(sealer):
    out = _write(SealedJsonFormatter(sealer, RunContext(run_id="r1")),
                 lambda log: log.info({"batch_id": 7, "stamina.retry_num": 2}))
    record = json.loads(out)
    assert record["batch_id"] == 7
    assert "stamina.retry_num" in record and SEALED_FIELDS not in record
