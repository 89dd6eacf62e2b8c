import io
import struct

import pyspark.serializers as serializers
import pyspark.util as util
import pytest

from sparkseal.core.token import WithholdingSealer
from sparkseal.worker.writer import SealedExceptionWriter

SECRET = "carol.worker@example.com"


def _fail(value):
    customer = value  # noqa: F841 - a local the "with locals" variant shows
    raise ValueError(f"{value} is an email address")


def _written(writer, exc, **kw) -> str:
    out = io.BytesIO()
    try:
        raise exc
    except BaseException as e:
        writer(e, out, **kw)
    data = out.getvalue()
    (marker,) = struct.unpack(">i", data[:4])
    assert marker == serializers.SpecialLengths.PYTHON_EXCEPTION_THROWN
    (length,) = struct.unpack(">i", data[4:8])
    assert len(data) == 8 + length
    return data[8:].decode("utf-8")


def _error(value=SECRET):
    try:
        _fail(value)
    except ValueError as e:
        return e


@pytest.fixture
def writer(sealer):
    return SealedExceptionWriter(sealer, util, serializers)


def test_full_traceback_sealed(writer, opener, monkeypatch):
    monkeypatch.delenv("SPARK_HIDE_TRACEBACK", raising=False)
    text = _written(writer, _error())
    assert SECRET not in text
    assert "Traceback (most recent call last)" in text and "in _fail" in text
    assert "ValueError: [SEALED:" in text
    assert SECRET in opener.unseal_text(text)[0]


def test_hide_traceback_variants(writer, monkeypatch):
    text = _written(writer, _error(), hide_traceback=True)
    assert text.startswith("ValueError: [SEALED:") and "Traceback" not in text
    monkeypatch.setenv("SPARK_HIDE_TRACEBACK", "1")
    assert _written(writer, _error()).startswith("ValueError: [SEALED:")


def test_traceback_with_locals(writer, opener, monkeypatch):
    monkeypatch.setenv("SPARK_TRACEBACK_WITH_LOCALS", "1")
    text = _written(writer, _error())
    assert SECRET not in text
    assert "customer = [SEALED:" in text
    assert opener.unseal_text(text)[0].count(SECRET) >= 2


def test_simplified_traceback(writer, monkeypatch):
    monkeypatch.setenv("SPARK_SIMPLIFIED_TRACEBACK", "1")
    text = _written(writer, _error())
    assert SECRET not in text and "ValueError: [SEALED:" in text


def test_withholding_when_no_key():
    writer = SealedExceptionWriter(WithholdingSealer("no public key"), util, serializers)
    text = _written(writer, _error())
    assert SECRET not in text
    assert "ValueError: [WITHHELD by sparkseal: no public key]" in text


def test_unsealable_exception_gives_fixed_text(writer, monkeypatch):
    def explode(*a, **k):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(writer, "format", explode)
    text = _written(writer, _error())
    assert SECRET not in text and "WITHHELD" in text and text.startswith("ValueError")


def test_broken_socket_is_silent(writer):
    class Closed(io.BytesIO):
        def write(self, b):
            raise BrokenPipeError

    writer(_error(), Closed())  # must not raise
