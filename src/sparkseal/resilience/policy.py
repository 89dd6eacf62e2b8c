"""``[resilience]``: exclusion on failure, speculation, retries and decommissioning.

Kept free of heavy imports: :mod:`sparkseal.core.policy` imports it for every policy.
Each field's default is the preset's value; docs/resilience.md gives the Spark default
it replaces and why.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_DURATION = re.compile(r"^[0-9]+(ms|s|m|min|h|d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeclaredSink(_Strict):
    """A sink the job writes to, declared so speculation can be judged (SS971)."""

    name: str
    idempotent: bool
    """True when writing the same rows twice leaves the target as if written once."""


def _duration(value: str | None) -> str | None:
    if value is not None and not _DURATION.match(value.strip()):
        raise ValueError(f"SS970: {value!r} is not a Spark duration such as 500ms, 30s, 1h")
    return value.strip() if value is not None else None


class ResiliencePolicy(_Strict):
    """Spark's failure tolerance (docs/resilience.md); on once the policy has the section."""

    exclude_on_failure: bool = True
    """spark.excludeOnFailure.enabled: stop scheduling on executors and nodes that keep
    failing tasks (not set on ``local[...]`` masters: one executor, see SS972)."""
    exclusion_timeout: str | None = None
    """spark.excludeOnFailure.timeout (Spark: 1h); how long an executor stays excluded."""
    max_task_attempts_per_executor: int = 1
    max_task_attempts_per_node: int = 2
    max_failed_tasks_per_executor_in_stage: int = 2
    max_failed_executors_per_node_in_stage: int = 2
    max_failed_tasks_per_executor: int = 2
    max_failed_executors_per_node: int = 2
    kill_excluded_executors: bool = False
    """spark.excludeOnFailure.killExcludedExecutors: kill (and so replace) excluded
    executors; needs a cluster manager that can start new ones."""
    exclude_on_fetch_failure: bool = False
    """spark.excludeOnFailure.application.fetchFailure.enabled."""

    speculation: bool = False
    """spark.speculation: refused with a declared non-idempotent sink (SS971)."""
    speculation_multiplier: float = 3.0
    speculation_quantile: float = 0.9
    speculation_min_task_runtime: str = "10s"

    task_max_failures: int = 6
    stage_max_consecutive_attempts: int = 8
    shuffle_fetch_retries: int = 6
    shuffle_fetch_retry_wait: str = "10s"

    decommission: bool = True
    """spark.decommission.enabled and block migration, on standalone, YARN and Kubernetes."""

    sinks: tuple[DeclaredSink, ...] = ()
    """The job's sinks (``{name = "...", idempotent = false}``); sparkseal.sinks' are
    idempotent and need no declaration."""

    _dur = field_validator("exclusion_timeout", "speculation_min_task_runtime",
                           "shuffle_fetch_retry_wait")(_duration)

    @model_validator(mode="after")
    def _consistent(self) -> ResiliencePolicy:
        ints = {
            "max_task_attempts_per_executor": self.max_task_attempts_per_executor,
            "max_task_attempts_per_node": self.max_task_attempts_per_node,
            "max_failed_tasks_per_executor_in_stage": self.max_failed_tasks_per_executor_in_stage,
            "max_failed_executors_per_node_in_stage": self.max_failed_executors_per_node_in_stage,
            "max_failed_tasks_per_executor": self.max_failed_tasks_per_executor,
            "max_failed_executors_per_node": self.max_failed_executors_per_node,
            "task_max_failures": self.task_max_failures,
            "stage_max_consecutive_attempts": self.stage_max_consecutive_attempts,
        }
        for name, value in ints.items():
            if value < 1:
                raise ValueError(f"SS970: {name} must be at least 1")
        if self.shuffle_fetch_retries < 0:
            raise ValueError("SS970: shuffle_fetch_retries must be 0 or more")
        if not 0 < self.speculation_quantile < 1:
            raise ValueError("SS970: speculation_quantile must be between 0 and 1")
        if self.speculation_multiplier < 1:
            raise ValueError("SS970: speculation_multiplier must be at least 1")
        if self.exclude_on_failure and self.max_task_attempts_per_node >= self.task_max_failures:
            # Spark's HealthTracker.validateExcludeOnFailureConfs refuses this at start:
            # a task excluded on its node after as many attempts as it may make never retries.
            raise ValueError(
                "SS970: max_task_attempts_per_node must be below task_max_failures "
                "(otherwise a task is excluded everywhere before its last attempt)"
            )
        names = [s.name for s in self.sinks]
        if len(set(names)) != len(names):
            raise ValueError("SS970: a sink name is declared twice in [resilience] sinks")
        return self

    def non_idempotent_sinks(self) -> list[str]:
        return [s.name for s in self.sinks if not s.idempotent]
