"""The gated write inside ``foreachBatch``: each micro-batch checked in one pass, written once.

Why a directory per batch: Spark replays a micro-batch after a failure (same query id, same
batch id), so the sink must be idempotent. Delta has ``txnAppId``/``txnVersion`` for that; a
plain file output has not, so each batch is written by :func:`write_checked` into a hidden
directory and then renamed, in one move, to ``output/batch_id=<id>`` (the commit point). A
batch whose directory exists is skipped. Readers of ``output`` see whole batches only, with
``batch_id`` as a partition column. The history key is ``f"{query_id}:{batch_id}"``, so a
replayed batch is judged as its first attempt and never counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sparkseal.core.codes import coded
from sparkseal.quality.checks import QualityPolicy
from sparkseal.quality.gate import _Fs, write_checked
from sparkseal.quality.results import QualityError, QualityResult

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from sparkseal.core.policy import PolicyLike

QUERY_ID_PROPERTY = "sql.streaming.queryId"
"""The local property Spark's stream execution sets to the query's id (stable across
restarts from one checkpoint) on the thread that runs the batch, foreachBatch included."""
MARKER = "_sparkseal_query_"


class CheckedBatches:
    """A ``foreachBatch`` function (see :func:`checked_batches`).

    ``last_result`` is the last batch's :class:`QualityResult` (None before the first, or
    when that batch was skipped as already committed); ``skipped`` lists the batch ids
    skipped as replays.
    """

    def __init__(self, checks: Iterable[Any] | QualityPolicy | None, *, output: str,
                 quarantine: str | None, format: str, options: Mapping[str, str] | None,
                 policy: PolicyLike | bool, dataset: str | None, history: str | None,
                 query_id: str | None, as_of: datetime | None) -> None:
        self.checks = None if checks is None else (
            checks if isinstance(checks, QualityPolicy) else list(checks)
        )
        self.output, self.quarantine = output, quarantine
        self.format, self.options = format, dict(options or {})
        self.policy, self.dataset, self.history = policy, dataset, history
        self.query_id, self.as_of = query_id, as_of
        self.last_result: QualityResult | None = None
        self.skipped: list[int] = []

    def __call__(self, df: DataFrame, batch_id: int) -> None:
        spark = df.sparkSession
        query_id = self.query_id or spark.sparkContext.getLocalProperty(QUERY_ID_PROPERTY)
        if not query_id:
            raise QualityError(coded(
                "SS806", "no streaming query id: call this function from writeStream."
                         "foreachBatch, or pass query_id= (the query's id, not its runId)"))
        fs = _Fs(spark, self.output)
        output = fs.qualified(self.output)
        quarantine = fs.qualified(self.quarantine) if self.quarantine is not None else None
        name = f"batch_id={int(batch_id)}"
        final_out = f"{output}/{name}"
        final_q = f"{quarantine}/{name}" if quarantine is not None else None
        marker = f"{final_out}/{MARKER}{query_id}"
        self.last_result = None
        if fs.exists(final_out):
            if not fs.exists(marker):
                raise QualityError(coded(
                    "SS806", f"{final_out} was committed by another streaming query: one "
                             "output per checkpoint (a new checkpoint restarts batch ids at 0)"))
            self.skipped.append(int(batch_id))  # a replay of a committed batch
            return
        # Not committed: a quarantine half left by a crashed attempt is this batch's own.
        if final_q is not None:
            fs.delete(final_q)
        pending_out = f"{output}/_sparkseal_pending_{name}"
        pending_q = f"{quarantine}/_sparkseal_pending_{name}" if quarantine is not None else None
        result = write_checked(
            df, self.checks, output=pending_out, quarantine=pending_q, format=self.format,
            mode="overwrite", options=self.options, policy=self.policy, as_of=self.as_of,
            dataset=self.dataset or output, run_key=f"{query_id}:{int(batch_id)}",
            history=self.history,
        )
        fs.touch(f"{pending_out}/{MARKER}{query_id}")
        if pending_q is not None and final_q is not None:
            fs.mkdirs(quarantine)
            fs.rename(pending_q, final_q)
        fs.rename(pending_out, final_out)  # the commit point
        result.output, result.quarantine = final_out, final_q
        self.last_result = result


def checked_batches(
    checks: Iterable[Any] | QualityPolicy | None = None,
    *,
    output: str,
    quarantine: str | None = None,
    format: str = "parquet",
    options: Mapping[str, str] | None = None,
    policy: PolicyLike | bool = None,
    dataset: str | None = None,
    history: str | None = None,
    query_id: str | None = None,
    as_of: datetime | None = None,
) -> CheckedBatches:
    """A function for ``writeStream.foreachBatch(fn)`` that gates every micro-batch.

    Each batch goes through :func:`write_checked` (same checks, one pass, same quarantine
    rules) and is committed as ``output/batch_id=<id>`` (and ``quarantine/batch_id=<id>``).
    A batch already committed by this query is skipped (a replay); one committed by another
    query is refused (SS806). With a store (``history`` or the policy's), anomalies are judged
    and metrics recorded per batch under ``run_key = f"{query_id}:{batch_id}"``; ``dataset``
    defaults to the qualified ``output``. ``query_id`` defaults to the running query's id
    (Spark's ``sql.streaming.queryId`` local property). An ``error`` check failing raises
    :class:`QualityError` (SS801): the batch is not committed and the query stops.
    """
    return CheckedBatches(checks, output=output, quarantine=quarantine, format=format,
                          options=options, policy=policy, dataset=dataset, history=history,
                          query_id=query_id, as_of=as_of)
