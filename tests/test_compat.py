"""Every internal sparkseal touches checks out on the pinned PySpark, and a change is caught."""

from __future__ import annotations

import pyspark.shuffle as shuffle
import pyspark.util as util
import pytest

from sparkseal import compat
from sparkseal.core.errors import UnsupportedPySparkError


def test_every_internal_checks_out_on_the_pinned_pyspark():
    assert compat.problems(deep=True) == []


def test_each_internal_has_a_check_and_a_use():
    names = [i.name for i in compat.INTERNALS]
    assert len(names) == len(set(names))
    assert all(i.use and callable(i.check) for i in compat.INTERNALS)


def test_a_changed_writer_signature_is_refused(monkeypatch):
    monkeypatch.setattr(util, "handle_worker_exception", lambda exc, out: None)
    with pytest.raises(UnsupportedPySparkError, match=r"SS004.*changed signature"):
        compat.require()


def test_a_writer_that_speaks_another_protocol_is_refused(monkeypatch):
    def writer(e, outfile, hide_traceback=None):
        outfile.write(b"something else")

    monkeypatch.setattr(util, "handle_worker_exception", writer)
    assert compat.problems() == []  # the signature alone looks fine
    assert any("no longer writes" in p for p in compat.problems(deep=True))


def test_changed_shuffle_behaviour_is_refused(monkeypatch):
    monkeypatch.setattr(shuffle.ExternalListOfList, "__iter__", shuffle.ExternalList.__iter__)
    assert any("ExternalListOfList" in p for p in compat.problems(deep=True))
    monkeypatch.delattr(shuffle, "_compressed_serializer")
    assert any("_compressed_serializer" in p for p in compat.problems())


def test_unsupported_version_is_refused(monkeypatch):
    import pyspark

    monkeypatch.setattr(pyspark, "__version__", "9.0.0")
    with pytest.raises(UnsupportedPySparkError, match=r"PySpark 9\.0\.0 is not a supported"):
        compat.require()
