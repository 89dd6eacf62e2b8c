"""Readiness gates: rules for Spark configuration (doctor) and PySpark code (lint)."""
