"""Sending lineage events with openlineage-python's transports, as the policy says.

``[lineage]`` picks the transport: ``file`` appends one JSON line per event to ``path``
(relative to the policy file), ``console`` logs each event at INFO on the logger
``openlineage.client.transport.console``, ``http`` posts to ``url`` (a Marquez or any
OpenLineage endpoint, at ``api/v1/lineage``).

The policy decides, not the environment: openlineage-python's client otherwise reads
``OPENLINEAGE_*`` variables, ``OPENLINEAGE__*`` ones, ``$OPENLINEAGE_CONFIG`` and
``openlineage.yml`` (working directory, ``~/.openlineage``), which could switch the
transport off (``OPENLINEAGE_DISABLED``), send events elsewhere, add environment variable
values or git remote URLs to events, or filter and rename datasets. Here the client's
configuration is the policy's alone; when such settings are present they are named once in
an SS652 warning (names only, never values) and ignored.

Lineage must never break the job it describes: a transport failure is counted
(:attr:`LineageEmitter.failures`) and reported once per reason as an SS651 warning naming
the transport and the exception's class only. The exception's text, which may quote a URL
or a path, and the event are never logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from openlineage.client import OpenLineageClient
from openlineage.client.client import OpenLineageConfig
from openlineage.client.event_v2 import RunEvent
from openlineage.client.transport import Transport
from openlineage.client.transport.console import ConsoleConfig, ConsoleTransport
from openlineage.client.transport.file import FileConfig, FileTransport
from openlineage.client.transport.http import HttpConfig, HttpTransport
from openlineage.client.transport.noop import NoopConfig, NoopTransport

from sparkseal.core.codes import coded
from sparkseal.core.errors import PolicyError

if TYPE_CHECKING:
    from sparkseal.core.policy import Policy

log = logging.getLogger("sparkseal.lineage")

CONSOLE_LOGGER = "openlineage.client.transport.console"

HTTP_TIMEOUT_S = 5.0
HTTP_RETRY: dict[str, Any] = {
    # openlineage's default retries 5 times with backoff (about 10 s per event against a dead
    # endpoint) and urllib3 logs a warning with the URL at each retry of a connection. A job
    # waits for its lineage: fail fast, once, and count it. Only a busy server is retried.
    "total": 2,
    "connect": 0,
    "read": 0,
    "status": 2,
    "backoff_factor": 0.2,
    "status_forcelist": [502, 503, 504],
    "allowed_methods": ["POST"],
    "raise_on_status": True,
}


def environment_overrides() -> list[str]:
    """What would configure openlineage-python besides the policy: names of ``OPENLINEAGE*``
    variables and the path of an ``openlineage.yml`` it would read. Never values."""
    found = sorted(k for k in os.environ if k.upper().startswith("OPENLINEAGE"))
    candidates = [
        Path.cwd() / "openlineage.yml",
        Path("~/.openlineage/openlineage.yml").expanduser(),
    ]
    found += [str(p) for p in candidates if p.is_file()]
    return found


class _PolicyClient(OpenLineageClient):
    """An OpenLineageClient configured by the policy only.

    The base class merges the constructor's config with ``openlineage.yml`` and
    ``OPENLINEAGE__*`` variables (those win for keys the constructor leaves out, e.g.
    ``facets.environment_variables``), and swaps any transport for a no-op one under
    ``OPENLINEAGE_DISABLED``. Overriding :attr:`config` and re-setting the transport keeps
    both to what the policy says."""

    def __init__(self, transport: Transport) -> None:
        self._policy_config = OpenLineageConfig()  # no filters, tags, env facets, reducing
        super().__init__(transport=transport)
        self.transport = transport

    @property
    def config(self) -> OpenLineageConfig:
        return self._policy_config

    def _alias_env_vars(self) -> None:
        # The base class copies $OPENLINEAGE_URL into OPENLINEAGE__TRANSPORT__* variables of
        # this process's environment; the policy picks the transport, so leave it alone.
        return None


class LineageEmitter:
    """Emits OpenLineage events through one transport and never raises for a failed send."""

    def __init__(self, transport: Transport, *, enabled: bool = True) -> None:
        self.client = _PolicyClient(transport)
        self.kind: str = transport.kind or type(transport).__name__
        self.enabled = enabled
        self.failures = 0
        """Events the transport failed to send, since this emitter was made."""
        self.sent = 0
        """Events handed to the transport without an error."""
        self._reported: set[str] = set()
        self._lock = threading.Lock()  # the listener may call from several py4j threads

    @classmethod
    def from_policy(cls, policy: Policy) -> LineageEmitter:
        """The emitter ``[lineage]`` describes; a disabled one (emits nothing) without it.

        Raises :class:`PolicyError` (SS650) for ``transport = "http"`` without ``url``."""
        lineage = policy.lineage
        if lineage is None or not lineage.enabled:
            return cls(NoopTransport(NoopConfig()), enabled=False)
        ignored = environment_overrides()
        if ignored:
            log.warning(
                coded(
                    "SS652",
                    "OpenLineage settings outside the policy are ignored; [lineage] decides "
                    f"(found: {', '.join(ignored)})",
                )
            )
        transport: Transport
        if lineage.transport == "file":
            path = policy.resolve_path(lineage.path)
            # If this fails, so does the first emit: counted and reported (SS651).
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
            transport = FileTransport(FileConfig(log_file_path=str(path), append=True))
        elif lineage.transport == "console":
            _make_console_visible()
            transport = ConsoleTransport(ConsoleConfig())
        else:
            url = (lineage.url or "").strip()
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
                raise PolicyError(
                    coded(
                        "SS650",
                        f"invalid policy ({policy.source}):\n  lineage.url: transport = "
                        '"http" needs the endpoint\'s base URL, e.g. url = "http://marquez:5000"',
                    )
                )
            transport = HttpTransport(
                HttpConfig(url=url, timeout=HTTP_TIMEOUT_S, retry=dict(HTTP_RETRY))
            )
        return cls(transport)

    def emit(self, events: Iterable[RunEvent] | RunEvent) -> int:
        """Send ``events`` (or one event) in order; returns how many were sent. Never raises
        for a failed send: the failure is counted and reported once per reason (SS651)."""
        if not self.enabled:
            return 0
        if isinstance(events, RunEvent):
            events = [events]
        sent = 0
        for event in events:
            try:
                self.client.emit(event)
            except Exception as exc:
                self._failed(type(exc))
            else:
                sent += 1
        with self._lock:
            self.sent += sent
        return sent

    def _failed(self, reason: type[BaseException]) -> None:
        name = reason.__qualname__
        with self._lock:
            self.failures += 1
            if name in self._reported:
                return
            self._reported.add(name)
        log.warning(
            coded(
                "SS651",
                f"OpenLineage {self.kind} transport failed ({name}); the event was dropped and "
                "the job goes on (further failures of this kind are counted, not logged)",
            )
        )

    def close(self) -> None:
        """Release the transport (an HTTP session); failures to do so are counted too."""
        try:
            self.client.close()
        except Exception as exc:
            self._failed(type(exc))


def _make_console_visible() -> None:
    """The console transport logs each event at INFO; show it on stderr when nobody logs."""
    logger = logging.getLogger(CONSOLE_LOGGER)
    logger.setLevel(logging.INFO)
    if not logger.hasHandlers():
        logger.addHandler(logging.StreamHandler(sys.stderr))
