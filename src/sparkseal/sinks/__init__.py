"""Sinks that stay exactly-once when Spark runs a task or a batch twice.

Task retries, speculation and a streaming restart from a checkpoint all run the same
work again; ``foreachBatch`` is at-least-once (SPARK-28650). Each sink here is
idempotent by batch id and carries ``idempotent = True`` (what the ``[resilience]``
speculation check relies on). See docs/resilience.md.
"""

from sparkseal.sinks.errors import CircuitOpenError, RetriesExhaustedError, SinkError
from sparkseal.sinks.files import file_batches
from sparkseal.sinks.partition import Breaker, breaker_state, partition_writer
from sparkseal.sinks.postgres import postgres_batches

__all__ = [
    "Breaker",
    "CircuitOpenError",
    "RetriesExhaustedError",
    "SinkError",
    "breaker_state",
    "file_batches",
    "partition_writer",
    "postgres_batches",
]
