"""Faults as data: what to break, where, and how often -- picklable so the worker-side hook
can carry them into every task.

Why data and not callbacks: a fault run must be reproducible and printable. The choice of
which tasks a fault hits is a hash of (seed, injection point, partition), never a random
draw, so the same job with the same faults breaks the same tasks every time.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError


class FaultSpecError(SparkSealError, ValueError):
    """A fault spec (``KIND[:k=v,...]``) that does not parse or has invalid parameters."""


def chosen(seed: int, point: str, partition: int, share: float) -> bool:
    """Whether ``partition`` of ``point`` is in the ``share`` a fault hits (deterministic)."""
    if share >= 1.0:
        return True
    digest = hashlib.blake2b(f"{seed}:{point}:{partition}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


@dataclass(frozen=True)
class Fault:
    """Base of every fault; ``kind`` names it in specs, reports and docs."""

    kind: ClassVar[str] = ""
    needs_executors: ClassVar[bool] = False  # needs separate executor JVMs (not local[...])

    def spec(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in asdict(self).items())
        return f"{self.kind}:{args}" if args else self.kind


@dataclass(frozen=True)
class FailFirstAttempt(Fault):
    """Raise in the first attempt of a chosen ``share`` of tasks: Spark must retry them
    (needs ``spark.task.maxFailures`` > 1, e.g. ``local[2,3]``)."""

    kind: ClassVar[str] = "fail_first_attempt"
    share: float = 0.5
    seed: int = 0


@dataclass(frozen=True)
class SlowTasks(Fault):
    """Stall the first attempt of a chosen ``share`` of tasks for ``seconds``, so that
    speculation (when on) launches a copy."""

    kind: ClassVar[str] = "slow_tasks"
    share: float = 0.25
    seconds: float = 20.0
    seed: int = 0


@dataclass(frozen=True)
class KillExecutor(Fault):
    """SIGKILL the executor JVM running the first attempt of ``partition`` at an injection
    point, ``delay`` seconds into the task (mid-stage): Spark must reschedule its tasks and
    recompute its lost shuffle output."""

    kind: ClassVar[str] = "kill_executor"
    needs_executors: ClassVar[bool] = True
    partition: int = 0
    delay: float = 1.0


@dataclass(frozen=True)
class FailExecutor(Fault):
    """Fail every task attempt that runs on executor ``executor`` (a bad node): with
    ``spark.excludeOnFailure.enabled`` Spark excludes it and the job still finishes."""

    kind: ClassVar[str] = "fail_executor"
    needs_executors: ClassVar[bool] = True
    executor: str = "1"


@dataclass(frozen=True)
class FailingSink(Fault):
    """An external service behind :func:`sparkseal.sinks.partition_writer` is down for a
    while: in each Python worker process its first ``calls`` sends fail, and so does every
    send within ``for_seconds`` of the faulted run's start. The failures are retryable and
    count for the writer's circuit breaker, so it opens; nothing reaches the service."""

    kind: ClassVar[str] = "failing_sink"
    calls: int = 3
    for_seconds: float = 0.0


KINDS: dict[str, type[Fault]] = {
    f.kind: f for f in (FailFirstAttempt, SlowTasks, KillExecutor, FailExecutor, FailingSink)
}


def _convert(kind: str, name: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return value.lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except ValueError:
        raise FaultSpecError(coded(
            "SS985", f"fault {kind}: {name}= needs a {type(default).__name__}"
        )) from None
    return value


def _validate(fault: Fault) -> Fault:
    share = getattr(fault, "share", None)
    if share is not None and not 0.0 < share <= 1.0:
        raise FaultSpecError(coded("SS985", f"fault {fault.kind}: share must be in (0, 1]"))
    for name in ("seconds", "delay", "for_seconds"):
        value = getattr(fault, name, None)
        if value is not None and not 0.0 <= value <= 3600.0:
            raise FaultSpecError(coded(
                "SS985", f"fault {fault.kind}: {name} must be in [0, 3600]"
            ))
    if getattr(fault, "partition", 0) < 0:
        raise FaultSpecError(coded("SS985", f"fault {fault.kind}: partition must be >= 0"))
    if isinstance(fault, FailingSink) and (
        fault.calls < 0 or (fault.calls == 0 and fault.for_seconds == 0)
    ):
        raise FaultSpecError(coded(
            "SS985", "fault failing_sink: calls must be >= 0, and calls or for_seconds > 0"
        ))
    return fault


def parse(spec: str) -> Fault:
    """``KIND[:name=value,...]`` -> a fault, e.g. ``fail_first_attempt:share=0.5``."""
    kind, _, rest = spec.strip().partition(":")
    cls = KINDS.get(kind)
    if cls is None:
        raise FaultSpecError(coded(
            "SS985", f"unknown fault kind (known: {', '.join(sorted(KINDS))})"
        ))
    defaults = {k: v for k, v in asdict(cls()).items()}
    args: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        name, eq, value = item.partition("=")
        if not eq or name not in defaults:
            raise FaultSpecError(coded(
                "SS985",
                f"fault {kind}: unknown or malformed argument "
                f"(known: {', '.join(defaults) or 'none'})",
            ))
        args[name] = _convert(kind, name, value.strip(), defaults[name])
    return _validate(cls(**args))


__all__ = [
    "KINDS", "FailExecutor", "FailFirstAttempt", "FailingSink", "Fault", "FaultSpecError",
    "KillExecutor", "SlowTasks", "chosen", "parse",
]
