"""The public entry points: :func:`harden` a builder, or get a hardened :func:`session`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sparkseal.audit.recorder import AuditRecorder
from sparkseal.audit.recorder import current as current_recorder
from sparkseal.auth import (
    AUTH_SECRET_CONF,
    PLACEHOLDER,
    check_secret_in_force,
    launch_environment,
    secret_environment,
)
from sparkseal.conf import ATTESTATION_PLUGIN, jvm_conf, preset_conf, seal_conf, with_boot_dir
from sparkseal.connect import is_connect_builder, refuse_unhardened
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import Policy, PolicyLike, load_policy
from sparkseal.driver.install import install_driver_hooks
from sparkseal.metrics.exporter import MetricsExporter
from sparkseal.metrics.exporter import current as current_metrics
from sparkseal.worker.install import ENV_APP_ID

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _builder_options(builder: Any) -> dict[str, str]:
    options = getattr(builder, "_options", None)
    return dict(options) if isinstance(options, dict) else {}


def check_conf(actual: dict[str, str], required: dict[str, str], where: str) -> None:
    """Raise if ``actual`` sets any required key to another value (fail closed)."""
    for key, value in required.items():
        if key in actual and str(actual[key]) != value:
            shown = "the policy's public key" if "PUBLIC_KEY" in key else repr(value)
            raise SparkSealError(
                coded(
                    "SS008",
                    f"{where} sets {key}={actual[key]!r}, but sparkseal needs {shown}; "
                    "remove that setting (sparkseal's worker hooks would not run otherwise)",
                )
            )


def _jvm_problems(spark: SparkSession) -> str:
    """What stops the driver JVM from sealing, according to the JVM itself."""
    from py4j.protocol import Py4JError

    try:
        return str(spark.sparkContext._jvm.io.sparkseal.Status.problems())
    except Py4JError:
        return (
            "sparkseal's jar is not on the driver's classpath (the JVM was started before harden())"
        )


def _verify_session(spark: SparkSession, required: dict[str, str], jvm: bool) -> None:
    conf = dict(spark.sparkContext.getConf().getAll())
    missing = [k for k in required if k not in conf]
    if missing:
        raise SparkSealError(
            coded(
                "SS009",
                "a SparkContext without sparkseal's settings was already running "
                f"(missing: {', '.join(missing)}), so its workers would not seal errors. "
                "Create the session with sparkseal before any other Spark code, or stop the "
                "existing one first (spark.stop()).",
            )
        )
    check_conf(conf, required, "the running SparkContext")
    if not jvm:
        return
    problems = [p for p in _jvm_problems(spark).splitlines() if p]
    if ATTESTATION_PLUGIN not in conf.get("spark.plugins", "").split(","):
        problems.append(
            f"spark.plugins lacks {ATTESTATION_PLUGIN}, so executors would run tasks without "
            "proving that they seal; do not override spark.plugins after harden()"
        )
    if conf.get("spark.eventLog.enabled", "false").lower() == "true":
        problems.append(
            "Spark's built-in event log writer is on (spark.eventLog.enabled=true, e.g. from "
            "spark-defaults.conf); set it through the builder so that sparkseal replaces it "
            "with the sealed writer"
        )
    if problems:
        spark.stop()
        raise SparkSealError(
            coded(
                "SS405",
                "sparkseal cannot seal what the driver's JVM logs, so the session was "
                "stopped:\n  " + "\n  ".join(problems),
            )
        )


@contextmanager
def _refusals_as_errors() -> Iterator[None]:
    """A SparkContext that failed because its own executor could not attest (local mode, where
    the executor lives in the driver JVM) is reported like any JVM that cannot seal."""
    from py4j.protocol import Py4JJavaError

    try:
        yield
    except Py4JJavaError as exc:
        message = _java_message(exc)
        marker = "runs no task: "
        if "SS401: sparkseal" not in message or marker not in message:
            raise
        problems = message.split(marker, 1)[1].splitlines()[0].split("; ")
        raise SparkSealError(
            coded(
                "SS405",
                "sparkseal cannot seal what the driver's JVM logs, so the session was "
                "stopped:\n  " + "\n  ".join(problems),
            )
        ) from None


def _java_message(exc: Any) -> str:
    try:
        cause = exc.java_exception
        while cause is not None:
            text = str(cause.getMessage() or "")
            if "SS401" in text:
                return text
            cause = cause.getCause()
    except Exception:
        return ""
    return ""


def harden(builder: Any, policy: PolicyLike = None) -> Any:
    """Return ``builder`` with everything sparkseal needs set, and the driver hooks installed.

    ``policy`` is a path to a TOML file, a mapping, a :class:`~sparkseal.Policy`,
    or ``None`` (then ``$SPARKSEAL_POLICY``, then ``./sparkseal.toml``). A Spark Connect
    builder (``.remote(...)``) gets the client's hooks, and its session is refused unless
    the server was started by ``sparkseal connect-server`` with the same key. Raises
    :class:`~sparkseal.SparkSealError` -- and sets nothing -- if the policy or the
    PySpark installation does not allow sealing. The builder's ``getOrCreate``
    checks that the session it returns really carries these settings.
    """
    loaded = load_policy(policy)
    options = _builder_options(builder)
    if is_connect_builder(builder, options):
        return _harden_connect(builder, loaded)
    required = seal_conf(loaded)
    check_conf(options, required, "the SparkSession builder")
    preset = preset_conf(loaded, options)
    secret_env = secret_environment(loaded, options)  # never in the conf: see sparkseal.auth
    recorder = AuditRecorder.open(loaded)  # before Spark starts: an unwritable trail stops here
    sealer = install_driver_hooks(loaded)
    metrics = MetricsExporter.from_policy(loaded)
    for key, value in preset.items():
        if key not in options:  # an explicit setting on the builder is the user's choice
            builder = builder.config(key, value)
    for key, value in required.items():
        builder = builder.config(key, value)
    for key, value in jvm_conf(loaded, options).items():
        builder = builder.config(key, value)

    original = builder.getOrCreate

    def get_or_create() -> SparkSession:
        with launch_environment(secret_env), _refusals_as_errors():
            spark = original()
        _verify_session(spark, required, loaded.jvm.enabled)
        check_secret_in_force(spark, preset.get(AUTH_SECRET_CONF) == PLACEHOLDER)
        # Every Python function built from now on carries this environment to its
        # workers; the boot dir covers the planner workers (see sparkseal.worker.boot).
        env = spark.sparkContext.environment
        env["PYTHONPATH"] = with_boot_dir(env.get("PYTHONPATH"))
        # Tokens name their application, so `sparkseal unseal --app ID` can refuse others'.
        sealer.app = env[ENV_APP_ID] = spark.sparkContext.applicationId
        if recorder is not None and current_recorder() is None:
            # A session made again after spark.stop() is a new application: a new record.
            active = recorder if not recorder.ended else AuditRecorder.open(loaded)
            if active is not None:
                active.started(spark, sealer)
        if metrics is not None and current_metrics() is None:
            # Like the recorder: a session made again after spark.stop() is a new run.
            exporter = metrics if not metrics.ended and metrics.run is None else None
            exporter = exporter or MetricsExporter.from_policy(loaded)
            if exporter is not None:
                exporter.started(spark)
        return spark

    builder.getOrCreate = get_or_create
    return builder


def _harden_connect(builder: Any, policy: Policy) -> Any:
    """A Spark Connect builder: client hooks now; a session -- new (``create``) or existing
    (``getOrCreate``) -- is refused unless the server seals with the policy's key (see
    :mod:`sparkseal.connect`)."""
    install_driver_hooks(policy, connect=True)

    def checked(make: Any) -> Any:
        def make_checked() -> SparkSession:
            spark = make()
            refuse_unhardened(spark, policy)
            return spark

        return make_checked

    builder.getOrCreate = checked(builder.getOrCreate)
    if hasattr(builder, "create"):
        builder.create = checked(builder.create)
    return builder


def session(app_name: str | None = None, policy: PolicyLike = None, **conf: Any) -> SparkSession:
    """A ready SparkSession with sparkseal in force.

    Extra Spark settings go in ``conf``, e.g. ``session("job", **{"spark.master": "local[2]"})``.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    if app_name:
        builder = builder.appName(app_name)
    for key, value in conf.items():
        builder = builder.config(key, str(value))
    return harden(builder, policy).getOrCreate()
