"""The sealed JSON formatter: context fields, sealed exceptions that open to the original,
allow-listed vs sealed fields, and canaries wherever a record can carry text."""

import io
import json
import logging
from uuid import uuid4

import pytest
from pythonjsonlogger.json import JsonFormatter

from sparkseal.core.token import TOKEN_RE
from sparkseal.logs import PLACEHOLDER_RECORD, RunContext, SealedJsonFormatter
from sparkseal.sealing import logging_hook


def canary() -> str:
    return f"canary-{uuid4().hex}@example.com"


@pytest.fixture(autouse=True)
def no_active_spark_context(monkeypatch):
    """Each test gives the context it checks: the suite's shared SparkContext (one per
    process, tests/conftest.py) would otherwise fill in its app name and id."""
    monkeypatch.setattr("sparkseal.logs.context._active_spark_context", lambda: None)


def _logger(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    log = logging.getLogger(f"app.logs.{uuid4().hex[:8]}")
    log.handlers = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log, stream


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def json_log(sealer):
    context = RunContext(run_id="run-42", job="nightly_orders")
    return _logger(SealedJsonFormatter(sealer, context))


@pytest.fixture(params=[False, True], ids=["formatter-alone", "with-driver-hook"])
def hook(request, sealer):
    """The formatter seals by itself, and stays correct after the driver's record hook."""
    if request.param:
        logging_hook.install(sealer)
        yield
        logging_hook.uninstall()
    else:
        yield


def test_context_fields_and_shape(json_log):
    log, stream = json_log
    log.info("loaded %d rows from %s", 12, "orders")
    (rec,) = _records(stream)
    assert rec["level"] == "INFO" and rec["logger"] == log.name
    assert rec["run_id"] == "run-42" and rec["job"] == "nightly_orders"
    assert rec["timestamp"].endswith("+00:00")
    assert rec["message"].startswith("loaded 12 rows from [SEALED:")  # the template stays


def test_run_context_defaults_to_a_fresh_run_id(monkeypatch):
    monkeypatch.delenv("SPARKSEAL_RUN_ID", raising=False)
    a, b = RunContext(), RunContext()
    assert a.run_id != b.run_id and len(a.run_id) == 32
    monkeypatch.setenv("SPARKSEAL_RUN_ID", "airflow-run_7")
    assert RunContext().run_id == "airflow-run_7"
    monkeypatch.setenv("SPARKSEAL_RUN_ID", "not an id")  # free text is never an id
    assert RunContext().run_id != "not an id"


def test_sealed_exception_opens_to_the_original(hook, json_log, opener):
    log, stream = json_log
    secret = canary()
    try:
        raise ValueError(f"bad row {secret}")
    except ValueError:
        log.exception("could not process a record")
    out = stream.getvalue()
    assert secret not in out
    (rec,) = _records(stream)
    assert rec["message"] == "could not process a record"
    assert "Traceback (most recent call last)" in rec["exception"]
    assert "ValueError: [SEALED:" in rec["exception"]
    assert secret in opener.unseal_text(rec["exception"])[0]


def test_canaries_everywhere_a_record_carries_text(hook, sealer, opener):
    secrets = {k: canary() for k in ("arg", "named", "exc", "note", "cause", "extra", "obj")}
    log, stream = _logger(SealedJsonFormatter(sealer, RunContext()))
    log.info("user %s logged in", secrets["arg"])
    log.info("user %(who)s, %(n)d tries", {"who": secrets["named"], "n": 3})
    log.warning("odd object %r", {"email": secrets["obj"]})
    try:
        try:
            raise KeyError(secrets["cause"])
        except KeyError as cause:
            err = RuntimeError(f"lookup failed for {secrets['exc']}")
            err.add_note(f"while reading {secrets['note']}")
            raise err from cause
    except RuntimeError:
        log.error("failed", exc_info=True, extra={"customer": secrets["extra"]})
    out = stream.getvalue()
    for name, secret in secrets.items():
        assert secret not in out, name
    opened = opener.unseal_text(out)[0]
    for name, secret in secrets.items():
        assert secret in opened, name
    recs = _records(stream)
    assert recs[1]["message"].endswith(", 3 tries")
    exc = recs[3]["exception"]
    assert "KeyError: [SEALED:" in exc and "RuntimeError: [SEALED:" in exc
    assert "The above exception was the direct cause" in exc  # the chain's shape stays
    assert recs[3]["customer"].startswith("[SEALED:")


def test_exception_as_message_and_argument(hook, json_log, opener):
    log, stream = json_log
    a, b = canary(), canary()
    log.error(ValueError(a))
    log.error("failed: %s", KeyError(b))
    out = stream.getvalue()
    assert a not in out and b not in out
    recs = _records(stream)
    assert recs[0]["message"].startswith("[SEALED:")
    assert recs[1]["message"].startswith("failed: ")
    assert a in opener.unseal_text(out)[0] and b in opener.unseal_text(out)[0]


def test_extra_fields_allow_list(sealer):
    log, stream = _logger(SealedJsonFormatter(sealer, readable_fields=("region",)))
    secret = canary()
    log.info(
        "batch done",
        extra={
            "batch_id": 17,  # listed key, number: readable
            "source": "orders_v2",  # listed key, identifier: readable
            "status": "failed because of bob",  # listed key, free text: sealed
            "region": "eu-west-1",  # listed by the policy: readable
            "note": "plain",  # not listed: sealed, whatever it says
            "amount": 4111111111111111,  # not listed: a number can be data too
            "sink": secret,  # listed key, but an address is not an identifier
            "nothing": None,
        },
    )
    (rec,) = _records(stream)
    assert rec["batch_id"] == 17 and rec["source"] == "orders_v2" and rec["region"] == "eu-west-1"
    for key in ("status", "note", "amount", "sink"):
        assert TOKEN_RE.fullmatch(rec[key]), key
    assert rec["nothing"] is None
    assert secret not in stream.getvalue()


def test_extra_cannot_replace_own_fields(sealer):
    log, stream = _logger(SealedJsonFormatter(sealer, RunContext(run_id="r1")))
    log.info("x", extra={"job": "free text job name", "app_name": "x y"})
    (rec,) = _records(stream)
    assert rec["run_id"] == "r1"
    assert rec["job"] is None and rec["app_name"] is None  # the context's, not the extra's


def test_context_values_that_are_not_identifiers_are_sealed(sealer, opener):
    secret = canary()
    ctx = RunContext(job=f"report for {secret}", app_name="etl orders")
    log, stream = _logger(SealedJsonFormatter(sealer, ctx))
    log.info("start")
    (rec,) = _records(stream)
    assert TOKEN_RE.fullmatch(rec["job"]) and TOKEN_RE.fullmatch(rec["app_name"])
    assert secret not in stream.getvalue()
    assert opener.open(rec["job"]) == f"report for {secret}"


def test_sealed_message_mode(sealer, opener):
    log, stream = _logger(SealedJsonFormatter(sealer, message="sealed"))
    secret = canary()
    log.info(f"f-string with {secret}")  # what "sealed" is for
    (rec,) = _records(stream)
    assert TOKEN_RE.fullmatch(rec["message"])
    assert opener.open(rec["message"]) == f"f-string with {secret}"


def test_dict_messages_are_fields(sealer):
    log, stream = _logger(SealedJsonFormatter(sealer))
    secret = canary()
    log.info({"records": 5, "email": secret})
    (rec,) = _records(stream)
    assert rec["records"] == 5 and rec["email"].startswith("[SEALED:")
    assert secret not in stream.getvalue()


def test_formatter_failure_writes_the_placeholder(sealer):
    secret = canary()

    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError(secret)

    log, stream = _logger(SealedJsonFormatter(sealer))
    log.info("value %s", Unprintable())
    log.info("bad format %d", "not a number")
    out = stream.getvalue()
    assert secret not in out
    assert out.splitlines() == [PLACEHOLDER_RECORD, PLACEHOLDER_RECORD]
    assert json.loads(PLACEHOLDER_RECORD)["message"].startswith("[WITHHELD by sparkseal: SS920")


def test_control_a_stock_json_formatter_shows_the_canaries():
    """The control: the same records through python-json-logger alone carry the canaries,
    so the scans above would see them if sealing were off."""
    log, stream = _logger(JsonFormatter(timestamp=True))
    secrets = [canary() for _ in range(3)]
    log.info("user %s", secrets[0], extra={"customer": secrets[1]})
    try:
        raise ValueError(secrets[2])
    except ValueError:
        log.exception("failed")
    out = stream.getvalue()
    assert all(s in out for s in secrets)


def test_the_original_record_is_left_alone(sealer):
    """Other handlers of the same logger see the record as it was made."""
    plain = io.StringIO()
    log, stream = _logger(SealedJsonFormatter(sealer))
    log.addHandler(logging.StreamHandler(plain))
    secret = canary()
    log.info("user %s", secret)
    assert secret not in stream.getvalue() and secret in plain.getvalue()
