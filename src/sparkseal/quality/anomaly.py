"""Anomaly checks: today's metric against its history (:mod:`sparkseal.quality.history`).

The strategies follow Deequ's (``com.amazon.deequ.anomalydetection``, Apache-2.0, see
docs/quality.md): :class:`OnlineNormal` is its ``OnlineNormalStrategy`` (running mean and
population standard deviation, the value counted in its own baseline, the first runs never
flagged, anomalies optionally left out of the baseline); :class:`AbsoluteChange` and
:class:`RelativeChange` are its ``AbsoluteChangeStrategy`` and
``RelativeRateOfChangeStrategy`` of order 1 (against the previous run).

Why pure functions over a list of floats: the same code judges a live run, a replayed
batch and a test's synthetic history, and a check result never depends on how the history
was stored. An anomaly is a check result like any other, with a severity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.quality.history import metric_value

if TYPE_CHECKING:
    from sparkseal.quality.history import QualityHistory

Severity = Literal["error", "warn"]
ANOMALY_CODE = "SS845"


class AnomalySpecError(SparkSealError, ValueError):
    """An anomaly strategy or spec has invalid parameters (SS844)."""


def _format(exc: ValidationError, what: str) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or what
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (see docs/quality.md)"
        parts.append(f"{where}: {msg}")
    return f"invalid {what}: " + "; ".join(parts)


class _Model(BaseModel):
    """Frozen, strict about unknown fields; direct construction errors are coded (SS844)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise AnomalySpecError(coded("SS844", _format(exc, type(self).__name__))) from None


class OnlineNormal(_Model):
    """Deequ's OnlineNormalStrategy: flag a value outside mean ± sigma·std of the runs so far.

    ``skip_first`` runs are never flagged (Deequ: a fraction, ``ignoreStartPercentage``;
    here a count, so a growing history does not move it). With ``exclude_anomalies`` a
    flagged run does not enter the baseline of later runs.
    """

    kind: Literal["online_normal"] = "online_normal"
    sigma: float = Field(3.0, gt=0, allow_inf_nan=False)
    skip_first: int = Field(10, ge=0)
    exclude_anomalies: bool = True


