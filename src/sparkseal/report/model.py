"""An application's run, folded from its event log: jobs, stages, tasks, failures, executors.

Why a fold of our own and not Spark's History Server: the report is one file built
offline, with no JVM. Only what the report shows is kept; every text field is kept
exactly as it is in the log (sealed tokens stay tokens; nothing here opens one).
Field names are Spark's ``JsonProtocol`` names (Spark 3 and 4 write the same ones).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    job_id: int
    submitted: int | None = None
    completed: int | None = None
    result: str = "RUNNING"
    """``JobSucceeded``, ``JobFailed`` or ``RUNNING`` (no end event in the log)."""
    description: str | None = None
    call_site: str | None = None
    stage_ids: list[int] = field(default_factory=list)
    sql_execution: str | None = None
    failure: str | None = None


@dataclass
class Stage:
    stage_id: int
    attempt: int
    name: str = ""
    num_tasks: int = 0
    submitted: int | None = None
    completed: int | None = None
    failure: str | None = None
    job_id: int | None = None
    durations_ms: list[int] = field(default_factory=list)
    """Durations of tasks that ended (any outcome), launch to finish."""
    tasks_failed: int = 0
    tasks_killed: int = 0
    memory_spill: int = 0
    disk_spill: int = 0
    shuffle_read: int = 0
    shuffle_write: int = 0
    input_bytes: int = 0
    output_bytes: int = 0

    @property
    def key(self) -> str:
        return f"{self.stage_id}.{self.attempt}"

    @property
    def status(self) -> str:
        if self.completed is None:
            return "running"
        return "failed" if self.failure is not None else "succeeded"

    @property
    def skew(self) -> float | None:
        """Longest task over the median task (1.0: even; large: one task does the work)."""
        if not self.durations_ms:
            return None
        median = statistics.median(self.durations_ms)
        return max(self.durations_ms) / median if median > 0 else None


@dataclass
class Failure:
    """A job, stage or task failure, its text as the log has it (sealed or not)."""

    kind: str
    where: str
    time: int | None
    reason: str
    message: str
    detail: str = ""


@dataclass
class ExecutorChange:
    time: int | None
    executor: str
    change: str
    detail: str = ""


@dataclass
class Run:
    """Everything the report shows about one application."""

    app_name: str | None = None
    app_id: str | None = None
    attempt: str | None = None
    user: str | None = None
    spark_version: str | None = None
    start: int | None = None
    end: int | None = None
    jobs: dict[int, Job] = field(default_factory=dict)
    stages: dict[tuple[int, int], Stage] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    executors: list[ExecutorChange] = field(default_factory=list)
    sql_descriptions: dict[str, str] = field(default_factory=dict)
    event_counts: dict[str, int] = field(default_factory=dict)

    @property
    def first_time(self) -> int | None:
        times = [t for t in self._times() if t is not None]
        return min(times) if times else None

    @property
    def last_time(self) -> int | None:
        times = [t for t in self._times() if t is not None]
        return max(times) if times else None

    def _times(self) -> Iterable[int | None]:
        yield self.start
        yield self.end
        for j in self.jobs.values():
            yield j.submitted
            yield j.completed
        for s in self.stages.values():
            yield s.submitted
            yield s.completed


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _task_failure(reason: dict[str, Any]) -> tuple[str, str, str]:
    """(reason, message, detail) of a Task End Reason that is not Success."""
    kind = _str(reason.get("Reason")) or "unknown"
    if kind == "ExceptionFailure":
        detail = _str(reason.get("Full Stack Trace")) or ""
        if not detail and isinstance(reason.get("Stack Trace"), list):
            detail = "\n".join(
                f"at {_str(f.get('Declaring Class')) or ''}.{_str(f.get('Method Name')) or ''}"
                for f in reason["Stack Trace"]
                if isinstance(f, dict)
            )
        name = _str(reason.get("Class Name")) or ""
        description = _str(reason.get("Description")) or ""
        return (f"{kind}: {name}" if name else kind), description, detail
    for key in ("Message", "Kill Reason", "Loss Reason", "Reason Description"):
        if _str(reason.get(key)):
            return kind, reason[key], ""
    if kind == "TaskCommitDenied":
        return kind, f"job {reason.get('Job ID')} partition {reason.get('Partition ID')}", ""
    return kind, "", ""


class RunBuilder:
    """Folds events, one at a time, into a :class:`Run` (unknown events are counted only)."""

    def __init__(self) -> None:
        self.run = Run()

    def _stage(self, info: dict[str, Any]) -> Stage:
        key = (_int(info.get("Stage ID")) or 0, _int(info.get("Stage Attempt ID")) or 0)
        stage = self.run.stages.get(key)
        if stage is None:
            stage = self.run.stages[key] = Stage(*key)
        stage.name = _str(info.get("Stage Name")) or stage.name
        stage.num_tasks = _int(info.get("Number of Tasks")) or stage.num_tasks
        stage.submitted = _int(info.get("Submission Time")) or stage.submitted
        stage.completed = _int(info.get("Completion Time")) or stage.completed
        if _str(info.get("Failure Reason")):
            stage.failure = info["Failure Reason"]
        return stage

    def add(self, event: dict[str, Any]) -> None:
        name = event["Event"]
        run = self.run
        run.event_counts[name] = run.event_counts.get(name, 0) + 1
        handler = getattr(self, "_" + name.rsplit(".", 1)[-1], None)
        if handler is not None:
            handler(event)

    def _SparkListenerLogStart(self, e: dict[str, Any]) -> None:
        self.run.spark_version = _str(e.get("Spark Version"))

    def _SparkListenerApplicationStart(self, e: dict[str, Any]) -> None:
        run = self.run
        run.app_name = _str(e.get("App Name"))
        run.app_id = _str(e.get("App ID"))
        run.attempt = _str(e.get("App Attempt ID"))
        run.user = _str(e.get("User"))
        run.start = _int(e.get("Timestamp"))

    def _SparkListenerApplicationEnd(self, e: dict[str, Any]) -> None:
        self.run.end = _int(e.get("Timestamp"))

    def _SparkListenerJobStart(self, e: dict[str, Any]) -> None:
        job_id = _int(e.get("Job ID"))
        if job_id is None:
            return
        props = _dict(e.get("Properties"))
        job = self.run.jobs.setdefault(job_id, Job(job_id))
        job.submitted = _int(e.get("Submission Time"))
        job.description = _str(props.get("spark.job.description"))
        job.call_site = _str(props.get("callSite.short"))
        job.sql_execution = _str(props.get("spark.sql.execution.id"))
        for info in e.get("Stage Infos") or []:
            if isinstance(info, dict):
                stage = self._stage(info)
                stage.job_id = job_id
                job.stage_ids.append(stage.stage_id)

    def _SparkListenerJobEnd(self, e: dict[str, Any]) -> None:
        job_id = _int(e.get("Job ID"))
        if job_id is None:
            return
        job = self.run.jobs.setdefault(job_id, Job(job_id))
        job.completed = _int(e.get("Completion Time"))
        result = _dict(e.get("Job Result"))
        job.result = _str(result.get("Result")) or "unknown"
        if job.result != "JobSucceeded":
            exc = _dict(result.get("Exception"))
            job.failure = _str(exc.get("Message")) or ""
            stack = exc.get("Stack Trace")
            detail = ""
            if isinstance(stack, list):
                detail = "\n".join(
                    f"at {_str(f.get('Declaring Class')) or ''}.{_str(f.get('Method Name')) or ''}"
                    for f in stack
                    if isinstance(f, dict)
                )
            self.run.failures.append(
                Failure("job", f"job {job_id}", job.completed, job.result, job.failure, detail)
            )

    def _SparkListenerStageSubmitted(self, e: dict[str, Any]) -> None:
        self._stage(_dict(e.get("Stage Info")))

    def _SparkListenerStageCompleted(self, e: dict[str, Any]) -> None:
        stage = self._stage(_dict(e.get("Stage Info")))
        if stage.failure is not None:
            self.run.failures.append(
                Failure(
                    "stage", f"stage {stage.key}", stage.completed, "stage failed", stage.failure
                )
            )

    def _SparkListenerTaskEnd(self, e: dict[str, Any]) -> None:
        key = (_int(e.get("Stage ID")) or 0, _int(e.get("Stage Attempt ID")) or 0)
        stage = self.run.stages.get(key) or self.run.stages.setdefault(key, Stage(*key))
        info = _dict(e.get("Task Info"))
        launch, finish = _int(info.get("Launch Time")), _int(info.get("Finish Time"))
        if launch is not None and finish is not None and finish >= launch:
            stage.durations_ms.append(finish - launch)
        metrics = _dict(e.get("Task Metrics"))
        stage.memory_spill += _int(metrics.get("Memory Bytes Spilled")) or 0
        stage.disk_spill += _int(metrics.get("Disk Bytes Spilled")) or 0
        read = _dict(metrics.get("Shuffle Read Metrics"))
        stage.shuffle_read += (_int(read.get("Remote Bytes Read")) or 0) + (
            _int(read.get("Local Bytes Read")) or 0
        )
        stage.shuffle_write += (
            _int(_dict(metrics.get("Shuffle Write Metrics")).get("Shuffle Bytes Written")) or 0
        )
        stage.input_bytes += _int(_dict(metrics.get("Input Metrics")).get("Bytes Read")) or 0
        stage.output_bytes += _int(_dict(metrics.get("Output Metrics")).get("Bytes Written")) or 0
        reason = _dict(e.get("Task End Reason"))
        kind = _str(reason.get("Reason")) or "Success"
        if kind == "Success":
            return
        if kind == "TaskKilled":
            stage.tasks_killed += 1
        else:
            stage.tasks_failed += 1
        label, message, detail = _task_failure(reason)
        where = (
            f"stage {stage.key}, task {info.get('Index')} attempt {info.get('Attempt')}"
            f" on executor {info.get('Executor ID')}"
        )
        self.run.failures.append(Failure("task", where, finish, label, message, detail))

    def _executor(self, e: dict[str, Any], change: str, detail: str = "") -> None:
        executor = _str(e.get("Executor ID")) or "?"
        self.run.executors.append(
            ExecutorChange(_int(e.get("Timestamp")), executor, change, detail)
        )

    def _SparkListenerExecutorAdded(self, e: dict[str, Any]) -> None:
        info = _dict(e.get("Executor Info"))
        cores = _int(info.get("Total Cores"))
        host = _str(info.get("Host")) or ""
        self._executor(e, "added", f"{host}, {cores} cores" if cores is not None else host)

    def _SparkListenerExecutorRemoved(self, e: dict[str, Any]) -> None:
        self._executor(e, "removed", _str(e.get("Removed Reason")) or "")

    def _SparkListenerExecutorExcluded(self, e: dict[str, Any]) -> None:
        self._executor(e, "excluded", f"{e.get('taskFailures')} task failures")

    def _SparkListenerExecutorUnexcluded(self, e: dict[str, Any]) -> None:
        self._executor(e, "unexcluded")

    def _SparkListenerSQLExecutionStart(self, e: dict[str, Any]) -> None:
        execution = e.get("executionId")
        if isinstance(execution, int | str) and _str(e.get("description")):
            self.run.sql_descriptions[str(execution)] = e["description"]


def build_run(events: Iterable[dict[str, Any]]) -> Run:
    """The :class:`Run` of an event stream (see :func:`sparkseal.report.eventlog.read_events`)."""
    builder = RunBuilder()
    for event in events:
        builder.add(event)
    return builder.run
