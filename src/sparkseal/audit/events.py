"""Audit entries, shaped after NIST SP 800-53 AU-3 (what, when, where, source, outcome,
identity), and never holding a data value in clear.

An entry is a JSON object: ``event`` (what), ``time`` (when, UTC), ``where`` (host,
application id and name), ``source`` (the component that saw it), ``outcome``
(``success``/``failure``), ``identity`` (the OS user the job runs as) and ``details``.
What may be readable in ``details`` is an allow-list (docs/audit.md): names of columns,
datasets, rules, roles and keys, counts and versions. Error text is a sealed token.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

ENTRY_VERSION = 1
Outcome = Literal["success", "failure"]


def now() -> str:
    """The current UTC time as RFC 3339 with milliseconds (``...Z``)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def identity() -> dict[str, str]:
    """Who the process runs as: what a job can know of its caller without trusting input."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        user = "unknown"
    return {"user": user}


def host() -> str:
    """The machine the entry was made on."""
    return socket.gethostname()


def entry(
    event: str,
    *,
    source: str,
    outcome: Outcome = "success",
    details: Mapping[str, Any] | None = None,
    app_id: str | None = None,
    app_name: str | None = None,
    time: str | None = None,
) -> dict[str, Any]:
    """One audit entry (see the module docstring for the fields)."""
    where: dict[str, Any] = {"host": host()}
    if app_id is not None:
        where["app_id"] = app_id
    if app_name is not None:
        where["app_name"] = app_name
    return {
        "v": ENTRY_VERSION,
        "event": event,
        "time": time or now(),
        "where": where,
        "source": source,
        "outcome": outcome,
        "identity": identity(),
        "details": dict(details or {}),
    }


def token_id(token: str) -> str:
    """A short, stable id for a sealed token: records which token was opened, not its text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def fingerprint(document: Mapping[str, Any]) -> str:
    """SHA-256 of a canonical JSON rendering: which policy was in force, comparable later."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
