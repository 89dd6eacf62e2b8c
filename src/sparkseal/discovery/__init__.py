"""PII discovery: detectors evaluated natively by Spark on a sample, per column."""
