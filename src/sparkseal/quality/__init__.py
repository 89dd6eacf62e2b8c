"""Data quality gates: checks evaluated in one pass over the data, with quarantine.

See docs/quality.md. ``write_checked`` is the gated write.
"""

from sparkseal.quality.checks import (
    AllowedValues,
    Check,
    Completeness,
    Freshness,
    Pattern,
    QualityPolicy,
    Range,
    Referential,
    RowCount,
    SqlCheck,
    Uniqueness,
    parse_checks,
)
from sparkseal.quality.contract import checks_from_contract
from sparkseal.quality.gate import read_quarantine, run_metrics, write_checked
from sparkseal.quality.results import CheckResult, QualityError, QualityResult
from sparkseal.quality.streaming import CheckedBatches, checked_batches

__all__ = [
    "AllowedValues", "Check", "CheckResult", "CheckedBatches", "Completeness", "Freshness",
    "Pattern",
    "QualityError", "QualityPolicy", "QualityResult", "Range", "Referential", "RowCount",
    "SqlCheck", "Uniqueness", "checked_batches", "checks_from_contract", "parse_checks",
    "read_quarantine", "run_metrics", "write_checked",
]
