"""``restart_stream``: a streaming query dies inside a micro-batch, after its sink wrote,
before Spark committed the batch; then it restarts from its checkpoint.

Why this shape: it is the worst moment for a sink. Spark records a batch as done only
after ``foreachBatch`` returns, so on restart it replays the same batch id with the same
data: an idempotent sink (by batch id) ends with each record once, a plain append with the
batch twice. A deterministic crash after the write proves that every time; stopping the
query from another thread at a random moment would not (and ``stop()`` cannot interrupt a
Python ``foreachBatch`` call in progress).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sparkseal.chaos.inject import ChaosFault

BatchFn = Callable[[Any, int], None]


@dataclass(frozen=True)
class RestartOutcome:
    crashed: bool  # the first query died in the chosen batch
    restarted: bool  # the second query ran to its end without error


def crash_after(fn: BatchFn, batch: int) -> BatchFn:
    """``fn`` that raises :class:`ChaosFault` after it has written batch ``batch`` once."""
    state = {"done": False}

    def wrapped(df: Any, batch_id: int) -> None:
        fn(df, batch_id)
        if batch_id == batch and not state["done"]:
            state["done"] = True
            raise ChaosFault("sparkseal chaos: injected failure (restart_stream)")

    wrapped.idempotent = getattr(fn, "idempotent", False)  # type: ignore[attr-defined]
    return wrapped


def restart_from_checkpoint(
    start: Callable[[BatchFn], Any], fn: BatchFn, *, batch: int = 1, timeout: float = 300.0
) -> RestartOutcome:
    """Start the query with ``start(foreach_batch_fn)`` (it must use the same checkpoint
    each call and a trigger that ends, e.g. ``availableNow``), let it die in ``batch``,
    start it again with ``fn`` itself, and wait for it to finish."""
    first = start(crash_after(fn, batch))
    crashed = False
    try:
        first.awaitTermination(timeout)
    except Exception:  # StreamingQueryException: expected; its text is the job's
        crashed = True
    if first.isActive:
        first.stop()
    second = start(fn)
    restarted = True
    try:
        second.awaitTermination(timeout)
    except Exception:
        restarted = False
    if second.isActive:
        second.stop()
        restarted = False
    return RestartOutcome(crashed, restarted)
