"""Column protection by policy: per-role rules compiled to native Spark expressions."""

from sparkseal.columns.api import create_role_views, protect, rejected_tokens, unprotect

__all__ = ["create_role_views", "protect", "rejected_tokens", "unprotect"]
