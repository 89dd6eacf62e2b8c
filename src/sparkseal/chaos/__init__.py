"""Fault injection that proves correctness: break a Spark job on purpose (failed first
attempts, slow tasks, a killed executor, a bad executor) and show that its output is still
exactly the clean run's (row count and an order-independent checksum, keys exactly once).

>>> from sparkseal import chaos
>>> report = chaos.run_chaos(spark, job, [chaos.parse("fail_first_attempt:share=0.5")])
>>> report.ok
True

See docs/resilience.md (Fault injection) and ``sparkseal chaos run --help``.
"""

from sparkseal.chaos.compare import Fingerprint, fingerprint, new_salt
from sparkseal.chaos.faults import (
    KINDS,
    FailExecutor,
    FailFirstAttempt,
    FailingSink,
    Fault,
    FaultSpecError,
    KillExecutor,
    SlowTasks,
    parse,
)
from sparkseal.chaos.inject import ChaosFault, active, point
from sparkseal.chaos.observe import Observed, snapshot
from sparkseal.chaos.run import ChaosError, ChaosReport, load_job, run_chaos
from sparkseal.chaos.sink import SinkOutage
from sparkseal.chaos.stream import RestartOutcome, crash_after, restart_from_checkpoint

__all__ = [
    "KINDS", "ChaosError", "ChaosFault", "ChaosReport", "FailExecutor", "FailFirstAttempt",
    "FailingSink", "Fault", "FaultSpecError", "Fingerprint", "KillExecutor", "Observed",
    "RestartOutcome", "SinkOutage", "SlowTasks", "active", "crash_after", "fingerprint",
    "load_job", "new_salt", "parse", "point", "restart_from_checkpoint", "run_chaos", "snapshot",
]
