"""Compare two versions of a contract: each change breaking or compatible.

Modelled on datacontract-cli's ``breaking`` rules (``datacontract/breaking/breaking_rules.py``),
with two refinements it lacks: a type change is compatible when the new type holds every
value of the old one (Delta Lake's type widening, :func:`sparkseal.contracts.types.widens`),
and dropping ``required`` is compatible. A change is *breaking* when a consumer or producer
that worked with the old contract can fail, or lose a guarantee, with the new one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Literal

from open_data_contract_standard.model import (
    OpenDataContractStandard,
    SchemaObject,
    SchemaProperty,
)

from sparkseal.contracts import types
from sparkseal.contracts.classification import rank
from sparkseal.contracts.enforce import primary_key
from sparkseal.contracts.errors import ContractError
from sparkseal.contracts.load import as_contract, column_name

Severity = Literal["breaking", "compatible"]

RULES: dict[str, Severity] = {
    "dataset_removed": "breaking",
    "dataset_added": "compatible",
    "column_removed": "breaking",
    "column_renamed": "breaking",
    "column_added_required": "breaking",
    "column_added_optional": "compatible",
    "type_narrowed": "breaking",
    "type_changed": "breaking",
    "type_widened": "compatible",
    "required_added": "breaking",
    "required_removed": "compatible",
    "primary_key_changed": "breaking",
    "unique_added": "breaking",
    "unique_removed": "compatible",
    "classification_loosened": "breaking",
    "classification_changed": "breaking",
    "classification_tightened": "compatible",
    "classification_relabelled": "compatible",
    "description_changed": "compatible",
}
"""Each kind of change and its verdict (the table in docs/contracts.md)."""


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new contract."""

    kind: str
    dataset: str
    column: str | None
    old: str | None
    new: str | None
    detail: str = ""

    @property
    def severity(self) -> Severity:
        return RULES[self.kind]


@dataclass
class ContractDiff:
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.severity == "breaking"]

    @property
    def is_breaking(self) -> bool:
        return bool(self.breaking)

    def to_json(self) -> str:
        return json.dumps(
            {
                "breaking": len(self.breaking),
                "compatible": len(self.changes) - len(self.breaking),
                "changes": [{**asdict(c), "severity": c.severity} for c in self.changes],
            },
            indent=2,
        )


@dataclass(frozen=True)
class _Other:
    """A type that is not a Spark SQL type: an ODCS logical type, or another engine's name."""

    text: str
    logical: str | None

    def __str__(self) -> str:
        return self.text


_Type = types.SqlType | _Other | None


def _type_of(prop: SchemaProperty) -> _Type:
    if prop.physicalType:
        try:
            return types.parse(prop.physicalType)
        except ContractError:  # another engine's type name: compared as text
            return _Other(prop.physicalType.strip().lower(), prop.logicalType)
    return _Other(f"logical {prop.logicalType}", prop.logicalType) if prop.logicalType else None


def _type_change(old: SchemaProperty, new: SchemaProperty) -> tuple[str, str] | None:
    """(kind, detail) for a type change, or None when the type is the same."""
    a, b = _type_of(old), _type_of(new)
    if a == b:
        return None
    if isinstance(a, types.SqlType) and isinstance(b, types.SqlType):
        if types.widens(a, b):
            return "type_widened", "every old value fits the new type"
        if types.widens(b, a):
            return "type_narrowed", "old values may not fit the new type"
        return "type_changed", "a different kind of type"
    if b is None:
        return "type_widened", "type constraint removed"
    if a is None:
        return "type_narrowed", "type constraint added"
    # At least one side is not a Spark type: compare what can be compared, the logical types.
    la, lb = a.logical, b.logical
    if la is None or lb is None:
        return "type_changed", "types that cannot be compared"
    if la == lb:
        if isinstance(b, _Other) and b.text.startswith("logical "):
            return "type_widened", "physical type dropped, same logical type"
        if isinstance(a, _Other) and a.text.startswith("logical "):
            return "type_narrowed", "physical type pinned within the same logical type"
        return "type_changed", "another physical type of the same logical type"
    if (la, lb) in types.LOGICAL_WIDENS:
        return "type_widened", "every old value fits the new logical type"
    if (lb, la) in types.LOGICAL_WIDENS:
        return "type_narrowed", "old values may not fit the new logical type"
    return "type_changed", "a different kind of type"


def _shown(t: _Type) -> str | None:
    return None if t is None else str(t)


