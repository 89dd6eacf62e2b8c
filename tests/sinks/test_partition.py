"""partition_writer against a real local HTTP service that fails on purpose: batched sends,
retries of listed exceptions only, and the breaker's open -> fail fast -> half-open ->
closed cycle (in-process; inside a real Spark task: test_spark_sinks.py)."""

from __future__ import annotations

import time
import urllib.error
import uuid

import pytest

from sparkseal.sinks import (
    Breaker,
    CircuitOpenError,
    RetriesExhaustedError,
    SinkError,
    breaker_state,
    partition_writer,
)
from tests.sinks.service import FlakyService, Poster

RETRY = (urllib.error.URLError,)


@pytest.fixture
def service():
    s = FlakyService()
    yield s
    s.stop()


def _writer(service, name, **kw):
    kw.setdefault("attempts", 5)
    return partition_writer(Poster(service.url), batch_size=4, retry_on=RETRY, timeout=10,
                            wait_initial=0.01, wait_max=0.02, breaker=kw.pop("breaker", None)
                            or Breaker(name, fail_max=3, reset_timeout=0.5), **kw)


def test_rows_go_in_batches_over_one_session_per_partition(service):
    opened = []

    class Session:
        def __init__(self):
            opened.append(self)
            self.closed = False

        def close(self):
            self.closed = True

    post = Poster(service.url)
    writer = partition_writer(lambda session, batch: post(batch), batch_size=4,
                              retry_on=RETRY, connect=Session)
    writer(iter([(i, f"r{i}") for i in range(10)]))
    assert sorted(r[0] for r in service.rows) == list(range(10))
    assert service.requests == 3  # 4 + 4 + 2
    assert len(opened) == 1 and opened[0].closed
    writer(iter([]))
    assert len(opened) == 1  # an empty partition opens nothing


def test_breaker_opens_fails_fast_half_opens_and_closes(service):
    name = f"svc-{uuid.uuid4().hex}"
    writer = _writer(service, name)
    writer(iter([(1,)]))
    assert breaker_state(name) == "closed" and service.requests == 1

    service.failing = True
    with pytest.raises(CircuitOpenError, match="SS978"):
        writer(iter([(2,)]))
    # fail_max = 3 calls reached the service, not the 5 attempts: the breaker stopped it.
    assert service.requests == 1 + 3
    assert breaker_state(name) == "open"

    start = time.monotonic()
    with pytest.raises(CircuitOpenError, match="SS978"):
        writer(iter([(3,)]))
    assert service.requests == 4  # open: failed fast without calling the service
    assert time.monotonic() - start < 0.3

    time.sleep(0.6)  # past reset_timeout: half-open, one trial call; it fails -> open again
    with pytest.raises(CircuitOpenError):
        writer(iter([(4,)]))
    assert service.requests == 5 and breaker_state(name) == "open"

    service.failing = False
    time.sleep(0.6)
    assert breaker_state(name) in ("open", "half-open")
    writer(iter([(5,), (6,)]))  # the trial call succeeds: closed
    assert breaker_state(name) == "closed"
    assert sorted(r[0] for r in service.rows) == [1, 5, 6]


def test_retries_only_listed_exceptions_and_caps_attempts(service):
    calls = []

    def broken(batch):
        calls.append(1)
        raise ValueError("a bug, not an outage")

    name = f"bug-{uuid.uuid4().hex}"
    writer = partition_writer(broken, retry_on=RETRY, breaker=Breaker(name, fail_max=1),
                              wait_initial=0.01)
    with pytest.raises(ValueError):
        writer(iter([(1,)]))
    assert calls == [1]  # not retried
    assert breaker_state(name) == "closed"  # and a bug does not open the circuit

    service.failing = True
    no_breaker = partition_writer(Poster(service.url), retry_on=RETRY, attempts=3,
                                  wait_initial=0.01, wait_max=0.02)
    with pytest.raises(RetriesExhaustedError, match="SS979") as err:
        no_breaker(iter([(1,)]))
    assert service.requests == 3
    assert isinstance(err.value.__cause__, urllib.error.HTTPError)


def test_time_cap_stops_retries(service):
    service.failing = True
    writer = partition_writer(Poster(service.url), retry_on=RETRY, attempts=1000,
                              timeout=0.3, wait_initial=0.05, wait_max=0.05)
    start = time.monotonic()
    with pytest.raises(RetriesExhaustedError):
        writer(iter([(1,)]))
    assert time.monotonic() - start < 2
    assert 2 <= service.requests < 50


def test_invalid_arguments_are_coded():
    with pytest.raises(SinkError, match="SS975"):
        partition_writer(print, retry_on=("not a class",))
    with pytest.raises(SinkError, match="SS975"):
        Breaker("x", fail_max=0)


def test_wait_open_rides_out_an_injected_outage_in_process(service):
    from sparkseal.chaos import FailingSink, active
    from sparkseal.chaos.inject import _STATE
    from sparkseal.chaos.sink import read_events

    name = f"wait-{uuid.uuid4().hex}"
    with active([FailingSink(calls=2)]):
        token = _STATE.token
        writer = _writer(service, name, breaker=Breaker(name, fail_max=2, reset_timeout=0.3),
                         wait_open=2.0)
        start = time.monotonic()
        writer(iter([(i,) for i in range(8)]))
        waited = time.monotonic() - start
    ev = read_events(token)
    assert ev.counts == {"injected": 2, "open": 1, "half-open": 1, "closed": 1, "rejected": 0}
    assert waited >= 0.3  # it waited for the breaker instead of calling
    assert sorted(r[0] for r in service.rows) == list(range(8)) and service.requests == 2
    assert breaker_state(name) == "closed"

    # Without the wait (or with one shorter than the open time) the send fails fast.
    name2 = f"nowait-{uuid.uuid4().hex}"
    with active([FailingSink(calls=2)]):
        token = _STATE.token
        writer = _writer(service, name2, breaker=Breaker(name2, fail_max=2, reset_timeout=30),
                         wait_open=1.0)
        with pytest.raises(CircuitOpenError, match="SS978"):
            writer(iter([(9,)]))
        with pytest.raises(CircuitOpenError, match="SS978"):
            writer(iter([(10,)]))  # open: rejected without a call
    ev = read_events(token)
    assert (ev.get("injected"), ev.get("open"), ev.get("rejected")) == (2, 1, 1)
    assert service.requests == 2  # nothing new reached the service


def test_outside_a_chaos_run_nothing_is_injected(service):
    import pickle

    from sparkseal.chaos import FailingSink, active

    writer = _writer(service, f"plain-{uuid.uuid4().hex}")
    assert pickle.loads(pickle.dumps(writer)).__dict__["_chaos"] is None
    with active([FailingSink(calls=1)]):
        shipped = pickle.loads(pickle.dumps(writer))
    assert shipped.__dict__["_chaos"].faults == (FailingSink(calls=1),)
    writer(iter([(1,)]))
    assert service.requests == 1
