"""Check specifications: what a dataset must satisfy, declared in TOML, a contract or Python.

Strict like the policy (unknown fields are errors: a typo must not switch a check off).
This module imports nothing from sparkseal that imports the policy, so that
``sparkseal.core.policy`` can embed :class:`QualityPolicy` without an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from sparkseal.quality.anomaly import AnomalySpec

Severity = Literal["error", "warn"]
# Names become partition directory names and report keys: no separators, no escaping.
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
Scalar = int | float | date | datetime | str


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(pattern=NAME_PATTERN, max_length=100)
    severity: Severity = "error"
    """``error`` stops the write (nothing committed); ``warn`` records and goes on."""
    threshold: float = Field(0.0, ge=0.0, le=1.0)
    """Largest accepted ratio of failing rows to all rows (0.001 = "at most 0.1 %")."""
    quarantine: bool | None = None
    """Row-level checks: rows failing this check go to the quarantine, not the output.
    Default: yes for ``error`` checks, no for ``warn`` checks (they record and go on)."""

    row_level: ClassVar[bool] = True

    def columns(self) -> tuple[str, ...]:
        return ()

    @property
    def quarantines(self) -> bool:
        if not self.row_level:
            return False
        return self.severity == "error" if self.quarantine is None else self.quarantine


class _OneColumn(_Check):
    column: str = Field(min_length=1)

    def columns(self) -> tuple[str, ...]:
        return (self.column,)


class RowCount(_Check):
    """Row count within ``[min, max]`` (dataset level, no failing rows)."""

    kind: Literal["row_count"]
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)
    row_level: ClassVar[bool] = False


class Completeness(_OneColumn):
    """Null ratio of ``column`` at most ``threshold``; a NULL row is its failing row."""

    kind: Literal["completeness"]


class Uniqueness(_Check):
    """No two rows share the key; rows with a NULL in the key are not compared (counted)."""

    kind: Literal["uniqueness"]
    key: tuple[str, ...] = Field(min_length=1)

    @field_validator("key", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    def columns(self) -> tuple[str, ...]:
        return self.key


class Range(_OneColumn):
    """``min <= column <= max`` (either bound optional); NULL is counted, not failed."""

    kind: Literal["range"]
    min: Scalar | None = None
    max: Scalar | None = None

    @model_validator(mode="after")
    def _a_bound(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range check needs min, max or both")
        return self


class AllowedValues(_OneColumn):
    """``column`` is one of ``values``; NULL is counted, not failed."""

    kind: Literal["allowed_values"]
    values: tuple[Scalar, ...] = Field(min_length=1)


class Pattern(_OneColumn):
    """``column`` (as a string) matches the Java ``regex`` (``rlike``: anchor it for a full
    match); NULL is counted, not failed."""

    kind: Literal["pattern"]
    regex: str = Field(min_length=1)


class Referential(_Check):
    """Every non-NULL ``key`` exists in ``reference`` (a table name, or a DataFrame in
    Python); joined by broadcast, so the reference must fit in memory."""

    kind: Literal["referential"]
    key: tuple[str, ...] = Field(min_length=1)
    reference: Any
    reference_key: tuple[str, ...] | None = None

    @field_validator("key", "reference_key", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @field_validator("reference")
    @classmethod
    def _table_or_frame(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip():
            return v
        if hasattr(v, "sparkSession") and hasattr(v, "schema"):
            return v
        raise ValueError("reference must be a table name or a DataFrame")

    @model_validator(mode="after")
    def _same_width(self) -> Referential:
        if self.reference_key is not None and len(self.reference_key) != len(self.key):
            raise ValueError("reference_key must have as many columns as key")
        return self

    def columns(self) -> tuple[str, ...]:
        return self.key


class Freshness(_OneColumn):
    """The newest value of ``column`` (timestamp or date) is at most ``max_age`` older than
    the run's as-of time, fixed once per run. No non-NULL value fails."""

    kind: Literal["freshness"]
    max_age: timedelta
    row_level: ClassVar[bool] = False


class SqlCheck(_Check):
    """A Spark SQL boolean ``expression`` per row: false fails, NULL is counted."""

    kind: Literal["sql"]
    expression: str = Field(min_length=1)


Check = Annotated[
    RowCount | Completeness | Uniqueness | Range | AllowedValues | Pattern | Referential
    | Freshness | SqlCheck,
    Field(discriminator="kind"),
]
CHECK_TYPES = (
    RowCount, Completeness, Uniqueness, Range, AllowedValues, Pattern, Referential, Freshness,
    SqlCheck,
)
_CHECK_LIST = TypeAdapter(list[Check])


def _unique_names(checks: Iterable[_Check]) -> None:
    seen: set[str] = set()
    for check in checks:
        if check.name in seen:
            raise ValueError(f"two checks are named {check.name!r}; names must be unique")
        seen.add(check.name)


class QualityPolicy(BaseModel):
    """The ``[quality]`` section: checks, and how failing-row samples are kept safe."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    checks: tuple[Check, ...] = ()
    sample_rows: int = Field(5, ge=0, le=1000)
    """Failing rows kept per check in the result (0: none)."""
    sample_role: str | None = None
    """If set, samples pass through ``sparkseal.protect`` for this role; otherwise each
    sample row is sealed to the policy's public key."""
    anomalies: tuple[AnomalySpec, ...] = ()
    """``[[quality.anomalies]]``: metrics compared with their history (see anomaly.py)."""

    @field_validator("checks")
    @classmethod
    def _names(cls, v: tuple[_Check, ...]) -> tuple[_Check, ...]:
        _unique_names(v)
        return v


def parse_checks(checks: Iterable[Any] | QualityPolicy | None) -> list[_Check]:
    """Checks from models, mappings (``{"kind": ..., ...}``) or a :class:`QualityPolicy`."""
    if checks is None:
        return []
    if isinstance(checks, QualityPolicy):
        return list(checks.checks)
    parsed: list[_Check] = []
    for item in checks:
        if isinstance(item, CHECK_TYPES):
            parsed.append(item)
        else:
            parsed.extend(_CHECK_LIST.validate_python([dict(item)]))
    _unique_names(parsed)
    return parsed
