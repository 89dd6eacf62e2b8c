"""Column protection by policy: per-role rules compiled to native Spark expressions."""
