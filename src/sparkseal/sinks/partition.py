"""``partition_writer``: send a partition's rows to an external service, safely.

The seed's ``foreachRDD`` lesson: one connection per partition, never per record, and
rows sent in batches. Each batch send is retried with :mod:`stamina` (only the listed
exceptions, jittered exponential backoff, caps on attempts and total time) and guarded
by a :mod:`pybreaker` circuit breaker.

The breaker's state lives in **one Python worker process**: Spark runs the writer in
many processes on many executors and they share nothing. A breaker that opens fails
its task fast (SS978) -- unless ``wait_open`` lets the send wait, without calling the
service, for the breaker to half-open. A failed task's Python worker exits (PySpark
reuses only workers whose task succeeded), so Spark's retry of the task starts with a
closed breaker: the breaker caps the calls of one task attempt at ``fail_max``, it does
not keep a dead service closed across retries (docs/resilience.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.sinks.errors import CircuitOpenError, RetriesExhaustedError, SinkError

_breakers: dict[str, Any] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Breaker:
    """A circuit breaker's settings (picklable); its state is per Python process.

    ``fail_max`` consecutive retryable failures open it; while open every call fails at
    once; after ``reset_timeout`` seconds one trial call is let through (half-open) and
    its success closes the breaker, its failure opens it again.
    """

    name: str
    fail_max: int = 5
    reset_timeout: float = 30.0

    def __post_init__(self) -> None:
        if not self.name or self.fail_max < 1 or self.reset_timeout <= 0:
            raise SinkError(coded("SS975", "a Breaker needs a name, fail_max >= 1 and "
                                           "reset_timeout > 0"))


def _outage() -> tuple[type[BaseException], ...]:
    from sparkseal.chaos.sink import SinkOutage

    return (SinkOutage,)


def _breaker(spec: Breaker, retry_on: tuple[type[BaseException], ...]) -> Any:
    import pybreaker

    retry_on = (*retry_on, *_outage())  # an injected outage (sparkseal chaos) counts too
    with _lock:
        cb = _breakers.get(spec.name)
        if cb is None:
            # Only the retryable (service) failures count: a bug in the caller's code must
            # fail its task, not open the circuit for everyone in this process.
            cb = pybreaker.CircuitBreaker(
                fail_max=spec.fail_max, reset_timeout=spec.reset_timeout, name=spec.name,
                exclude=[lambda e: not isinstance(e, retry_on)],
            )
            _breakers[spec.name] = cb
        return cb


def breaker_state(name: str) -> str:
    """``"closed"``, ``"open"`` or ``"half-open"`` in this process (``"closed"`` if unused)."""
    cb = _breakers.get(name)
    if cb is None:
        return "closed"
    state = cb.current_state
    return "half-open" if state == "half_open" else str(state)


def _until_half_open(cb: Any) -> float:
    """Seconds until the open breaker ``cb`` lets a trial call through."""
    import datetime

    opened = getattr(getattr(cb, "_state_storage", None), "opened_at", None)  # no public API
    if opened is None:
        return float(cb.reset_timeout)
    due = opened + datetime.timedelta(seconds=cb.reset_timeout)
    return max(0.0, (due - datetime.datetime.now(datetime.UTC)).total_seconds())


def reset_breakers() -> None:
    """Forget every breaker of this process (tests, long-lived drivers)."""
    with _lock:
        _breakers.clear()


class PartitionWriter:
    """The ``foreachPartition`` function (see :func:`partition_writer`)."""

    idempotent = False  # as idempotent as send_batch: declare it in [resilience] sinks

    def __init__(self, send_batch: Callable[..., Any], *, batch_size: int,
                 retry_on: tuple[type[BaseException], ...], attempts: int, timeout: float,
                 wait_initial: float, wait_max: float, breaker: Breaker | None,
                 connect: Callable[[], Any] | None, wait_open: float = 0.0) -> None:
        if batch_size < 1 or attempts < 1 or timeout <= 0 or wait_open < 0:
            raise SinkError(coded("SS975", "batch_size and attempts must be >= 1, timeout > 0, "
                                           "wait_open >= 0"))
        if not retry_on or not all(
            isinstance(t, type) and issubclass(t, BaseException) for t in retry_on
        ):
            raise SinkError(coded("SS975", "retry_on must list exception classes"))
        self.send_batch, self.batch_size = send_batch, batch_size
        self.retry_on, self.attempts, self.timeout = tuple(retry_on), attempts, timeout
        self.wait_initial, self.wait_max = wait_initial, wait_max
        self.breaker, self.connect, self.wait_open = breaker, connect, wait_open

    def __getstate__(self) -> dict[str, Any]:
        # Pickled on the driver when Spark ships the writer: inside a chaos run it takes
        # the active failing_sink faults along (sparkseal.chaos.sink).
        from sparkseal.chaos.sink import capture

        return {**self.__dict__, "_chaos": capture()}

    def _plan(self) -> Any:
        plan = self.__dict__.get("_chaos")
        if plan is None:  # called in this process, not shipped: the live chaos state
            from sparkseal.chaos.sink import capture

            plan = capture()
        return plan

    def _retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, (*self.retry_on, *_outage())) and not isinstance(exc, SinkError)

    def _send(self, session: Any, batch: list[Any]) -> None:
        """Send one batch; with ``wait_open``, wait out an open breaker (no calls) when it
        half-opens within that many seconds, then make the trial call."""
        deadline = time.monotonic() + self.wait_open
        while True:
            try:
                return self._send_once(session, batch)
            except CircuitOpenError:
                cb = _breakers.get(self.breaker.name) if self.breaker is not None else None
                wait = _until_half_open(cb) if cb is not None else float("inf")
                if time.monotonic() + wait > deadline:
                    raise
                time.sleep(wait + 0.01)

    def _send_once(self, session: Any, batch: list[Any]) -> None:
        import pybreaker
        import stamina

        args = (session, batch) if self.connect is not None else (batch,)
        cb = _breaker(self.breaker, self.retry_on) if self.breaker is not None else None
        plan = self._plan()
        call: Callable[..., Any] = self.send_batch
        made: list[int] = []
        if plan is not None:
            from sparkseal.chaos import sink as chaos_sink

            if cb is not None:
                chaos_sink.watch(cb, plan)

            def call(*a: Any) -> Any:
                made.append(1)
                chaos_sink.outage(plan)  # raises inside an injected outage
                return self.send_batch(*a)

        try:
            for attempt in stamina.retry_context(
                on=self._retryable, attempts=self.attempts, timeout=self.timeout,
                wait_initial=self.wait_initial, wait_max=self.wait_max,
            ):
                with attempt:
                    try:
                        if cb is not None:
                            cb.call(call, *args)
                        else:
                            call(*args)
                    except pybreaker.CircuitBreakerError:
                        if plan is not None and not made:  # open: failed without a call
                            chaos_sink.record(plan, "rejected")
                        raise CircuitOpenError(coded(
                            "SS978", f"circuit {cb.name!r} is open: the service failed "
                                     f"{cb.fail_max} times in a row in this worker; failing "
                                     "the task instead of calling it again")) from None
        except (*self.retry_on, *_outage()) as exc:
            if isinstance(exc, SinkError):
                raise
            raise RetriesExhaustedError(coded(
                "SS979", f"sending a batch of {len(batch)} rows failed after its retries "
                         f"(at most {self.attempts} attempts, {self.timeout:g}s)")) from exc

    def __call__(self, rows: Iterable[Any]) -> None:
        session = None
        try:
            batch: list[Any] = []
            for row in rows:
                if session is None and self.connect is not None:
                    session = self.connect()  # one per partition, and only if it has rows
                batch.append(row)
                if len(batch) >= self.batch_size:
                    self._send(session, batch)
                    batch = []
            if batch:
                self._send(session, batch)
        finally:
            close = getattr(session, "close", None)
            if callable(close):
                close()


def partition_writer(
    send_batch: Callable[..., Any],
    *,
    batch_size: int = 500,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    attempts: int = 5,
    timeout: float = 30.0,
    wait_initial: float = 0.1,
    wait_max: float = 5.0,
    breaker: Breaker | None = None,
    connect: Callable[[], Any] | None = None,
    wait_open: float = 0.0,
) -> PartitionWriter:
    """A function for ``df.foreachPartition`` (or inside ``foreachBatch``).

    ``send_batch(batch)`` -- or ``send_batch(session, batch)`` with ``connect`` -- sends
    up to ``batch_size`` rows; ``connect()`` opens one session per partition (closed at
    the end if it has ``close()``). Only ``retry_on`` exceptions are retried. Exactly-once
    needs an idempotent ``send_batch`` (e.g. an upsert by key): Spark retries tasks.
    ``wait_open`` (seconds, default 0: fail at once with SS978) lets a send that meets an
    open breaker wait for it to half-open, if that is due within ``wait_open``, and make
    the trial call: Spark retries a failed task at once, with no backoff, so a task that
    fails fast burns ``spark.task.maxFailures`` in milliseconds and a short outage fails
    the job; waiting rides it out without calling the service while it is open.
    """
    return PartitionWriter(send_batch, batch_size=batch_size, retry_on=tuple(retry_on),
                           attempts=attempts, timeout=timeout, wait_initial=wait_initial,
                           wait_max=wait_max, breaker=breaker, connect=connect,
                           wait_open=wait_open)
