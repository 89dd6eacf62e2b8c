"""One application's metrics: its registry, the ``/metrics`` endpoint while it runs, and at
its end the run recorded in the run history and pushed to the Pushgateway (also on failure).

Nothing here may break the user's job: a Pushgateway that is down, a port in use or a store
that cannot be written is reported with a code on the ``sparkseal.metrics`` logger, and the
job goes on. A Pushgateway URL's credentials are used, never shown.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from prometheus_client import CollectorRegistry

from sparkseal.core.codes import coded
from sparkseal.driver.lifecycle import AppEnd
from sparkseal.metrics.collector import (
    DEFAULT_RUN_BUCKETS,
    HistoryView,
    RunState,
    SparksealCollector,
    now,
)
from sparkseal.metrics.labels import LabelAllowList, job_label

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from sparkseal.core.policy import Policy
    from sparkseal.metrics.policy import MetricsPolicy
    from sparkseal.slo.history import RunHistory

log = logging.getLogger("sparkseal.metrics")
SNAPSHOT_CLASS = "io.sparkseal.metrics.MetricsListener"

_current: MetricsExporter | None = None


def current() -> MetricsExporter | None:
    """The exporter of the hardened session in this process, if the policy has ``[metrics]``."""
    return _current


def strip_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without ``user:password@``, and the user and password it held."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)), parts.username, parts.password


class MetricsExporter:
    """Metrics of one hardened application (see the module docstring)."""

    def __init__(self, policy: Policy, settings: MetricsPolicy) -> None:
        self.policy = policy
        self.settings = settings
        self.registry = CollectorRegistry(auto_describe=False)
        self.run: RunState | None = None
        self.labels: LabelAllowList | None = None
        self.server: Any = None
        self._jvm: Any = None
        self._app_id = ""
        self._app_name = ""
        self._last_snapshot: Mapping[str, Any] = {}
        self._frozen = False
        self._history: RunHistory | None = None
        self._view = HistoryView(counts={}, durations=())
        self._lock = threading.Lock()
        self._warned: set[str] = set()
        self._end = AppEnd(self.finished)
        self._spark_metrics = True  # the JVM listener is registered (see sparkseal.conf)

    @classmethod
    def from_policy(cls, policy: Policy) -> MetricsExporter | None:
        """The exporter ``[metrics]`` asks for, or ``None``."""
        settings = policy.metrics
        if settings is not None and settings.enabled:
            return cls(policy, settings)
        if policy.slo and policy.audit_store_url() is not None:
            # [[slo]] without [metrics]: the run is still recorded for the budgets.
            from sparkseal.metrics.policy import MetricsPolicy

            exporter = cls(policy, MetricsPolicy())
            exporter._spark_metrics = False
            return exporter
        return None

    @property
    def ended(self) -> bool:
        return self._end.ended

    @property
    def job(self) -> str:
        return self.run.job if self.run is not None else job_label(self.settings.job, None)

    # --- the application ---

    def started(self, spark: SparkSession) -> None:
        """Begin: the registry, the endpoint (``port``), the run history, the end hook."""
        global _current
        sc = spark.sparkContext
        self._jvm = sc._jvm if self._spark_metrics else None
        self._app_id, self._app_name = str(sc.applicationId), str(sc.appName)
        job = job_label(self.settings.job, self._app_name)
        checks = [c.name for c in self.policy.quality.checks] if self.policy.quality else []
        self.labels = LabelAllowList(job, self._app_name, checks, self.settings.label_values)
        self.run = RunState(job=job, started=now())
        self._history = self._open_history()
        self._view = self._read_history()
        self.registry.register(
            SparksealCollector(
                self.run, self.labels, self._snapshot, lambda: self._view, self._run_buckets()
            )
        )
        if self.settings.port is not None:
            self._serve()
        _current = self
        self._end.watch(spark)

    def finished(self, failure: type[BaseException] | None = None) -> None:
        """The application ended: final snapshot, run history, push, endpoint closed."""
        global _current
        try:
            self._snapshot()
            self._frozen = True  # the JVM may be gone from here on
            run = self.run
            if run is None:
                return
            with run.lock:
                run.ended = now()
                run.status = "failed" if failure is not None else "succeeded"
            self._record()
            self._view = self._read_history()
            self.push()
        except Exception as exc:  # never into the user's job
            self._warn("SS903", f"recording the run's metrics failed ({type(exc).__name__})")
        finally:
            self._close()
            if _current is self:
                _current = None

    # --- the JVM listener ---

    def _snapshot(self) -> Mapping[str, Any]:
        if self._frozen or self._jvm is None:
            return self._last_snapshot
        try:
            text = str(self._jvm.io.sparkseal.metrics.MetricsListener.snapshot())
            parsed = json.loads(text)
            if not isinstance(parsed, dict) or not parsed:
                raise ValueError("empty")
            self._last_snapshot = parsed
        except Exception:
            self._warn(
                "SS900",
                "the Spark metrics listener is not reachable (is the session hardened with "
                "[metrics] and sparkseal's jar on the driver's classpath?); Spark metrics "
                "keep their last values",
            )
        return self._last_snapshot

    # --- run history ---

    def _open_history(self) -> RunHistory | None:
        url = self.policy.audit_store_url()
        if url is None:
            return None
        try:
            from sparkseal.slo.history import RunHistory

            return RunHistory.open(url)
        except Exception as exc:
            self._warn(
                "SS903",
                f"the run history cannot be opened ({_reason(exc)}); "
                "sparkseal_runs_total counts this run only",
            )
            return None

    def _read_history(self) -> HistoryView:
        run = self.run
        if run is None:
            return HistoryView(counts={}, durations=())
        if self._history is None:  # this process's own run only
            if run.ended is None or run.status is None:
                return HistoryView(counts={}, durations=())
            seconds = (run.ended - run.started).total_seconds()
            return HistoryView(
                counts={run.status: 1},
                durations=((run.status, seconds),),
                last_duration=seconds,
                last_success=run.ended if run.status == "succeeded" else None,
            )
        try:
            runs = self._history.runs(run.job)
        except Exception as exc:
            self._warn("SS903", f"the run history cannot be read ({_reason(exc)})")
            return self._view
        counts: dict[str, int] = {}
        for r in runs:
            counts[r.status] = counts.get(r.status, 0) + 1
        latest = max(runs, key=lambda r: r.ended, default=None)
        successes = [r.ended for r in runs if r.status == "succeeded"]
        return HistoryView(
            counts=counts,
            durations=tuple((r.status, r.duration_seconds) for r in runs),
            last_duration=latest.duration_seconds if latest is not None else None,
            last_success=max(successes, default=None),
        )

    def _record(self) -> None:
        run = self.run
        if self._history is None or run is None or run.ended is None:
            return
        from sparkseal.slo.history import RunRecord

        with run.lock:
            written = run.records.get("written") or None
            freshness = run.freshness_seconds
        if written is None:
            counters = self._last_snapshot.get("counters") or {}
            value = counters.get("output_records")
            written = int(value) if isinstance(value, int) and value > 0 else None
        try:
            self._history.record(
                RunRecord(
                    app_id=self._app_id,
                    app_name=self._app_name,
                    job=run.job,
                    started=run.started,
                    ended=run.ended,
                    status="failed" if run.status == "failed" else "succeeded",
                    records_written=written,
                    freshness_seconds=freshness,
                )
            )
        except Exception as exc:
            self._warn(
                "SS903", f"the run could not be recorded in the run history ({_reason(exc)})"
            )

    def _run_buckets(self) -> tuple[float, ...]:
        extra = [
            s.threshold_seconds
            for s in self.policy.slo
            if s.kind == "duration" and s.threshold_seconds is not None
        ]
        return tuple(sorted({*DEFAULT_RUN_BUCKETS, *extra}))

    # --- export ---

    def _serve(self) -> None:
        from prometheus_client import start_http_server

        try:
            self.server, _ = start_http_server(
                int(self.settings.port or 0), addr=self.settings.host, registry=self.registry
            )
        except Exception as exc:
            self._warn(
                "SS902",
                f"the metrics endpoint cannot listen on {self.settings.host}:"
                f"{self.settings.port} ({type(exc).__name__}); the job goes on without it",
            )

    def endpoint(self) -> tuple[str, int] | None:
        """The endpoint's bound address, or ``None`` when it does not serve."""
        if self.server is None:
            return None
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def push(self) -> bool:
        """Push every family to ``[metrics] pushgateway`` under the grouping key ``job``
        (a PUT: this run's metrics replace the previous run's). Reports SS901 on failure."""
        gateway = self.settings.pushgateway
        if not gateway:
            return False
        from prometheus_client import push_to_gateway
        from prometheus_client.exposition import basic_auth_handler, default_handler

        url, user, password = strip_credentials(gateway)

        def handler(url: str, method: str, timeout: float | None, headers: Any, data: bytes):
            if user is None:
                return default_handler(url, method, timeout, headers, data)
            return basic_auth_handler(url, method, timeout, headers, data, user, password or "")

        try:
            push_to_gateway(
                url,
                job=self.job,
                registry=self.registry,
                timeout=self.settings.push_timeout_seconds,
                handler=handler,
            )
            return True
        except Exception as exc:
            self._warn(
                "SS901",
                f"pushing the metrics to the Pushgateway {url} failed ({_reason(exc)}); "
                "this run's metrics are not there",
                once=False,
            )
            return False

    def _close(self) -> None:
        if self.server is not None:
            try:
                self.server.shutdown()
                self.server.server_close()
            except Exception:
                log.debug("metrics endpoint already closed")
            self.server = None
        if self._history is not None:
            try:
                self._history.close()
            except Exception:
                log.debug("run history already closed")

    def _warn(self, code: str, message: str, once: bool = True) -> None:
        if once and code in self._warned:
            return
        self._warned.add(code)
        log.warning(coded(code, message))


def _reason(exc: BaseException) -> str:
    """An exception's class, plus its status for HTTP errors: never its free text, which
    could repeat a URL with credentials or a value."""
    from urllib.error import HTTPError

    from sparkseal.core.errors import SparkSealError

    if isinstance(exc, HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, SparkSealError):
        return str(exc).split(":", 1)[0]  # its code only
    return type(exc).__name__
