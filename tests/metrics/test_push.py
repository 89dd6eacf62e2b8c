"""A Pushgateway that is down: reported with SS901, never raised, credentials never shown."""

from __future__ import annotations

import logging
import socket
import uuid
from pathlib import Path

import pytest

from sparkseal.core.policy import load_policy
from sparkseal.metrics.exporter import MetricsExporter, strip_credentials


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_failed_push_is_reported_without_credentials(
    policy_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    url = f"http://pushuser:{password}@127.0.0.1:{_closed_port()}"
    policy = load_policy(
        {
            "seal": {"public_key": str(policy_file.parent / "sparkseal.pub")},
            "metrics": {"job": "nightly", "pushgateway": url, "push_timeout_seconds": 2},
        }
    )
    exporter = MetricsExporter.from_policy(policy)
    assert exporter is not None
    with caplog.at_level(logging.WARNING, logger="sparkseal.metrics"):
        assert exporter.push() is False  # no exception
    text = caplog.text
    assert "SS901" in text
    assert password not in text and "pushuser" not in text
    assert "127.0.0.1" in text


def test_strip_credentials() -> None:
    assert strip_credentials("http://u:p@h:9091/x") == ("http://h:9091/x", "u", "p")
    assert strip_credentials("https://h") == ("https://h", None, None)
    assert strip_credentials("http://u:p@[::1]:9091")[0] == "http://[::1]:9091"
