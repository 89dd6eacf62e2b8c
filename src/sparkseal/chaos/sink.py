"""The ``failing_sink`` fault: an outage of the external service behind
:func:`sparkseal.sinks.partition_writer`, and a record of what its circuit breaker did.

Why inside the writer and not a stage of the plan: the service is called from the
writer's own code (``foreachPartition``), after the last stage; the only place to break
that call is where the writer makes it. The writer captures the active faults when Spark
pickles it on the driver (inside a chaos run) and, in the worker, asks :func:`outage`
before each send. An injected outage raises :class:`SinkOutage`, which the writer always
treats as a retryable service failure (it retries it and its breaker counts it), so the
breaker opens exactly as it would for a real outage.

What the breakers did is written by each worker process to one small file per process
in the host's temp directory (``sparkseal-chaos-<run token>/``), read back by the driver
after the run (:func:`read_events`). Breaker state lives in Python worker processes, and
a failed task's worker exits (PySpark does not reuse it), so an accumulator would lose
the failed attempts. Like the once-only kill marker, the files are per host: on a
multi-host cluster the driver sees the events of its own host only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparkseal.chaos.faults import FailingSink
from sparkseal.chaos.inject import _STATE, ChaosFault

EVENTS = ("injected", "open", "half-open", "closed", "rejected")


class SinkOutage(ChaosFault, ConnectionError):
    """An injected outage of an external service (retryable: a ``ConnectionError``)."""


@dataclass(frozen=True)
class SinkPlan:
    """The active ``failing_sink`` faults of one chaos run, as a writer carries them."""

    faults: tuple[FailingSink, ...]
    token: str
    started: float  # time.time() on the driver when the run started


def capture() -> SinkPlan | None:
    """The active ``failing_sink`` faults (driver side), or None outside a chaos run."""
    if not _STATE.on:
        return None
    faults = tuple(f for f in _STATE.faults if isinstance(f, FailingSink))
    return SinkPlan(faults, _STATE.token, _STATE.started) if faults else None


def _dir(token: str) -> Path:
    return Path(tempfile.gettempdir()) / f"sparkseal-chaos-{token}"


def record(plan: SinkPlan, event: str) -> None:
    """Append ``event`` to this process's event file (never fails the send)."""
    try:
        d = _dir(plan.token)
        d.mkdir(mode=0o700, exist_ok=True)
        with (d / f"{os.getpid()}.events").open("a") as fh:
            fh.write(event + "\n")
    except OSError:
        pass


_sends: Counter = Counter()  # sends made in this process, per run token


def outage(plan: SinkPlan) -> None:
    """Raise :class:`SinkOutage` when this send falls inside an injected outage."""
    _sends[plan.token] += 1
    n = _sends[plan.token]
    for f in plan.faults:
        if n <= f.calls or time.time() - plan.started < f.for_seconds:
            record(plan, "injected")
            raise SinkOutage("sparkseal chaos: injected failure (failing_sink)")


def watch(cb: Any, plan: SinkPlan) -> None:
    """Record ``cb``'s state changes for this run (once per breaker and run)."""
    import pybreaker

    tokens: set[str] = cb.__dict__.setdefault("_sparkseal_chaos_tokens", set())
    if plan.token in tokens:
        return
    tokens.add(plan.token)

    class Listener(pybreaker.CircuitBreakerListener):
        def state_change(self, cb: Any, old_state: Any, new_state: Any) -> None:
            record(plan, str(getattr(new_state, "name", new_state)))

    cb.add_listener(Listener())


@dataclass(frozen=True)
class SinkEvents:
    """What the breakers of one run did: totals and the number of worker processes."""

    counts: dict[str, int]
    processes: int

    def get(self, event: str) -> int:
        return self.counts.get(event, 0)


def read_events(token: str, *, remove: bool = True) -> SinkEvents:
    """Sum the event files of run ``token`` on this host; delete them (``remove``)."""
    d = _dir(token)
    counts: Counter = Counter()
    files = sorted(d.glob("*.events")) if d.is_dir() else []
    for f in files:
        counts.update(line for line in f.read_text().splitlines() if line in EVENTS)
    if remove:
        shutil.rmtree(d, ignore_errors=True)
    return SinkEvents({e: counts[e] for e in EVENTS}, len(files))


__all__ = ["SinkEvents", "SinkOutage", "SinkPlan", "capture", "outage", "read_events",
           "record", "watch"]
