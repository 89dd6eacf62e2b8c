"""``check_setup(writer_or_query)``: findings (stable codes SS991-SS996) on a streaming
query's setup, read from the JVM objects PySpark builds, so what is checked is what Spark
will run.

Why read the JVM side: PySpark's ``DataStreamWriter`` keeps nothing on the Python side;
the checkpoint location, trigger, output mode and sink live in the JVM writer (private
fields of ``org.apache.spark.sql.classic.DataStreamWriter``, read by reflection) or in the
running query's ``StreamExecution``. Whatever cannot be read is reported, never guessed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

FILE_SINKS = frozenset({"parquet", "json", "csv", "orc", "text"})
# Directories a machine cleans: a checkpoint there is lost (a list of known places).
TEMP_DIRS = ("/tmp/", "/var/tmp/", "/dev/shm/")  # noqa: S108


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" (loses data or guarantees) or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {coded(self.code, self.message)}"


@dataclass(frozen=True)
class _Setup:
    master: str
    checkpoint: str | None
    trigger: str  # JVM class simple name
    interval_ms: int | None
    output_mode: str  # "append" / "update" / "complete"
    sink: str  # source name ("foreachBatch", "parquet", ...)
    foreach_batch: Callable[..., Any] | None


def _field(obj: Any, name: str) -> Any:
    f = obj.getClass().getDeclaredField(name)
    f.setAccessible(True)
    return f.get(obj)


def _batch_function(writer_fn: Any, gateway: Any) -> Callable[..., Any] | None:
    """The Python function behind the JVM's foreachBatch writer: the Scala closure captures
    a py4j proxy of PySpark's ForeachBatchFunction, whose id names it in py4j's pool."""
    try:
        for f in writer_fn.getClass().getDeclaredFields():
            f.setAccessible(True)
            value = f.get(writer_fn)
            jvm = gateway.jvm
            if value is not None and jvm.java.lang.reflect.Proxy.isProxyClass(value.getClass()):
                handler = jvm.java.lang.reflect.Proxy.getInvocationHandler(value)
                wrapped = gateway.gateway_property.pool[str(_field(handler, "id"))]
                return getattr(wrapped, "func", None)
    except Exception:  # internals changed: report "cannot tell", never guess
        return None
    return None


def _from_writer(writer: Any) -> _Setup:
    jw = writer._jwrite
    spark = writer._spark
    options = _field(jw, "extraOptions")
    ckpt = options.get("checkpointLocation")
    trigger = _field(jw, "trigger")
    interval = trigger.intervalMs() if trigger.getClass().getSimpleName().startswith(
        "ProcessingTime") else None
    batch_writer = _field(jw, "foreachBatchWriter")
    fn = (_batch_function(batch_writer, spark.sparkContext._gateway)
          if batch_writer is not None else None)
    default_root = spark.conf.get("spark.sql.streaming.checkpointLocation", None)
    return _Setup(
        master=spark.sparkContext.master,
        checkpoint=str(ckpt.get()) if ckpt.isDefined() else default_root,
        trigger=str(trigger.getClass().getSimpleName()), interval_ms=interval,
        output_mode=str(_field(jw, "outputMode")).lower(),
        sink="foreachBatch" if batch_writer is not None else str(_field(jw, "source")),
        foreach_batch=fn,
    )


def _from_query(query: Any) -> _Setup:
    from pyspark import SparkContext

    sc = SparkContext._active_spark_context  # a classic query runs in this one
    ex = query._jsq.streamingQuery()
    trigger = ex.trigger()
    name = str(trigger.getClass().getSimpleName())
    sink = ex.sink()
    sink_name = str(sink.getClass().getSimpleName())
    fn = None
    if sink_name == "ForeachBatchSink":
        fn = _batch_function(_field(sink, "batchWriter"), sc._gateway)
    kind = {"ForeachBatchSink": "foreachBatch", "FileStreamSink": "parquet"}.get(sink_name,
                                                                               sink_name)
    if sink_name == "FileStreamSink":
        kind = str(_field(sink, "fileFormat").getClass().getSimpleName()).lower().replace(
            "fileformat", "")
    return _Setup(
        master=sc.master,
        checkpoint=str(ex.resolvedCheckpointRoot()),
        trigger=name,
        interval_ms=trigger.intervalMs() if name.startswith("ProcessingTime") else None,
        output_mode=str(ex.outputMode()).lower(), sink=kind, foreach_batch=fn,
    )


def _local_path(path: str) -> str | None:
    if path.startswith("file:"):
        return "/" + path[len("file:"):].lstrip("/")
    if "://" not in path and ":" not in path.split("/", 1)[0]:
        return path
    return None


def _judge(s: _Setup, foreach_batch: Callable[..., Any] | None) -> list[Finding]:
    out: list[Finding] = []
    cluster = not (s.master == "local" or s.master.startswith("local["))
    if not s.checkpoint:
        out.append(Finding("SS991", "error", "no checkpoint location: a restart starts over "
                           "(set option checkpointLocation on a durable store)"))
    else:
        local = _local_path(s.checkpoint)
        temp = (*TEMP_DIRS, tempfile.gettempdir().rstrip("/") + "/")
        if local is not None and (local.rstrip("/") + "/").startswith(temp):
            out.append(Finding("SS992", "error", "the checkpoint is under a temporary "
                               "directory, which is cleaned (use a durable store)"))
        elif local is not None and cluster:
            out.append(Finding("SS992", "error", "the checkpoint is on a local disk while "
                               "the master is a cluster: a driver restarted elsewhere "
                               "cannot find it (use HDFS, S3 or another shared store)"))
    if s.trigger.startswith("Continuous"):
        out.append(Finding("SS993", "error", "a continuous trigger is at-least-once only "
                           "(and runs no foreachBatch): use processingTime"))
    elif s.interval_ms == 0:
        out.append(Finding("SS993", "warning", "no trigger interval: micro-batches run back "
                           "to back (set trigger(processingTime=...))"))
    if s.sink in FILE_SINKS and s.output_mode != "append":
        out.append(Finding("SS994", "error", f"the file sink ({s.sink}) supports the append "
                           f"output mode only, not {s.output_mode}"))
    elif s.sink == "foreachBatch" and s.output_mode == "complete":
        out.append(Finding("SS994", "warning", "foreachBatch in complete mode rewrites the "
                           "whole result every batch"))
    if s.sink == "foreachBatch":
        fn = foreach_batch or s.foreach_batch
        if fn is None:
            out.append(Finding("SS995", "warning", "cannot tell whether the foreachBatch "
                               "function is idempotent: pass it as foreach_batch="))
        elif not getattr(fn, "idempotent", False):
            out.append(Finding("SS995", "error", "the foreachBatch function is not declared "
                               "idempotent: a replayed batch (at-least-once) is written "
                               "twice; use sparkseal.sinks or mark fn.idempotent = True"))
    return out


def check_setup(
    query_or_writer: Any, *, foreach_batch: Callable[..., Any] | None = None
) -> list[Finding]:
    """Findings on a PySpark ``DataStreamWriter`` (before ``start()``) or a running
    ``StreamingQuery``; an empty list means the setup is sound. ``foreach_batch`` names the
    batch function when it cannot be read back from the JVM. Raises SS996 on anything else.
    """
    from pyspark.sql.streaming.query import StreamingQuery
    from pyspark.sql.streaming.readwriter import DataStreamWriter

    if isinstance(query_or_writer, DataStreamWriter) and hasattr(query_or_writer, "_jwrite"):
        setup = _from_writer(query_or_writer)
    elif isinstance(query_or_writer, StreamingQuery) and hasattr(query_or_writer, "_jsq"):
        setup = _from_query(query_or_writer)
    else:
        raise SparkSealError(coded("SS996", "check_setup needs a PySpark DataStreamWriter "
                                   "or StreamingQuery (not Spark Connect)"))
    return _judge(setup, foreach_batch)
