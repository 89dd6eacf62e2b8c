"""What a checked write found: one :class:`CheckResult` per check and a JSON report.

Nothing here holds data in clear: metrics are counts, ratios and ages (never an observed
min, max or value), and failing-row samples are sealed tokens or rows already passed
through ``sparkseal.protect``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError


@dataclass(frozen=True)
class CheckResult:
    name: str
    kind: str
    columns: tuple[str, ...]
    severity: str
    metric: str
    """What ``value`` measures: ``fail_ratio``, ``null_ratio``, ``row_count`` or ``age_seconds``."""
    value: float | int | None
    threshold: Any
    passed: bool
    failing_rows: int | None = None
    """Rows that failed this check (row-level checks)."""
    null_rows: int | None = None
    """Rows the check could not judge because a checked value is NULL (neither pass nor fail)."""
    samples: tuple[Any, ...] = ()
    """Failing rows: sealed tokens, or dicts protected for ``sample_role``."""


@dataclass
class QualityResult:
    checks: list[CheckResult]
    rows: int
    valid_rows: int
    quarantined_rows: int
    output: str
    quarantine: str | None
    as_of: str
    committed: bool
    samples: str = "none"
    """How samples are kept: ``sealed``, ``protected:<role>`` or ``none``."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no ``error`` check failed."""
        return not self.failed("error")

    def failed(self, severity: str | None = None) -> list[CheckResult]:
        return [
            c for c in self.checks if not c.passed and (severity is None or c.severity == severity)
        ]

    def check(self, name: str) -> CheckResult:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["passed"] = self.passed
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The run's report (what to store or ship to a dashboard; holds no clear data)."""
        return json.dumps(self.to_dict(), indent=indent, default=str, ensure_ascii=False)


class QualityError(SparkSealError):
    """A data quality gate refused, or a check cannot be evaluated. ``result`` is set when
    the data was checked (an ``error`` check failed); the message names checks, never values."""

    def __init__(self, message: str, result: QualityResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def failed_checks_error(result: QualityResult) -> QualityError:
    failed = result.failed("error")
    names = ", ".join(
        f"{c.name} ({c.kind}, {c.metric}"
        + (f", {c.failing_rows} failing rows" if c.failing_rows is not None else "")
        + ")"
        for c in failed
    )
    return QualityError(
        coded(
            "SS801",
            f"{len(failed)} error check(s) failed, nothing was committed at {result.output}: "
            f"{names}",
        ),
        result,
    )
