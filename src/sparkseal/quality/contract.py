"""Checks from a data contract's ODCS ``quality`` entries (library metrics only).

ODCS v3 declares quality per property or per schema object. The library metrics map to
sparkseal checks: ``nullValues`` (rule ``nullCheck``) -> completeness, ``invalidValues``
with ``validValues`` or ``pattern`` -> allowed_values / pattern, ``duplicateValues``
(rule ``duplicateCount``) -> uniqueness, ``rowCount`` -> row_count. Thresholds in
``percent`` become ratios; a count threshold can only be 0 (a ratio cannot express "at
most 5 rows"). ``text`` entries are documentation and skipped; ``sql`` and ``custom``
entries, and anything else, are refused (SS803) rather than silently dropped.
"""

from __future__ import annotations

import re
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.quality.checks import NAME_PATTERN, _Check, parse_checks
from sparkseal.quality.results import QualityError

_METRICS = {
    "nullvalues": "nullValues", "nullcheck": "nullValues",
    "invalidvalues": "invalidValues", "validvalues": "invalidValues",
    "duplicatevalues": "duplicateValues", "duplicatecount": "duplicateValues",
    "rowcount": "rowCount",
}


def _refuse(where: str, why: str) -> QualityError:
    return QualityError(coded("SS803", f"contract quality entry {where}: {why}"))


def _severity(q: Any) -> str:
    return "warn" if str(q.severity or "error").lower() in ("warn", "warning", "info") else "error"


def _name(q: Any, default: str) -> str:
    if q.name and re.match(NAME_PATTERN, q.name):
        return q.name
    return re.sub(r"[^A-Za-z0-9_-]", "_", default)


def _ratio(q: Any, where: str) -> float:
    """The largest accepted failing ratio from mustBe / mustBeLessThan / mustBeLessOrEqualTo."""
    for field, value in (("mustBe", q.mustBe), ("mustBeLessOrEqualTo", q.mustBeLessOrEqualTo),
                         ("mustBeLessThan", q.mustBeLessThan)):
        if value is None:
            continue
        if (q.unit or "rows").lower() == "percent":
            return min(max(float(value) / 100.0, 0.0), 1.0)
        if (field == "mustBeLessThan" and value == 1) or (field != "mustBeLessThan" and value == 0):
            return 0.0
        raise _refuse(where, "a row-count threshold other than 0 (use unit: percent)")
    return 0.0


def _row_count(q: Any) -> dict[str, Any]:
    low = q.mustBeGreaterOrEqualTo
    if q.mustBeGreaterThan is not None:
        low = int(q.mustBeGreaterThan) + 1
    high = q.mustBeLessOrEqualTo
    if q.mustBeLessThan is not None:
        high = int(q.mustBeLessThan) - 1
    if q.mustBeBetween:
        low, high = q.mustBeBetween
    if q.mustBe is not None:
        low = high = q.mustBe
    return {"min": None if low is None else int(low), "max": None if high is None else int(high)}


def _entry(q: Any, column: str | None, where: str) -> dict[str, Any] | None:
    kind = (q.type or "library").lower()
    if kind == "text":
        return None
    if kind != "library":
        raise _refuse(where, f"type {kind!r} is not supported (library metrics only)")
    metric = _METRICS.get(str(q.metric or q.rule or "").lower())
    if metric is None:
        raise _refuse(where, f"metric {q.metric or q.rule!r} is not supported")
    args = q.arguments or {}
    base = {"severity": _severity(q)}
    label = f"{column or 'dataset'}_{metric}"
    if metric == "rowCount":
        return {"kind": "row_count", "name": _name(q, label), **base, **_row_count(q)}
    threshold = _ratio(q, where)
    if metric == "duplicateValues":
        key = args.get("properties") or ([column] if column else None)
        if not key:
            raise _refuse(where, "duplicateValues on a schema object needs arguments.properties")
        return {"kind": "uniqueness", "name": _name(q, label), "key": key,
                "threshold": threshold, **base}
    if column is None:
        raise _refuse(where, f"{metric} needs a property")
    if metric == "nullValues":
        return {"kind": "completeness", "name": _name(q, label), "column": column,
                "threshold": threshold, **base}
    if "validValues" in args:
        return {"kind": "allowed_values", "name": _name(q, label), "column": column,
                "values": args["validValues"], "threshold": threshold, **base}
    if "pattern" in args:
        return {"kind": "pattern", "name": _name(q, label), "column": column,
                "regex": args["pattern"], "threshold": threshold, **base}
    raise _refuse(where, "invalidValues needs arguments.validValues or arguments.pattern")


def checks_from_contract(contract: Any, dataset: str | None = None) -> list[_Check]:
    """The checks a contract's ``quality`` entries declare, for one dataset of it."""
    from sparkseal.contracts.load import as_contract, column_name, schema_object

    obj = schema_object(as_contract(contract), dataset)
    specs: list[dict[str, Any]] = []
    for i, q in enumerate(obj.quality or []):
        spec = _entry(q, None, f"{obj.name}.quality[{i}]")
        if spec:
            specs.append(spec)
    for prop in obj.properties or []:
        name = column_name(prop)
        for i, q in enumerate(prop.quality or []):
            spec = _entry(q, name, f"{obj.name}.{name}.quality[{i}]")
            if spec:
                specs.append(spec)
    return parse_checks(specs)