def _classification_change(old: str | None, new: str | None) -> str | None:
    if (old or "").strip().lower() == (new or "").strip().lower():
        return None
    r_old, r_new = rank(old), rank(new)
    if r_old == 0 and r_new != 0:  # from public / unclassified, anything is stricter
        return "classification_tightened"
    if r_old is None or r_new is None:
        return "classification_changed"  # an unknown value: cannot tell, so breaking
    if r_new < r_old:
        return "classification_loosened"
    return "classification_tightened" if r_new > r_old else "classification_relabelled"


def _column_changes(dataset: str, old: SchemaProperty, new: SchemaProperty) -> list[Change]:
    col = column_name(new)
    out: list[Change] = []
    if column_name(old) != col:
        out.append(
            Change(
                "column_renamed",
                dataset,
                col,
                column_name(old),
                col,
                f"same stable id {old.id!r}",
            )
        )
    if t := _type_change(old, new):
        out.append(Change(t[0], dataset, col, _shown(_type_of(old)), _shown(_type_of(new)), t[1]))
    if bool(old.required) != bool(new.required):
        kind = "required_added" if new.required else "required_removed"
        out.append(Change(kind, dataset, col, str(bool(old.required)), str(bool(new.required))))
    if bool(old.unique) != bool(new.unique):
        kind = "unique_added" if new.unique else "unique_removed"
        out.append(Change(kind, dataset, col, str(bool(old.unique)), str(bool(new.unique))))
    if kind := _classification_change(old.classification, new.classification):
        out.append(Change(kind, dataset, col, old.classification, new.classification))
    for attr in ("description", "businessName", "name"):
        if getattr(old, attr) != getattr(new, attr) and not (
            attr == "name" and column_name(old) != col
        ):
            out.append(
                Change(
                    "description_changed",
                    dataset,
                    col,
                    None,
                    None,
                    f"{attr} changed",
                )
            )
    return out


def _match(
    old: list[SchemaProperty], new: list[SchemaProperty]
) -> tuple[list[tuple[SchemaProperty, SchemaProperty]], list[SchemaProperty], list[SchemaProperty]]:
    """Pairs (by stable ``id`` when both sides have one, else by column name), removed, added."""
    pairs: list[tuple[SchemaProperty, SchemaProperty]] = []
    new_left = list(new)
    removed: list[SchemaProperty] = []
    new_ids = {p.id: p for p in new if p.id}
    for o in old:
        n = new_ids.get(o.id) if o.id else None
        if n is None:
            n = next(
                (
                    p
                    for p in new_left
                    if column_name(p) == column_name(o) and not (p.id and o.id and p.id != o.id)
                ),
                None,
            )
        if n is None or n not in new_left:
            removed.append(o)
            continue
        new_left.remove(n)
        pairs.append((o, n))
    return pairs, removed, new_left


def _dataset_changes(name: str, old: SchemaObject, new: SchemaObject) -> list[Change]:
    out: list[Change] = []
    old_props, new_props = list(old.properties or []), list(new.properties or [])
    pairs, removed, added = _match(old_props, new_props)
    for o in removed:
        out.append(Change("column_removed", name, column_name(o), _shown(_type_of(o)), None))
    for n in added:
        kind = "column_added_required" if n.required or n.primaryKey else "column_added_optional"
        out.append(Change(kind, name, column_name(n), None, _shown(_type_of(n))))
    for o, n in pairs:
        out.extend(_column_changes(name, o, n))
    old_key, new_key = primary_key(old_props), primary_key(new_props)
    if old_key != new_key:
        out.append(
            Change(
                "primary_key_changed",
                name,
                None,
                ", ".join(old_key) or None,
                ", ".join(new_key) or None,
            )
        )
    if old.description != new.description:
        out.append(Change("description_changed", name, None, None, None, "description changed"))
    return out


def diff(
    old: OpenDataContractStandard | str | os.PathLike[str],
    new: OpenDataContractStandard | str | os.PathLike[str],
) -> ContractDiff:
    """Every change from ``old`` to ``new``, each classified by :data:`RULES`.

    Datasets (schema objects) are matched by name. Columns are matched by their ODCS
    stable ``id`` when both versions carry one — the only way a rename is detected with
    confidence — and otherwise by column name, so an unmarked rename shows as a removed
    and an added column (both reported; the removal is breaking).
    """
    a, b = as_contract(old), as_contract(new)
    result = ContractDiff()
    old_sets = {o.name or "": o for o in a.schema_ or []}
    new_sets = {o.name or "": o for o in b.schema_ or []}
    for name, obj in old_sets.items():
        if name not in new_sets:
            result.changes.append(Change("dataset_removed", name, None, name, None))
        else:
            result.changes.extend(_dataset_changes(name, obj, new_sets[name]))
    for name in new_sets.keys() - old_sets.keys():
        result.changes.append(Change("dataset_added", name, None, None, name))
    return result
