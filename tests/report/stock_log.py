"""A small stock (unsealed) Spark event log, written by hand from real event JSON.

The events have the fields and nesting Spark 4's ``JsonProtocol`` writes (copied from a
real log and cut down); the text fields carry what the test plants: canaries and an
HTML/JS injection in a job description, a task failure and a job failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

T0 = 1_796_000_000_000
# Planted in job descriptions: if any of it reached the page as markup, the image's handler
# would retitle the page and the script would log to the console (both are checked).
INJECTION = (
    "</script><img src=x onerror=\"document.title='pwned'\">"
    "<script>console.error('injected')</script>"
)
APP_ID = "local-1796000000000"


def _stage_info(stage_id: int, name: str, tasks: int, **extra: Any) -> dict[str, Any]:
    return {
        "Stage ID": stage_id,
        "Stage Attempt ID": 0,
        "Stage Name": name,
        "Number of Tasks": tasks,
        "RDD Info": [],
        "Parent IDs": [],
        "Details": "",
        "Accumulables": [],
        "Resource Profile Id": 0,
        "Shuffle Push Enabled": False,
        "Shuffle Push Mergers Count": 0,
        **extra,
    }


def _task_end(
    stage_id: int,
    index: int,
    attempt: int,
    launch: int,
    ms: int,
    reason: dict[str, Any],
    spill: int = 0,
    shuffle_write: int = 0,
) -> dict[str, Any]:
    return {
        "Event": "SparkListenerTaskEnd",
        "Stage ID": stage_id,
        "Stage Attempt ID": 0,
        "Task Type": "ResultTask",
        "Task End Reason": reason,
        "Task Info": {
            "Task ID": stage_id * 100 + index * 10 + attempt,
            "Index": index,
            "Attempt": attempt,
            "Partition ID": index,
            "Launch Time": launch,
            "Executor ID": "driver",
            "Host": "localhost",
            "Locality": "PROCESS_LOCAL",
            "Speculative": False,
            "Getting Result Time": 0,
            "Finish Time": launch + ms,
            "Failed": reason["Reason"] != "Success",
            "Killed": False,
            "Accumulables": [],
        },
        "Task Executor Metrics": {},
        "Task Metrics": {
            "Executor Deserialize Time": 1,
            "Executor Run Time": ms - 2,
            "Result Size": 1500,
            "JVM GC Time": 0,
            "Memory Bytes Spilled": spill * 4,
            "Disk Bytes Spilled": spill,
            "Shuffle Read Metrics": {
                "Remote Blocks Fetched": 0,
                "Local Blocks Fetched": 0,
                "Fetch Wait Time": 0,
                "Remote Bytes Read": 0,
                "Local Bytes Read": 0,
                "Total Records Read": 0,
            },
            "Shuffle Write Metrics": {
                "Shuffle Bytes Written": shuffle_write,
                "Shuffle Write Time": 1000,
                "Shuffle Records Written": 10,
            },
            "Input Metrics": {"Bytes Read": 0, "Records Read": 0},
            "Output Metrics": {"Bytes Written": 0, "Records Written": 0},
            "Updated Blocks": [],
        },
    }


def events(description: str, task_message: str, job_message: str) -> list[dict[str, Any]]:
    """A run: job 0 (two stages, skewed, spilling) succeeds; job 1 fails in its task."""
    failure = {
        "Reason": "ExceptionFailure",
        "Class Name": "org.apache.spark.api.python.PythonException",
        "Description": task_message,
        "Stack Trace": [
            {
                "Declaring Class": "org.apache.spark.api.python.BasePythonRunner",
                "Method Name": "handlePythonException",
                "File Name": "PythonRunner.scala",
                "Line Number": 600,
            }
        ],
        "Full Stack Trace": f"org.apache.spark.api.python.PythonException: {task_message}",
        "Accumulator Updates": [],
    }
    ok = {"Reason": "Success"}
    return [
        {"Event": "SparkListenerLogStart", "Spark Version": "4.3.0"},
        {
            "Event": "SparkListenerResourceProfileAdded",
            "Resource Profile Id": 0,
            "Executor Resource Requests": {},
            "Task Resource Requests": {},
        },
        {
            "Event": "SparkListenerExecutorAdded",
            "Timestamp": T0 + 100,
            "Executor ID": "driver",
            "Executor Info": {
                "Host": "localhost",
                "Total Cores": 2,
                "Log Urls": {},
                "Attributes": {},
                "Resources": {},
                "Resource Profile Id": 0,
            },
        },
        {
            "Event": "SparkListenerApplicationStart",
            "App Name": "stock-app",
            "App ID": APP_ID,
            "Timestamp": T0,
            "User": "spark",
        },
        {
            "Event": "SparkListenerJobStart",
            "Job ID": 0,
            "Submission Time": T0 + 1000,
            "Stage Infos": [
                _stage_info(0, "count at <stdin>:1", 2),
                _stage_info(1, "count at <stdin>:1", 4),
            ],
            "Stage IDs": [0, 1],
            "Properties": {"spark.job.description": "skewed sort", "callSite.short": "count"},
        },
        {
            "Event": "SparkListenerStageSubmitted",
            "Stage Info": _stage_info(0, "count at <stdin>:1", 2, **{"Submission Time": T0 + 1010}),
            "Properties": {},
        },
        _task_end(0, 0, 0, T0 + 1020, 400, ok, shuffle_write=300_000),
        _task_end(0, 1, 0, T0 + 1020, 420, ok, shuffle_write=310_000),
        {
            "Event": "SparkListenerStageCompleted",
            "Stage Info": _stage_info(
                0,
                "count at <stdin>:1",
                2,
                **{"Submission Time": T0 + 1010, "Completion Time": T0 + 1450},
            ),
        },
        {
            "Event": "SparkListenerStageSubmitted",
            "Stage Info": _stage_info(1, "count at <stdin>:1", 4, **{"Submission Time": T0 + 1460}),
            "Properties": {},
        },
        _task_end(1, 0, 0, T0 + 1470, 2400, ok, spill=1_000_000),
        _task_end(1, 1, 0, T0 + 1470, 150, ok),
        _task_end(1, 2, 0, T0 + 1630, 160, ok),
        _task_end(1, 3, 0, T0 + 1800, 140, ok),
        {
            "Event": "SparkListenerStageCompleted",
            "Stage Info": _stage_info(
                1,
                "count at <stdin>:1",
                4,
                **{"Submission Time": T0 + 1460, "Completion Time": T0 + 3900},
            ),
        },
        {
            "Event": "SparkListenerJobEnd",
            "Job ID": 0,
            "Completion Time": T0 + 3910,
            "Job Result": {"Result": "JobSucceeded"},
        },
        {
            "Event": "SparkListenerJobStart",
            "Job ID": 1,
            "Submission Time": T0 + 4000,
            "Stage Infos": [_stage_info(2, "count at <stdin>:2", 2)],
            "Stage IDs": [2],
            "Properties": {"spark.job.description": description},
        },
        {
            "Event": "SparkListenerStageSubmitted",
            "Stage Info": _stage_info(2, "count at <stdin>:2", 2, **{"Submission Time": T0 + 4010}),
            "Properties": {"spark.job.description": description},
        },
        _task_end(2, 0, 0, T0 + 4020, 300, ok),
        _task_end(2, 1, 0, T0 + 4020, 200, failure),
        _task_end(2, 1, 1, T0 + 4230, 100, failure),
        {
            "Event": "SparkListenerStageCompleted",
            "Stage Info": _stage_info(
                2,
                "count at <stdin>:2",
                2,
                **{
                    "Submission Time": T0 + 4010,
                    "Completion Time": T0 + 4340,
                    "Failure Reason": f"Job aborted due to stage failure: {task_message}",
                },
            ),
        },
        {
            "Event": "SparkListenerJobEnd",
            "Job ID": 1,
            "Completion Time": T0 + 4350,
            "Job Result": {
                "Result": "JobFailed",
                "Exception": {"Message": job_message, "Stack Trace": []},
            },
        },
        {
            "Event": "SparkListenerExecutorRemoved",
            "Timestamp": T0 + 4400,
            "Executor ID": "1",
            "Removed Reason": "worker lost",
        },
        {"Event": "SparkListenerApplicationEnd", "Timestamp": T0 + 4500},
    ]


def log_bytes(evs: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e) + "\n" for e in evs).encode("utf-8")


def write_log(path: Path, evs: list[dict[str, Any]]) -> Path:
    path.write_bytes(log_bytes(evs))
    return path