class AbsoluteChange(_Model):
    """Deequ's AbsoluteChangeStrategy (order 1): flag ``value - previous`` above
    ``max_increase`` or ``previous - value`` above ``max_decrease`` (both magnitudes, >= 0;
    Deequ's ``maxRateDecrease`` is the negative of ``max_decrease``). Leave one out to not
    bound that direction."""

    kind: Literal["absolute_change"] = "absolute_change"
    max_increase: float | None = Field(None, ge=0, allow_inf_nan=False)
    max_decrease: float | None = Field(None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_bound(self) -> AbsoluteChange:
        if self.max_increase is None and self.max_decrease is None:
            raise ValueError("give max_increase, max_decrease or both")
        return self


class RelativeChange(_Model):
    """Deequ's RelativeRateOfChangeStrategy (order 1): flag ``value / previous`` above
    ``max_rate_increase`` (e.g. 1.1: more than 10 % up) or below ``max_rate_decrease``
    (e.g. 0.9: more than 10 % down). Meant for non-negative metrics (counts, ratios)."""

    kind: Literal["relative_change"] = "relative_change"
    max_rate_increase: float | None = Field(None, ge=1, allow_inf_nan=False)
    max_rate_decrease: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_bound(self) -> RelativeChange:
        if self.max_rate_increase is None and self.max_rate_decrease is None:
            raise ValueError("give max_rate_increase, max_rate_decrease or both")
        return self


AnyStrategy = OnlineNormal | AbsoluteChange | RelativeChange
Strategy = Annotated[AnyStrategy, Field(discriminator="kind")]
"""A strategy as a pydantic field (tagged by ``kind``), e.g. ``strategy: Strategy``."""

_STRATEGY_FIELDS: dict[str, tuple[type[_Model], tuple[str, ...]]] = {
    "online_normal": (OnlineNormal, ("sigma", "skip_first", "exclude_anomalies")),
    "absolute_change": (AbsoluteChange, ("max_increase", "max_decrease")),
    "relative_change": (RelativeChange, ("max_rate_increase", "max_rate_decrease")),
}


class AnomalySpec(_Model):
    """One ``[[quality.anomalies]]`` entry: a metric, a strategy and its parameters, flat.

    \b
        [[quality.anomalies]]
        metric = "row_count"
        strategy = "online_normal"      # or "absolute_change", "relative_change"
        sigma = 3.0
        skip_first = 10
        severity = "error"              # default "warn"

    Parameters of another strategy than the chosen one are refused, so a typo cannot
    silently fall back to a default.
    """

    metric: str = Field(min_length=1, max_length=255)
    strategy: Literal["online_normal", "absolute_change", "relative_change"] = "online_normal"
    name: str | None = Field(None, min_length=1, max_length=255)
    severity: Severity = "warn"
    window: int | None = Field(None, ge=1)
    sigma: float | None = None
    skip_first: int | None = None
    exclude_anomalies: bool | None = None
    max_increase: float | None = None
    max_decrease: float | None = None
    max_rate_increase: float | None = None
    max_rate_decrease: float | None = None

    @model_validator(mode="after")
    def _fields_of_the_strategy(self) -> AnomalySpec:
        own = _STRATEGY_FIELDS[self.strategy][1]
        others = sorted(
            f
            for _, fields in _STRATEGY_FIELDS.values()
            for f in fields
            if f not in own and getattr(self, f) is not None
        )
        if others:
            raise ValueError(
                f"{', '.join(others)} not a parameter of strategy {self.strategy!r} "
                f"(its parameters: {', '.join(own)})"
            )
        self.to_strategy()  # its own bounds are checked now, not at the first run
        return self

    @property
    def check_name(self) -> str:
        """The check's name in results: ``name``, or ``anomaly:<metric>``."""
        return self.name or f"anomaly:{self.metric}"

    def to_strategy(self) -> AnyStrategy:
        model, fields = _STRATEGY_FIELDS[self.strategy]
        given = {f: getattr(self, f) for f in fields if getattr(self, f) is not None}
        try:
            return model.model_validate(given)  # type: ignore[return-value]
        except ValidationError as exc:
            raise ValueError(_format(exc, f"{self.strategy} parameters")) from None


@dataclass(frozen=True)
class OnlinePoint:
    """One point of an online-normal scan: the mean and std it was judged with."""

    value: float
    mean: float
    std: float
    lower: float
    upper: float
    is_anomaly: bool


def online_normal_scan(series: Sequence[float], strategy: OnlineNormal) -> list[OnlinePoint]:
    """Judge every point of ``series`` in order, as Deequ's ``computeStatsAndAnomalies``.

    Each point is judged against the mean and population std of the baseline *including
    itself* (Deequ's choice; so with n earlier runs no value can lie beyond sqrt(n) std,
    and at sigma 3 nothing is flagged before 10 earlier runs). Welford's update keeps it
    one pass and numerically stable. One deliberate difference from Deequ: a point left
    out of the baseline is not counted in n either (Deequ keeps counting it, which skews
    the mean and shrinks the std after every anomaly).
    """
    out: list[OnlinePoint] = []
    n, mean, m2 = 0, 0.0, 0.0
    for index, x in enumerate(series):
        k = n + 1
        new_mean = mean + (x - mean) / k
        new_m2 = m2 + (x - mean) * (x - new_mean)
        std = math.sqrt(max(new_m2, 0.0) / k)
        lower, upper = new_mean - strategy.sigma * std, new_mean + strategy.sigma * std
        flagged = index >= strategy.skip_first and not lower <= x <= upper
        out.append(OnlinePoint(x, new_mean, std, lower, upper, flagged))
        if not (flagged and strategy.exclude_anomalies):
            n, mean, m2 = k, new_mean, new_m2
    return out


@dataclass(frozen=True)
class Verdict:
    """A strategy's judgement of one value: the bounds it expected and whether it is out."""

    lower: float | None
    upper: float | None
    is_anomaly: bool
    detail: str


def judge(history: Sequence[float], value: float, strategy: AnyStrategy) -> Verdict:
    """Judge ``value`` (this run) against ``history`` (earlier runs, oldest first)."""
    if isinstance(strategy, OnlineNormal):
        point = online_normal_scan([*history, value], strategy)[-1]
        if len(history) < strategy.skip_first:
            why = f"within the first {strategy.skip_first} runs, not judged"
        else:
            why = f"mean {point.mean:g} ± {strategy.sigma:g}·std {point.std:g}"
        return Verdict(point.lower, point.upper, point.is_anomaly, why)
    if isinstance(strategy, AbsoluteChange | RelativeChange):
        if not history:
            return Verdict(None, None, False, "no previous run to compare with")
        prev = history[-1]
        if isinstance(strategy, AbsoluteChange):
            lower = None if strategy.max_decrease is None else prev - strategy.max_decrease
            upper = None if strategy.max_increase is None else prev + strategy.max_increase
            out = (lower is not None and value < lower) or (upper is not None and value > upper)
            return Verdict(lower, upper, out, f"change {value - prev:g} from previous {prev:g}")
        lo, hi = strategy.max_rate_decrease, strategy.max_rate_increase
        if prev == 0:  # Deequ divides: 0/0 is NaN (never flagged), x/0 is ±infinity
            rate = 1.0 if value == 0 else math.copysign(math.inf, value)
        else:
            rate = value / prev
        lower = None if lo is None else prev * lo
        upper = None if hi is None else prev * hi
        out = (lo is not None and rate < lo) or (hi is not None and rate > hi)
        return Verdict(lower, upper, out, f"rate {rate:g} of previous {prev:g}")
    raise AnomalySpecError(coded("SS844", f"not an anomaly strategy: {type(strategy).__name__}"))


@dataclass(frozen=True)
class AnomalyResult:
    """An anomaly check's result, shaped like every other check result."""

    name: str
    metric: str
    value: float | None
    lower: float | None
    upper: float | None
    is_anomaly: bool
    severity: Severity
    history_length: int
    strategy: str
    detail: str
    code: str = ANOMALY_CODE

    @property
    def passed(self) -> bool:
        return not self.is_anomaly

    def message(self) -> str:
        """One line for a report or a log (metric values only, never data)."""
        bounds = f"[{_fmt(self.lower)}, {_fmt(self.upper)}]"
        state = "ANOMALY" if self.is_anomaly else "ok"
        text = (
            f"{self.name}: {self.metric} = {_fmt(self.value)}, expected {bounds} "
            f"({self.strategy}: {self.detail}; {self.history_length} earlier runs) {state}"
        )
        return coded(self.code, text) if self.is_anomaly else text

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}

    def check_fields(self) -> dict[str, Any]:
        """The fields of a quality ``CheckResult`` (kind ``anomaly``): the expected bounds,
        strategy and history length are its threshold."""
        return {
            "name": self.name,
            "kind": "anomaly",
            "columns": (),
            "severity": self.severity,
            "metric": self.metric,
            "value": self.value,
            "threshold": {
                "strategy": self.strategy,
                "lower": self.lower,
                "upper": self.upper,
                "history_length": self.history_length,
            },
            "passed": self.passed,
        }


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def evaluate(
    history: Sequence[float],
    metric: str,
    value: object,
    strategy: AnyStrategy,
    *,
    severity: Severity = "warn",
    name: str | None = None,
) -> AnomalyResult:
    """The pure core of :func:`detect`: judge ``value`` against a list of earlier values.

    A run without a value (None) is not judged and passes; non-numbers are refused (SS840).
    """
    if severity not in ("error", "warn"):
        raise AnomalySpecError(
            coded("SS844", f"severity must be 'error' or 'warn', not {severity!r}")
        )
    number = metric_value(metric, value)
    past = [float(v) for v in history]
    kind = getattr(strategy, "kind", type(strategy).__name__)
    if number is None:
        verdict = Verdict(None, None, False, "no value in this run, not judged")
    else:
        verdict = judge(past, number, strategy)
    return AnomalyResult(
        name=name or f"anomaly:{metric}",
        metric=metric,
        value=number,
        lower=verdict.lower,
        upper=verdict.upper,
        is_anomaly=verdict.is_anomaly,
        severity=severity,
        history_length=len(past),
        strategy=kind,
        detail=verdict.detail,
    )


