"""A chaos run: the job clean, then the same job with faults, in one Spark application;
both outputs fingerprinted and compared, and the status store asked whether each fault
really happened.

The job contract (``sparkseal chaos run JOB.py``): ``JOB.py`` defines
``main(spark) -> DataFrame`` returning the job's output, built from the same inputs each
time it is called. Optional: ``KEY`` (a column name or a list of them) that must be
unique in the output (checked exactly-once), and :func:`sparkseal.chaos.point` calls
inside ``main`` where faults should hit; without any, the output DataFrame is the point.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sparkseal.chaos.compare import Fingerprint, fingerprint, new_salt
from sparkseal.chaos.faults import (
    FailExecutor,
    FailFirstAttempt,
    FailingSink,
    Fault,
    KillExecutor,
    SlowTasks,
)
from sparkseal.chaos.inject import _STATE, active, point
from sparkseal.chaos.observe import Observed, snapshot
from sparkseal.chaos.sink import SinkEvents, read_events
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Job = Callable[["SparkSession"], "DataFrame"]


class ChaosError(SparkSealError):
    """A chaos run that cannot start (job not loadable, fault unsuitable for the master)."""


@dataclass
class ChaosReport:
    """The outcome: ``ok`` when every fault happened and the outputs are equal."""

    faults: list[str]
    clean: Fingerprint
    faulted: Fingerprint | None
    observed: Observed | None
    happened: dict[str, bool] = field(default_factory=dict)
    faulted_error: str | None = None  # the faulted run's exception type, if it failed
    findings: list[str] = field(default_factory=list)
    # failing_sink: what the writers' breakers did (event -> count, on the driver's host)
    sink: dict[str, int] | None = None

    @property
    def equal(self) -> bool:
        return self.faulted is not None and (
            self.clean.rows, self.clean.checksum) == (self.faulted.rows, self.faulted.checksum)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "equal": self.equal, "faults": self.faults,
            "clean": asdict(self.clean),
            "faulted": asdict(self.faulted) if self.faulted else None,
            "observed": asdict(self.observed) if self.observed else None,
            "happened": self.happened, "faulted_error": self.faulted_error,
            "findings": self.findings, "sink": self.sink,
        }


def load_job(path: str | Path) -> tuple[Job, list[str] | None]:
    """``main`` and ``KEY`` of a job file; raises :class:`ChaosError` (SS986) otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ChaosError(coded("SS986", f"job file not found: {p}"))
    spec = importlib.util.spec_from_file_location(f"sparkseal_chaos_job_{p.stem}", p)
    if spec is None or spec.loader is None:
        raise ChaosError(coded("SS986", f"not a Python file: {p}"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the job's own code: report the type only, never its text
        raise ChaosError(coded(
            "SS986", f"importing {p.name} raised {type(exc).__name__}"
        )) from None
    main = getattr(module, "main", None)
    if not callable(main):
        raise ChaosError(coded("SS986", f"{p.name} defines no main(spark) -> DataFrame"))
    key = getattr(module, "KEY", None)
    keys = [key] if isinstance(key, str) else (list(key) if key else None)
    return main, keys


def check_master(faults: Sequence[Fault], master: str) -> None:
    """Refuse (SS987) faults that need executor JVMs on a ``local[...]`` master."""
    local = master == "local" or master.startswith("local[")
    for f in faults:
        if f.needs_executors and local:
            raise ChaosError(coded(
                "SS987",
                f"fault {f.kind} needs separate executor JVMs: use local-cluster[2,1,1024], "
                "a standalone or another cluster master, not local[...]",
            ))


def _happened(f: Fault, seen: Observed, slowed: int, sink: SinkEvents | None) -> bool:
    if isinstance(f, FailingSink):
        return sink is not None and sink.get("injected") > 0
    if isinstance(f, FailFirstAttempt | FailExecutor):
        return seen.chaos_failures > 0
    if isinstance(f, SlowTasks):
        return slowed > 0 or seen.speculative_attempts > 0
    if isinstance(f, KillExecutor):
        return bool(seen.executors_removed) or seen.executor_lost_failures > 0
    return False


def run_chaos(
    spark: SparkSession, job: Job, faults: Sequence[Fault], *, key: Sequence[str] | None = None
) -> ChaosReport:
    """Run ``job`` clean, then with ``faults``; compare fingerprints; judge each fault."""
    check_master(faults, spark.sparkContext.master)
    salt = new_salt()  # one per run, never written: the checksums compare, guess nothing
    clean = fingerprint(job(spark), key, salt=salt)
    before = snapshot(spark)
    slowed = spark.sparkContext.accumulator(0)
    faulted: Fingerprint | None = None
    error = None
    token = ""
    try:
        with active(faults, slowed) as points:
            token = _STATE.token
            df = job(spark)
            if not points:
                df = point(df)
            faulted = fingerprint(df, key, salt=salt)
    except Exception as exc:  # the faulted run failed: report its type, never its text
        error = type(exc).__name__
    seen = Observed.between(before, snapshot(spark))
    sink = None
    if token and any(isinstance(f, FailingSink) for f in faults):
        sink = read_events(token)
    report = ChaosReport(
        faults=[f.spec() for f in faults], clean=clean, faulted=faulted, observed=seen,
        faulted_error=error,
        sink={**sink.counts, "processes": sink.processes} if sink is not None else None,
    )
    for f in faults:
        report.happened[f.spec()] = _happened(f, seen, int(slowed.value), sink)
        if not report.happened[f.spec()]:
            report.findings.append(coded("SS989", f"fault {f.spec()} did not happen"))
    if error is not None:
        report.findings.append(coded("SS988", f"the faulted run failed ({error})"))
    elif not report.equal:
        report.findings.append(coded(
            "SS988", "the faulted output differs from the clean output (count or checksum)"
        ))
    for name, fp in (("clean", clean), ("faulted", faulted)):
        if fp is not None and fp.duplicate_keys:
            report.findings.append(coded(
                "SS990", f"{fp.duplicate_keys} keys occur more than once in the {name} output"
            ))
    return report
