"""The worker-side hook: a pass-through ``mapInArrow`` at a named injection point that
applies the active faults to each task and hands every Arrow batch on unchanged.

Why ``mapInArrow``: it needs no UDF over the job's columns, keeps the schema exactly, and
runs in the Python worker where ``TaskContext`` tells the partition and attempt. The
rows pass through untouched, so a chaos run with no fault that fires produces exactly
the clean output (tests/chaos prove it). Outside a chaos run :func:`point` returns the
DataFrame itself: the job's plan is not changed at all.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sparkseal.chaos.executor import find_executor
from sparkseal.chaos.faults import (
    FailExecutor,
    FailFirstAttempt,
    Fault,
    KillExecutor,
    SlowTasks,
    chosen,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class ChaosFault(RuntimeError):
    """Raised by an injected failure; its message names the fault kind and nothing else."""


@dataclass
class _Active:
    on: bool = False
    token: str = ""
    faults: tuple[Fault, ...] = ()
    slowed: Any = None  # a Spark accumulator while a chaos run is active
    points: list[str] = field(default_factory=list)
    started: float = 0.0  # wall-clock start of the run (time.time(): executors compare it)


_STATE = _Active()


@contextmanager
def active(faults: Sequence[Fault], slowed: Any = None) -> Iterator[list[str]]:
    """Inject ``faults`` at every :func:`point` called inside the block (driver side); with
    no faults the points still add their pass-through stage (the differential test).
    Yields the list of point names used, so the runner knows whether the job had any."""
    previous = (_STATE.on, _STATE.faults, _STATE.slowed, _STATE.points, _STATE.token,
                _STATE.started)
    _STATE.on, _STATE.faults, _STATE.slowed, _STATE.points = True, tuple(faults), slowed, []
    _STATE.token, _STATE.started = uuid.uuid4().hex, time.time()
    try:
        yield _STATE.points
    finally:
        (_STATE.on, _STATE.faults, _STATE.slowed, _STATE.points, _STATE.token,
         _STATE.started) = previous


def _once(token: str, fault: Fault) -> bool:
    """True the first time on this host for this run: a kill must not repeat when Spark
    re-runs the stage (no stage attempt number in PySpark). A marker file created with
    O_EXCL in the temp directory; hosts do not share it, so on a multi-host cluster the
    fault fires at most once per host."""
    marker = Path(tempfile.gettempdir()) / f"sparkseal-chaos-{token}-{fault.kind}"
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


def _apply(faults: tuple[Fault, ...], name: str, slowed: Any, token: str) -> None:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is None:
        return
    part = ctx.partitionId()
    # PySpark's TaskContext has no stage attempt number: a retried stage's first task
    # attempts count as first again (a failure fault may fire once more there; harmless).
    first = ctx.attemptNumber() == 0
    for f in faults:
        if isinstance(f, FailFirstAttempt) and first and chosen(f.seed, name, part, f.share):
            raise ChaosFault("sparkseal chaos: injected failure (fail_first_attempt)")
        if isinstance(f, SlowTasks) and first and chosen(f.seed, name, part, f.share):
            if slowed is not None:
                slowed.add(1)
            time.sleep(f.seconds)
        if isinstance(f, FailExecutor):
            proc = find_executor()
            if proc is not None and proc.executor_id == f.executor:
                raise ChaosFault("sparkseal chaos: injected failure (fail_executor)")
        if isinstance(f, KillExecutor) and first and part == f.partition:
            proc = find_executor()
            if proc is not None and _once(token, f):
                time.sleep(f.delay)
                os.kill(proc.pid, signal.SIGKILL)
                time.sleep(5)
                os._exit(1)  # the worker dies with its executor; never go on


def _hook(faults: tuple[Fault, ...], name: str, slowed: Any, token: str) -> Any:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        _apply(faults, name, slowed, token)
        yield from batches

    return run


def point(df: DataFrame, name: str = "output") -> DataFrame:
    """Mark an injection point in a job: ``df`` itself outside a chaos run; inside one, a
    pass-through stage whose tasks the active faults hit. Put it where a failure hurts most
    (before a shuffle, in the write stage); name it so the choice of tasks is stable."""
    if not _STATE.on:
        return df
    _STATE.points.append(name)
    return df.mapInArrow(_hook(_STATE.faults, name, _STATE.slowed, _STATE.token), df.schema)