def detect(
    history: QualityHistory,
    dataset: str,
    metric: str,
    value: object,
    strategy: AnyStrategy,
    *,
    severity: Severity = "warn",
    name: str | None = None,
    window: int | None = None,
    run_key: str | None = None,
) -> AnomalyResult:
    """Judge this run's ``value`` of ``metric`` against ``dataset``'s stored history.

    Call it before :meth:`QualityHistory.record` of this run, or pass ``run_key``: the
    history is then the runs before that key, so a replayed batch (already recorded) gets
    the same verdict as its first attempt. ``window`` keeps only the newest runs.
    """
    past = [v for _, v in history.series(dataset, metric, limit=window, before_run=run_key)]
    return evaluate(past, metric, value, strategy, severity=severity, name=name)


def detect_all(
    history: QualityHistory,
    dataset: str,
    metrics: Mapping[str, object],
    specs: Sequence[AnomalySpec],
    *,
    run_key: str | None = None,
) -> list[AnomalyResult]:
    """Every spec's result for one run's ``metrics`` (a metric the run lacks is not judged)."""
    return [
        detect(
            history,
            dataset,
            spec.metric,
            metrics.get(spec.metric),
            spec.to_strategy(),
            severity=spec.severity,
            name=spec.check_name,
            window=spec.window,
            run_key=run_key,
        )
        for spec in specs
    ]
