"""LineageEmitter on real transports: a file, a local HTTP server, a dead endpoint, the console.

Nothing is mocked: events go through openlineage-python's own transports to a real file
and a real HTTP server on a loopback port, and each one that arrives is validated against
the spec's schemas.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from openlineage.client.serde import Serde

from sparkseal.core.errors import PolicyError
from sparkseal.core.policy import Policy, policy_from_mapping
from sparkseal.lineage import LineageEmitter, application_event, query_events
from sparkseal.lineage.emitter import CONSOLE_LOGGER
from tests.lineage.conftest import SEALED_ERROR
from tests.lineage.schema_check import validate_json

NS = "payments"
CANARY = "grace.hopper@example.org"


def make_policy(key_dir: Path, base: Path, lineage: dict[str, Any] | None) -> Policy:
    data: dict[str, Any] = {"seal": {"public_key": str(key_dir / "sparkseal.pub")}}
    if lineage is not None:
        data["lineage"] = lineage
    return policy_from_mapping(data, base_dir=base)


def all_events(app, join_record, collect_record, failed_record) -> list:
    app = dict(app)
    events = [application_event(app, "START", NS)]
    for record in (join_record, collect_record, failed_record):
        events += query_events(app, record, NS)
    app.update(end="2026-11-30T19:31:02.000Z", outcome="failure", error=SEALED_ERROR)
    events.append(application_event(app, "FAIL", NS))
    return events


@pytest.fixture
def events(app, join_record, collect_record, failed_record) -> list:
    # Plaintext planted where the listener must not put it: it must not be emitted.
    failed_record["stack_trace"] = f"ValueError: invalid email {CANARY}"
    failed_record["outputs"][0]["sample_row"] = {"email": CANARY}
    return all_events(app, join_record, collect_record, failed_record)


@pytest.fixture
def clean_openlineage_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.upper().startswith("OPENLINEAGE"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


# --- file ---


def test_file_transport_appends_valid_json_lines(key_dir, tmp_path, events, clean_openlineage_env):
    policy = make_policy(key_dir, tmp_path, {"transport": "file", "path": "lineage/ol.jsonl"})
    emitter = LineageEmitter.from_policy(policy)
    assert emitter.emit(events) == len(events)
    out = tmp_path / "lineage" / "ol.jsonl"  # relative to the policy's folder
    lines = out.read_text().splitlines()
    assert len(lines) == len(events)
    parsed = [validate_json(line) for line in lines]
    assert [e["eventType"] for e in parsed] == [
        "START",
        *["START", "COMPLETE"] * 2,
        "START",
        "FAIL",
        "FAIL",
    ]
    assert [e["run"]["runId"] for e in parsed] == [e.run.runId for e in events]
    errors = [e["run"]["facets"].get("errorMessage", {}).get("message") for e in parsed]
    assert [m for m in errors if m] == [SEALED_ERROR, SEALED_ERROR]  # the query's and the app's
    assert CANARY not in out.read_text()
    assert (emitter.sent, emitter.failures) == (len(events), 0)

    emitter.emit(events[:2])  # appends, never truncates
    assert len(out.read_text().splitlines()) == len(events) + 2


def test_unwritable_file_is_counted_not_raised(
    key_dir, tmp_path, events, caplog, clean_openlineage_env
):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    policy = make_policy(key_dir, tmp_path, {"transport": "file", "path": "not-a-dir/ol.jsonl"})
    emitter = LineageEmitter.from_policy(policy)
    with caplog.at_level(logging.WARNING):
        assert emitter.emit(events) == 0
    assert emitter.failures == len(events)
    warnings = [r for r in caplog.records if r.getMessage().startswith("SS651")]
    assert len(warnings) == 1
    assert "file transport failed (RuntimeError)" in warnings[0].getMessage()


# --- http ---


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]]
    status = 201

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers["Content-Type"], body))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    httpd.received = []  # type: ignore[attr-defined]
    httpd.status = 201  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_http_transport_posts_each_event(key_dir, tmp_path, events, server, clean_openlineage_env):
    url = f"http://127.0.0.1:{server.server_address[1]}"
    emitter = LineageEmitter.from_policy(
        make_policy(key_dir, tmp_path, {"transport": "http", "url": url})
    )
    assert emitter.emit(events) == len(events)
    emitter.close()
    assert emitter.failures == 0
    received = server.received
    assert len(received) == len(events)
    for (path, content_type, body), event in zip(received, events, strict=True):
        assert path == "/api/v1/lineage"  # Marquez's and the spec's endpoint
        assert content_type == "application/json"
        assert validate_json(body.decode())["run"]["runId"] == event.run.runId
        assert json.loads(body) == json.loads(Serde.to_json(event))
        assert CANARY.encode() not in body


def test_http_errors_are_counted(key_dir, tmp_path, events, server, caplog, clean_openlineage_env):
    server.status = 400
    url = f"http://127.0.0.1:{server.server_address[1]}"
    emitter = LineageEmitter.from_policy(
        make_policy(key_dir, tmp_path, {"transport": "http", "url": url})
    )
    with caplog.at_level(logging.WARNING):
        assert emitter.emit(events[:3]) == 0
    assert emitter.failures == 3
    assert len(server.received) == 3  # it did reach the server, which refused
    (warning,) = [r for r in caplog.records if r.getMessage().startswith("SS651")]
    assert "http transport failed (HTTPError)" in warning.getMessage()


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_http_endpoint_does_not_raise_and_prints_no_event(
    key_dir, tmp_path, events, caplog, capsys, clean_openlineage_env
):
    url = f"http://127.0.0.1:{_dead_port()}"
    emitter = LineageEmitter.from_policy(
        make_policy(key_dir, tmp_path, {"transport": "http", "url": url})
    )
    started = time.monotonic()
    # INFO and up: at DEBUG, openlineage's client logs each event it is about to send
    # (events hold no data values, by construction; docs/lineage.md says so).
    with caplog.at_level(logging.INFO):
        assert emitter.emit(events) == 0
    elapsed = time.monotonic() - started
    assert (emitter.sent, emitter.failures) == (0, len(events))
    warnings = [r for r in caplog.records if r.getMessage().startswith("SS651")]
    assert len(warnings) == 1, "reported once, then counted"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == warnings
    assert warnings[0].levelno == logging.WARNING
    assert "http transport failed (ConnectionError)" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    out = capsys.readouterr()
    shown = caplog.text + out.out + out.err
    for event in events:
        assert event.run.runId not in shown
    for text in ("payments_daily", "/data/orders", "columnLineage", SEALED_ERROR, CANARY):
        assert text not in shown
    assert elapsed < 5, "fails fast, no retries of a refused connection: a job waits for it"


def test_failures_from_many_threads_are_all_counted_and_reported_once(
    key_dir, tmp_path, events, caplog, clean_openlineage_env
):
    url = f"http://127.0.0.1:{_dead_port()}"
    emitter = LineageEmitter.from_policy(
        make_policy(key_dir, tmp_path, {"transport": "http", "url": url})
    )
    threads = [threading.Thread(target=emitter.emit, args=(events,)) for _ in range(8)]
    with caplog.at_level(logging.WARNING):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert emitter.failures == 8 * len(events)
    assert emitter.emit(events[0]) == 0  # one event, not a list: also fine
    assert emitter.failures == 8 * len(events) + 1
    assert len([r for r in caplog.records if r.getMessage().startswith("SS651")]) == 1


# --- console ---


def test_console_transport_logs_each_event(
    key_dir, tmp_path, events, caplog, clean_openlineage_env
):
    emitter = LineageEmitter.from_policy(make_policy(key_dir, tmp_path, {"transport": "console"}))
    with caplog.at_level(logging.INFO, logger=CONSOLE_LOGGER):
        assert emitter.emit(events) == len(events)
    logged = [r.getMessage() for r in caplog.records if r.name == CONSOLE_LOGGER]
    assert [validate_json(m)["run"]["runId"] for m in logged] == [e.run.runId for e in events]


# --- policy decides ---


def test_no_lineage_section_emits_nothing(key_dir, tmp_path, events, clean_openlineage_env):
    for lineage in (None, {"enabled": False, "path": "ol.jsonl"}):
        emitter = LineageEmitter.from_policy(make_policy(key_dir, tmp_path, lineage))
        assert not emitter.enabled
        assert emitter.emit(events) == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", [None, "", "marquez:5000", "ftp://marquez", "http://"])
def test_http_without_a_usable_url_is_refused(key_dir, tmp_path, clean_openlineage_env, url):
    lineage = {"transport": "http"} if url is None else {"transport": "http", "url": url}
    with pytest.raises(PolicyError, match=r"(?s)^SS650: .*lineage\.url"):
        LineageEmitter.from_policy(make_policy(key_dir, tmp_path, lineage))


def test_the_policy_wins_over_openlineage_env_and_yaml(
    key_dir, tmp_path, events, server, monkeypatch, caplog, clean_openlineage_env
):
    # Everything openlineage-python would otherwise obey: switch off, other endpoints,
    # env-var values and a git URL added to events, dataset renaming.
    url = f"http://127.0.0.1:{server.server_address[1]}"
    secret = "ol-api-key-canary-8842"
    monkeypatch.setenv("OPENLINEAGE_DISABLED", "true")
    monkeypatch.setenv("OPENLINEAGE_URL", url)
    monkeypatch.setenv("OPENLINEAGE_API_KEY", secret)
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__TYPE", "console")
    monkeypatch.setenv("OPENLINEAGE__FACETS__ENVIRONMENT_VARIABLES", '["SSL_ENV_CANARY"]')
    monkeypatch.setenv("SSL_ENV_CANARY", secret)
    (tmp_path / "openlineage.yml").write_text(
        "transport:\n  type: http\n  url: " + url + "\n"
        "facets:\n  source_code_location:\n    disabled: false\n"
        "    repo_url: https://user:token@git.example.invalid/repo.git\n"
        "dataset:\n  reducing_enabled: true\n"
        "filters:\n  - type: exact\n    match: payments_daily\n"
    )
    before = dict(os.environ)
    policy = make_policy(key_dir, tmp_path, {"transport": "file", "path": "ol.jsonl"})
    with caplog.at_level(logging.WARNING):
        emitter = LineageEmitter.from_policy(policy)
        assert emitter.emit(events) == len(events)
    assert dict(os.environ) == before, "the client must not rewrite the environment"
    assert server.received == []
    text = (tmp_path / "ol.jsonl").read_text()
    assert len(text.splitlines()) == len(events)
    for line in text.splitlines():
        event = validate_json(line)
        assert "environmentVariables" not in event["run"]["facets"]
        assert "sourceCodeLocation" not in event["job"]["facets"]
    assert secret not in text and "token@" not in text
    (notice,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SS652")]
    for name in (
        "OPENLINEAGE_DISABLED",
        "OPENLINEAGE_URL",
        "OPENLINEAGE_API_KEY",
        "openlineage.yml",
    ):
        assert name in notice
    assert secret not in caplog.text and url not in notice
