"""``[metrics]`` registers the JVM listeners, next to the user's and the sealed event log's."""

from __future__ import annotations

from pathlib import Path

from sparkseal.conf import (
    METRICS_LISTENER,
    SEALED_EVENT_LOG_LISTENER,
    STREAMING_METRICS_LISTENER,
    jvm_conf,
)
from sparkseal.core.policy import load_policy


def _policy(policy_file: Path, metrics: bool):
    doc: dict = {"seal": {"public_key": str(policy_file.parent / "sparkseal.pub")}}
    if metrics:
        doc["metrics"] = {"job": "nightly"}
    return load_policy(doc)


def test_listeners_are_appended_to_the_users(policy_file: Path) -> None:
    options = {
        "spark.extraListeners": "com.example.Mine",
        "spark.sql.streaming.streamingQueryListeners": "com.example.Stream",
        "spark.eventLog.enabled": "true",
    }
    conf = jvm_conf(_policy(policy_file, True), options)
    assert conf["spark.extraListeners"].split(",") == [
        "com.example.Mine",
        METRICS_LISTENER,
        SEALED_EVENT_LOG_LISTENER,
    ]
    assert conf["spark.sql.streaming.streamingQueryListeners"].split(",") == [
        "com.example.Stream",
        STREAMING_METRICS_LISTENER,
    ]


def test_no_listener_without_metrics(policy_file: Path) -> None:
    conf = jvm_conf(_policy(policy_file, False), {})
    assert METRICS_LISTENER not in conf.get("spark.extraListeners", "")
    assert "spark.sql.streaming.streamingQueryListeners" not in conf
