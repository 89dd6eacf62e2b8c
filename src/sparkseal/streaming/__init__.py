"""Streaming done right: :func:`check_setup` validates a Structured Streaming query's setup
(checkpoint durable, trigger, output mode vs sink, ``foreachBatch`` idempotence) before it
runs for weeks. See docs/streaming.md."""

from sparkseal.streaming.check import Finding, check_setup

__all__ = ["Finding", "check_setup"]
