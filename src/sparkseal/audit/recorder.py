"""The driver's audit recorder: application start and end, every query (from the JVM
listener), ``protect``/``unprotect``/role views and the policy in force go to the audit
trail and, when ``[lineage]`` is set, out as OpenLineage events.

``harden()`` opens the trail before Spark starts (a trail that cannot be written fails
the job there, unless ``[audit] required = false``) and starts the recorder with the
session. Queries reach Python through ``io.sparkseal.audit.AuditListener``'s queue,
drained every few seconds and when the session stops; the application's end is recorded
by ``spark.stop()`` or, without it, at interpreter exit.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sparkseal import __version__
from sparkseal.audit.events import Outcome, entry, fingerprint, host, now
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from sparkseal.audit.trail import AuditTrail
    from sparkseal.core.policy import Policy
    from sparkseal.core.token import TextSealer
    from sparkseal.lineage import LineageEmitter

log = logging.getLogger("sparkseal.audit")
DRAIN_SECONDS = 2.0
# What of a query record the audit entry keeps (lineage gets the whole record).
_DATASET_FIELDS = ("namespace", "name", "format", "table", "mode", "rows", "bytes", "files")

_current: AuditRecorder | None = None


def current() -> AuditRecorder | None:
    """The recorder of the hardened session in this process, if the policy audits."""
    return _current


def record(event: str, details: Mapping[str, Any], outcome: Outcome = "success") -> None:
    """Record ``event`` when a hardened session audits; nothing otherwise."""
    if _current is not None:
        _current.record(event, details, outcome)


class AuditRecorder:
    """Feeds one driver's audit trail and lineage emitter."""

    def __init__(
        self, policy: Policy, trail: AuditTrail | None, lineage: LineageEmitter | None
    ) -> None:
        self.policy = policy
        self.trail = trail
        self.lineage = lineage
        self.app: dict[str, Any] = {}
        self._pending: list[dict[str, Any]] = []  # failed to write; retried first
        self._outbox: list[dict[str, Any]] = []
        self._events: list[Any] = []
        self._lock = threading.RLock()  # one drain or finish at a time
        self._queue_lock = threading.Lock()  # short: the queues only
        self._flush_lock = threading.Lock()  # one writer at a time
        self._stop = threading.Event()
        self._listener: Any = None
        self._sealer: TextSealer | None = None
        self._failure: str | None = None
        self._finished = False
        self._store_warned = False

    @classmethod
    def open(cls, policy: Policy) -> AuditRecorder | None:
        """The recorder the policy asks for, with its trail opened (fail closed), or None."""
        trail = None
        url = policy.audit_store_url()
        if url is not None and policy.audit is not None:
            from sparkseal.audit.trail import AuditTrail

            key = policy.audit.signing_key
            try:
                trail = AuditTrail.open(
                    url,
                    signing_key=policy.resolve_path(key) if key else None,
                    origin=policy.audit.origin,
                )
            except SparkSealError as exc:
                if policy.audit.required:
                    raise SparkSealError(
                        coded(
                            "SS640",
                            f"the audit trail cannot be written, so the job does not start: "
                            f"{exc}. Fix the store, or set [audit] required = false to run "
                            "without an audit trail",
                        )
                    ) from None
                # A SparkSealError's text is ours and carries no data.
                log.warning(coded("SS641", f"running WITHOUT an audit trail: {exc}"))  # noqa: SS541
        lineage = None
        if policy.lineage is not None and policy.lineage.enabled:
            from sparkseal.lineage import LineageEmitter

            lineage = LineageEmitter.from_policy(policy)
        if trail is None and lineage is None:
            return None
        return cls(policy, trail, lineage)

    @property
    def ended(self) -> bool:
        """Whether this recorder already recorded its application's end."""
        return self._finished

    # --- the application ---

    def started(self, spark: SparkSession, sealer: TextSealer) -> None:
        """Record the application's start and the policy; begin draining query records."""
        global _current
        sc = spark.sparkContext
        self._sealer = sealer
        self._listener = sc._jvm.io.sparkseal.audit.AuditListener
        self.app = {
            "app_id": sc.applicationId,
            "app_name": sc.appName,
            "user": sc.sparkUser(),
            "host": host(),
            "spark_version": sc.version,
            "sparkseal_version": __version__,
            "start": now(),
        }
        self._append(
            self._entry(
                "app.start",
                "driver",
                {
                    "spark_user": self.app["user"],
                    "master": sc.master,
                    "spark_version": sc.version,
                    "sparkseal_version": __version__,
                    "policy_fingerprint": self._policy_fingerprint(),
                },
            ),
            self._entry("policy.load", "driver", self._policy_details()),
        )
        self._emit_app("START")
        self.flush()  # the start is written before the job runs anything
        _current = self
        self._watch(spark)
        threading.Thread(target=self._drain_loop, name="sparkseal-audit", daemon=True).start()

    def record(self, event: str, details: Mapping[str, Any], outcome: Outcome = "success") -> None:
        """Queue one entry (``protect``, ``unprotect``, role views ...): written by the
        recorder's thread, so a slow or locked store never stalls the job."""
        self._append(self._entry(event, "driver", _jsonable(details), outcome))

    def drain(self) -> None:
        """Move the JVM listener's query records into the trail and lineage."""
        if self._listener is None:
            return
        with self._lock:
            try:
                drained = json.loads(str(self._listener.drain()))
            except Exception:  # the JVM is gone: what it held is reported as a gap
                drained = {"records": [], "dropped": 0, "unreachable": True}
            entries = [self._query_entry(r) for r in drained["records"]]
            if drained.get("dropped") or drained.get("unreachable"):
                entries.append(
                    self._entry(
                        "audit.gap",
                        "spark-listener",
                        {
                            "dropped_queries": int(drained.get("dropped", 0)),
                            "listener_unreachable": bool(drained.get("unreachable")),
                        },
                        "failure",
                    )
                )
            self._append(*entries)
            if self.lineage is not None:
                for r in drained["records"]:
                    self._emit(self._query_events(r))

    def flush(self) -> None:
        """Write what is queued: entries to the trail, events to the lineage transport.
        A store that fails keeps the entries queued for the next flush (SS642)."""
        with self._flush_lock:
            with self._queue_lock:
                self._pending.extend(self._outbox)
                events, self._outbox, self._events = self._events, [], []
            if self.lineage is not None and events:
                self.lineage.emit(events)  # never raises; failures are counted (SS651)
            if self.trail is None or not self._pending:
                return
            try:
                self.trail.append(self._pending)
            except Exception as exc:
                if not self._store_warned:
                    self._store_warned = True
                    reason = _reason(exc)  # our own error's text, else only the type's name
                    log.warning(coded("SS642", f"audit entries kept in memory: {reason}"))
                return
            self._pending = []

    def finished(self, outcome: Outcome | None = None) -> None:
        """Record the application's end (once): drain, then ``app.end`` and lineage."""
        global _current
        with self._lock:
            if self._finished:
                return
            self._finished = True
            self._stop.set()
            self.drain()
            outcome = outcome or ("failure" if self._failure else "success")
            details: dict[str, Any] = {}
            if self._failure:
                details["error"] = self._failure
            self.app.update(end=now(), outcome=outcome, **details)
            self._append(self._entry("app.end", "driver", details, outcome))
            self._emit_app("FAIL" if outcome == "failure" else "COMPLETE")
            self.flush()
            if self._pending:
                print(
                    coded(
                        "SS642",
                        f"{len(self._pending)} audit entries could not be written to the "
                        "store; the trail misses them (see the warnings above)",
                    ),
                    file=sys.stderr,
                )
            if self.trail is not None:
                self.trail.close()
            if _current is self:
                _current = None

    # --- plumbing ---

    def _watch(self, spark: SparkSession) -> None:
        """``spark.stop()`` ends the application's record; interpreter exit does otherwise;
        an uncaught exception makes the outcome a failure (its message sealed). The
        mechanism is :class:`sparkseal.driver.lifecycle.AppEnd`, shared with the metrics."""
        from sparkseal.driver.lifecycle import AppEnd

        def note_failure(tp: type[BaseException], value: BaseException) -> None:
            try:
                self._failure = f"{tp.__name__}: {self._seal(str(value))}"
            except BaseException:  # an exception whose text cannot be read: never echo it
                self._failure = f"{tp.__name__}: [message unreadable]"

        AppEnd(lambda _failure: self.finished(), on_exception=note_failure).watch(spark)

    def _drain_loop(self) -> None:
        while not self._stop.wait(DRAIN_SECONDS):
            try:
                self.drain()
                self.flush()
            except Exception:  # never let the thread die; the next round retries
                log.warning(coded("SS643", "draining the audit listener failed; retrying"))

    def _seal(self, text: str) -> str:
        return self._sealer.seal(text) if self._sealer is not None and text else text

    def _entry(
        self, event: str, source: str, details: Mapping[str, Any], outcome: Outcome = "success"
    ) -> dict[str, Any]:
        return entry(
            event,
            source=source,
            outcome=outcome,
            details=details,
            app_id=self.app.get("app_id"),
            app_name=self.app.get("app_name"),
        )

    def _append(self, *entries: dict[str, Any]) -> None:
        """Queue entries; one the trail could never store becomes a gap entry instead, so
        it cannot block the entries after it."""
        from sparkseal.audit.trail import canonical

        if self.trail is None:
            return
        checked = []
        for made in entries:
            try:
                canonical(made)
                checked.append(made)
            except Exception:
                gap = {"unrecordable_event": str(made.get("event")), "reason": "not JSON"}
                checked.append(self._entry("audit.gap", "driver", gap, "failure"))
        with self._queue_lock:
            self._outbox.extend(checked)

    def _query_entry(self, r: Mapping[str, Any]) -> dict[str, Any]:
        details: dict[str, Any] = {
            "execution_id": r.get("execution_id"),
            "function": r.get("function"),
            "duration_ms": r.get("duration_ms"),
            "inputs": [_dataset(d) for d in r.get("inputs", [])],
            "outputs": [_dataset(d) for d in r.get("outputs", [])],
        }
        if r.get("outcome") == "failure":
            details["error_class"] = r.get("error_class")
            details["error"] = r.get("error")  # sealed by the JVM listener
        made = self._entry("query", "spark-listener", details, r.get("outcome", "success"))
        made["time"] = r.get("end", made["time"])
        return made

    def _query_events(self, r: Mapping[str, Any]) -> list[Any]:
        from sparkseal.lineage import query_events

        try:
            return query_events(self.app, r, self._namespace())
        except SparkSealError as exc:  # a record lineage cannot read: reported, job goes on
            log.warning(str(exc))  # noqa: SS541 -- a SparkSealError's text is ours, no data
            return []

    def _emit_app(self, event_type: str) -> None:
        if self.lineage is None:
            return
        from sparkseal.lineage import application_event

        self._emit([application_event(self.app, event_type, self._namespace())])

    def _emit(self, events: list[Any]) -> None:
        if self.lineage is not None:
            with self._queue_lock:
                self._events.extend(events)

    def _namespace(self) -> str:
        return self.policy.lineage.namespace if self.policy.lineage else "sparkseal"

    def _policy_fingerprint(self) -> str:
        document = self.policy.model_dump(mode="json")
        document["public_key"] = self.policy.public_key.to_text()
        return fingerprint(document)

    def _policy_details(self) -> dict[str, Any]:
        """Which policy and which keys: key ids and secret references, never a secret."""
        p = self.policy.protect
        return {
            "source": self.policy.source,
            "fingerprint": self._policy_fingerprint(),
            "seal_key_id": self.policy.public_key.kid,
            "seal_suite": self.policy.public_key.suite.name.value,
            "column_secrets": {
                "pepper": p.pepper,
                "token_key": p.token_key,
            },
            "protected_columns": len(p.columns),
            "audit_signed": bool(self.policy.audit and self.policy.audit.signing_key),
        }


def _jsonable(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` as JSON: an enum becomes its name, any other object its type's name
    (never its ``str``, which could be anything)."""
    from enum import Enum

    def named(o: object) -> str:
        return o.name if isinstance(o, Enum) else f"<{type(o).__name__}>"

    try:
        return json.loads(json.dumps(dict(details), default=named))
    except (TypeError, ValueError):  # e.g. keys that are not strings: recorded as a gap
        return {"unrecordable_details": True}


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SparkSealError) else type(exc).__name__


def _dataset(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: d.get(k) for k in _DATASET_FIELDS if k in d}
