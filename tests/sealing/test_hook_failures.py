"""When sealing itself fails, every hook prints a fixed placeholder, never the original text.

The failing sealer is the realistic one: a Sealer on a low-order public key (which
parse_public refuses, so it is built directly), whose every seal raises.
"""

from __future__ import annotations

import io
import logging
import threading

import pytest

from sparkseal.core.keys import PublicKey
from sparkseal.core.suites import X25519
from sparkseal.core.token import Sealer
from tests.conftest import run_python

CANARY = "alan.turing.hookfail@example.net"


@pytest.fixture
def broken_sealer() -> Sealer:
    sealer = Sealer(PublicKey(X25519, bytes(32)))
    with pytest.raises(ValueError):
        sealer.seal("x")
    return sealer


def test_uncaught_exception_prints_placeholder_not_python_fallback():
    proc = run_python(
        f"""
        import sys
        from sparkseal.core.keys import PublicKey
        from sparkseal.core.suites import X25519
        from sparkseal.core.token import Sealer
        from sparkseal.sealing.excepthooks import SealingExceptHook
        sys.excepthook = SealingExceptHook(Sealer(PublicKey(X25519, bytes(32))))
        raise ValueError({CANARY!r})
        """
    )
    assert proc.returncode == 1
    assert CANARY not in proc.stderr
    assert "ValueError: [WITHHELD by sparkseal: SS003" in proc.stderr
    assert "Error in sys.excepthook" not in proc.stderr


def test_control_python_fallback_prints_the_original():
    proc = run_python(
        f"""
        import sys
        def hook(*args):
            raise RuntimeError("hook broke")
        sys.excepthook = hook
        raise ValueError({CANARY!r})
        """
    )
    assert CANARY in proc.stderr  # what the placeholder protects against


def test_thread_hook(broken_sealer, capsys):
    from sparkseal.sealing.excepthooks import SealingThreadExceptHook

    def fail():
        raise ValueError(CANARY)

    previous = threading.excepthook
    threading.excepthook = SealingThreadExceptHook(broken_sealer)
    try:
        t = threading.Thread(target=fail)
        t.start()
        t.join()
    finally:
        threading.excepthook = previous
    err = capsys.readouterr().err
    assert CANARY not in err and "SS003" in err


def test_py4j_callback_traceback(broken_sealer):
    from sparkseal.driver.py4j_hook import _SealingTraceback

    fake_module = _SealingTraceback(broken_sealer)
    try:
        raise KeyError(CANARY)
    except KeyError:
        text = fake_module.format_exc()
    assert CANARY not in text and text.startswith("KeyError: [WITHHELD")


def test_worker_writer(broken_sealer):
    import pyspark.serializers as serializers
    import pyspark.util as util

    from sparkseal.worker.writer import SealedExceptionWriter

    writer = SealedExceptionWriter(broken_sealer, util, serializers)
    out = io.BytesIO()
    try:
        raise ValueError(CANARY)
    except ValueError as e:
        writer(e, out)
    assert CANARY.encode() not in out.getvalue()
    assert b"SS003" in out.getvalue()


def test_logging_record(broken_sealer):
    from sparkseal.sealing.logging_hook import SealingRecordFactory

    factory = SealingRecordFactory(broken_sealer, logging.LogRecord)
    try:
        raise ValueError(CANARY)
    except ValueError as e:
        record = factory("x", logging.ERROR, __file__, 1, "failed: %s", (e,), None)
    assert CANARY not in record.getMessage() and "SS003" in record.getMessage()
