"""The tamper-evident audit trail (docs/audit.md). Importable without Spark."""

from __future__ import annotations

from sparkseal.audit.trail import AuditEntry, AuditTrail

__all__ = ["AuditEntry", "AuditTrail"]
