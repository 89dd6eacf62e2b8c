"""``partition_writer``: send a partition's rows to an external service, safely.

The seed's ``foreachRDD`` lesson: one connection per partition, never per record, and
rows sent in batches. Each batch send is retried with :mod:`stamina` (only the listed
exceptions, jittered exponential backoff, caps on attempts and total time) and guarded
by a :mod:`pybreaker` circuit breaker.

The breaker's state lives in **one Python worker process**: Spark runs the writer in
many processes on many executors and they share nothing. A breaker that opens fails
its task fast (SS978); Spark then retries the task (``spark.task.maxFailures``),
possibly on another executor, whose breaker has its own count. So the load on a dead
service is bounded by ``fail_max`` calls per worker process per ``reset_timeout``,
not by one global count (docs/resilience.md).
"""

from __future__ import annotations

import threading
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


def _breaker(spec: Breaker, retry_on: tuple[type[BaseException], ...]) -> Any:
    import pybreaker

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
                 connect: Callable[[], Any] | None) -> None:
        if batch_size < 1 or attempts < 1 or timeout <= 0:
            raise SinkError(coded("SS975", "batch_size and attempts must be >= 1, timeout > 0"))
        if not retry_on or not all(
            isinstance(t, type) and issubclass(t, BaseException) for t in retry_on
        ):
            raise SinkError(coded("SS975", "retry_on must list exception classes"))
        self.send_batch, self.batch_size = send_batch, batch_size
        self.retry_on, self.attempts, self.timeout = tuple(retry_on), attempts, timeout
        self.wait_initial, self.wait_max = wait_initial, wait_max
        self.breaker, self.connect = breaker, connect

    def _retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, self.retry_on) and not isinstance(exc, SinkError)

    def _send(self, session: Any, batch: list[Any]) -> None:
        import pybreaker
        import stamina

        args = (session, batch) if self.connect is not None else (batch,)
        cb = _breaker(self.breaker, self.retry_on) if self.breaker is not None else None
        try:
            for attempt in stamina.retry_context(
                on=self._retryable, attempts=self.attempts, timeout=self.timeout,
                wait_initial=self.wait_initial, wait_max=self.wait_max,
            ):
                with attempt:
                    try:
                        if cb is not None:
                            cb.call(self.send_batch, *args)
                        else:
                            self.send_batch(*args)
                    except pybreaker.CircuitBreakerError:
                        raise CircuitOpenError(coded(
                            "SS978", f"circuit {cb.name!r} is open: the service failed "
                                     f"{cb.fail_max} times in a row in this worker; failing "
                                     "the task instead of calling it again")) from None
        except self.retry_on as exc:
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
) -> PartitionWriter:
    """A function for ``df.foreachPartition`` (or inside ``foreachBatch``).

    ``send_batch(batch)`` -- or ``send_batch(session, batch)`` with ``connect`` -- sends
    up to ``batch_size`` rows; ``connect()`` opens one session per partition (closed at
    the end if it has ``close()``). Only ``retry_on`` exceptions are retried. Exactly-once
    needs an idempotent ``send_batch`` (e.g. an upsert by key): Spark retries tasks.
    """
    return PartitionWriter(send_batch, batch_size=batch_size, retry_on=tuple(retry_on),
                           attempts=attempts, timeout=timeout, wait_initial=wait_initial,
                           wait_max=wait_max, breaker=breaker, connect=connect)
