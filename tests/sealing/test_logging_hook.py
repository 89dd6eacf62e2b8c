import io
import json
import logging

import pytest

from sparkseal.sealing import logging_hook

SECRET = "bob.logged@example.com"


@pytest.fixture
def hooked(sealer):
    logging_hook.install(sealer)
    yield
    logging_hook.uninstall()


def _logger(name, formatter=None):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if formatter:
        handler.setFormatter(formatter)
    log = logging.getLogger(name)
    log.handlers = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log, stream


def test_logger_exception_and_exc_info(hooked, opener):
    log, stream = _logger("app.exception")
    try:
        raise ValueError(f"{SECRET} failed")
    except ValueError:
        log.exception("could not process a record")
        log.error("again", exc_info=True)
    out = stream.getvalue()
    assert SECRET not in out
    assert out.count("ValueError: [SEALED:") == 2
    assert "could not process a record" in out  # the application's own message stays
    assert opener.unseal_text(out)[0].count(SECRET) == 2


def test_exception_as_argument_and_message(hooked):
    log, stream = _logger("app.args")
    log.error("failed: %s", KeyError(SECRET))
    log.error("failed: %(e)s", {"e": ValueError(SECRET)})
    log.error(ValueError(SECRET))
    out = stream.getvalue()
    assert SECRET not in out and out.count("[SEALED:") == 3


def test_pyspark_json_formatter(hooked, opener):
    from pyspark.logger.logger import JSONFormatter

    log, stream = _logger("app.json", JSONFormatter())
    try:
        raise ValueError(SECRET)
    except ValueError:
        log.exception("boom")
    entry = json.loads(stream.getvalue())
    assert entry["exception"]["class"] == "ValueError"
    assert SECRET not in stream.getvalue()
    assert opener.open(entry["exception"]["msg"]) == SECRET


def test_pyspark_query_context_logger_message(hooked):
    from pyspark.logger import PySparkLogger

    log = PySparkLogger.getLogger("DataFrameQueryContextLogger")
    stream = io.StringIO()
    log.handlers[0].stream = stream if log.handlers else None
    if not log.handlers:
        pytest.skip("PySparkLogger has no handler")
    log.propagate = False
    log.error(f"[DIVIDE_BY_ZERO] Division by zero for {SECRET}", errorClass="DIVIDE_BY_ZERO")
    entry = json.loads(stream.getvalue())
    assert entry["msg"].startswith("[DIVIDE_BY_ZERO][SEALED:")
    assert SECRET not in stream.getvalue()


def test_unsealable_record_is_withheld(sealer):
    class Exploding:
        def seal_text(self, text):
            raise RuntimeError("no")

        def seal(self, text):
            raise RuntimeError("no")

    logging_hook.install(Exploding())
    try:
        log, stream = _logger("app.fail")
        try:
            raise ValueError(SECRET)
        except ValueError:
            log.exception("x")
        assert SECRET not in stream.getvalue()
        assert "WITHHELD" in stream.getvalue()
    finally:
        logging_hook.uninstall()


def test_install_is_idempotent(sealer):
    first = logging_hook.install(sealer)
    assert logging_hook.install(sealer) is first
    logging_hook.uninstall()
    assert not isinstance(logging.getLogRecordFactory(), logging_hook.SealingRecordFactory)
