"""Prometheus metrics that never carry data (docs/observability.md)."""
