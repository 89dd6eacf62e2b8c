"""The Spark conf a ``[resilience]`` section turns into.

Why here and not in the user's builder: the settings depend on each other (exclusion
thresholds vs ``spark.task.maxFailures``) and on the master (exclusion is harmful on a
one-executor local master; decommissioning needs a cluster manager), and speculation
is only safe with idempotent sinks. An explicit builder setting still wins (``harden``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

from sparkseal.core.codes import coded
from sparkseal.core.errors import PolicyError
from sparkseal.resilience.policy import ResiliencePolicy

DEFAULT_MASTER = "local[*]"


def is_local(master: str) -> bool:
    """``local``/``local[...]``: one executor in the driver (``local-cluster`` is not)."""
    return master == "local" or master.startswith("local[")


def supports_decommission(master: str) -> bool:
    """Standalone (incl. ``local-cluster``), YARN and Kubernetes decommission executors."""
    return master.startswith(("spark://", "local-cluster[", "yarn", "k8s://"))


def refuse_speculation(policy: ResiliencePolicy) -> None:
    """SS971: speculation with a declared non-idempotent sink would write twice."""
    bad = policy.non_idempotent_sinks()
    if policy.speculation and bad:
        raise PolicyError(coded(
            "SS971",
            f"[resilience] speculation = true is refused: sink(s) {', '.join(sorted(bad))} "
            "are declared idempotent = false. Speculation runs a second copy of a slow task "
            "and both copies write, so a non-idempotent sink writes twice (SPARK-9899: Spark "
            "disables direct output committers under speculation; SPARK-28650: foreachBatch "
            "is at-least-once). Write through sparkseal.sinks (idempotent by batch id), or "
            "set speculation = false.",
        ))


def resilience_conf(policy: ResiliencePolicy, master: str = DEFAULT_MASTER) -> dict[str, str]:
    """The Spark conf of ``policy`` on ``master``; raises SS971 (speculation refusal)."""
    refuse_speculation(policy)
    conf: dict[str, str] = {
        "spark.task.maxFailures": str(policy.task_max_failures),
        "spark.stage.maxConsecutiveAttempts": str(policy.stage_max_consecutive_attempts),
        "spark.shuffle.io.maxRetries": str(policy.shuffle_fetch_retries),
        "spark.shuffle.io.retryWait": policy.shuffle_fetch_retry_wait,
        "spark.speculation": "true" if policy.speculation else "false",
    }
    if policy.speculation:
        conf["spark.speculation.multiplier"] = repr(float(policy.speculation_multiplier))
        conf["spark.speculation.quantile"] = repr(float(policy.speculation_quantile))
        conf["spark.speculation.minTaskRuntime"] = policy.speculation_min_task_runtime
    if policy.exclude_on_failure and is_local(master):
        warnings.warn(coded(
            "SS972",
            "[resilience] exclude_on_failure is not set on a local master: its one executor, "
            "once excluded, would leave a retried task nowhere to run",
        ), stacklevel=2)
    elif policy.exclude_on_failure:
        conf.update({
            "spark.excludeOnFailure.enabled": "true",
            "spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor":
                str(policy.max_task_attempts_per_executor),
            "spark.excludeOnFailure.task.maxTaskAttemptsPerNode":
                str(policy.max_task_attempts_per_node),
            "spark.excludeOnFailure.stage.maxFailedTasksPerExecutor":
                str(policy.max_failed_tasks_per_executor_in_stage),
            "spark.excludeOnFailure.stage.maxFailedExecutorsPerNode":
                str(policy.max_failed_executors_per_node_in_stage),
            "spark.excludeOnFailure.application.maxFailedTasksPerExecutor":
                str(policy.max_failed_tasks_per_executor),
            "spark.excludeOnFailure.application.maxFailedExecutorsPerNode":
                str(policy.max_failed_executors_per_node),
            "spark.excludeOnFailure.killExcludedExecutors":
                "true" if policy.kill_excluded_executors else "false",
            "spark.excludeOnFailure.application.fetchFailure.enabled":
                "true" if policy.exclude_on_fetch_failure else "false",
        })
        if policy.exclusion_timeout:
            conf["spark.excludeOnFailure.timeout"] = policy.exclusion_timeout
    if policy.decommission and supports_decommission(master):
        conf.update({
            "spark.decommission.enabled": "true",
            "spark.storage.decommission.enabled": "true",
            "spark.storage.decommission.shuffleBlocks.enabled": "true",
            "spark.storage.decommission.rddBlocks.enabled": "true",
        })
    elif policy.decommission and not is_local(master):
        warnings.warn(coded(
            "SS972",
            "[resilience] decommission is not set: the master's cluster manager does not "
            "decommission executors (standalone, YARN and Kubernetes do)",
        ), stacklevel=2)
    return conf


def preset_for(policy: object, options: Mapping[str, str]) -> dict[str, str]:
    """The resilience conf of a loaded :class:`~sparkseal.core.policy.Policy` (empty
    without a ``[resilience]`` section)."""
    section = getattr(policy, "resilience", None)
    if section is None:
        return {}
    return resilience_conf(section, str(options.get("spark.master", DEFAULT_MASTER)))
