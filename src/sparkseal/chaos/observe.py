"""What Spark's status store saw during a run: failed and speculative task attempts,
executors lost and excluded. Why the status store: it is the driver's own record of every
attempt (the same data as the UI and event log), so a report can say the fault really
happened, not only that it was asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attempt:
    task: int
    status: str
    speculative: bool
    executor: str
    chaos: bool  # failed by an injected ChaosFault
    executor_lost: bool


@dataclass
class Snapshot:
    attempts: dict[int, Attempt] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)


def _opt(value: Any) -> str:
    return str(value.get()) if value.isDefined() else ""


def snapshot(spark: Any) -> Snapshot:
    """Every task attempt and executor the status store holds now (after the listener bus
    drained)."""
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(60_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    snap = Snapshot()
    for i in range(stages.size()):
        s = stages.apply(i)
        tasks = store.taskList(s.stageId(), s.attemptId(), 1_000_000)
        for j in range(tasks.size()):
            t = tasks.apply(j)
            error = _opt(t.errorMessage())
            snap.attempts[int(t.taskId())] = Attempt(
                int(t.taskId()), str(t.status()), bool(t.speculative()), str(t.executorId()),
                "ChaosFault" in error,
                "ExecutorLostFailure" in error or "exited" in error.split("\n", 1)[0],
            )
    executors = store.executorList(False)
    for i in range(executors.size()):
        e = executors.apply(i)
        if e.id() == "driver":
            continue
        if not e.isActive():
            snap.removed.add(str(e.id()))
        if e.isExcluded() or e.excludedInStages().size() > 0:
            snap.excluded.add(str(e.id()))
    return snap


@dataclass(frozen=True)
class Observed:
    """What happened between two snapshots."""

    failed_attempts: int
    chaos_failures: int
    executor_lost_failures: int
    speculative_attempts: int
    executors_removed: list[str]
    executors_excluded: list[str]

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot) -> Observed:
        new = [a for t, a in after.attempts.items() if t not in before.attempts]
        return cls(
            failed_attempts=sum(a.status == "FAILED" for a in new),
            chaos_failures=sum(a.chaos for a in new),
            executor_lost_failures=sum(a.executor_lost for a in new),
            speculative_attempts=sum(a.speculative for a in new),
            executors_removed=sorted(after.removed - before.removed),
            executors_excluded=sorted(after.excluded - before.excluded),
        )
