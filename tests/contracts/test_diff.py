"""diff: a table of change kinds, each with its expected kind and verdict."""

from __future__ import annotations

import json

import pytest

from sparkseal.contracts import RULES, contract_from_mapping, diff
from tests.contracts.conftest import column


def _props(d):
    return d["schema"][0]["properties"]


def _drop(d, name):
    d["schema"][0]["properties"] = [p for p in _props(d) if p["name"] != name]


def _rename_without_id(d):
    p = column(d, "country")
    p["name"] = "country_code"
    del p["id"]


CASES = [
    # (id, edit of the new version, expected change kind, expected verdict)
    ("column-removed", lambda d: _drop(d, "country"), "column_removed", "breaking"),
    (
        "renamed-same-id",
        lambda d: column(d, "country").update(name="country_code"),
        "column_renamed",
        "breaking",
    ),
    ("renamed-no-id", _rename_without_id, "column_removed", "breaking"),
    (
        "added-optional",
        lambda d: _props(d).append({"name": "nickname", "physicalType": "string"}),
        "column_added_optional",
        "compatible",
    ),
    (
        "added-required",
        lambda d: _props(d).append({"name": "tier", "physicalType": "int", "required": True}),
        "column_added_required",
        "breaking",
    ),
    (
        "bigint-to-int",
        lambda d: column(d, "customer_id").update(physicalType="int"),
        "type_narrowed",
        "breaking",
    ),
    (
        "decimal-precision-down",
        lambda d: column(d, "balance").update(physicalType="decimal(10,2)"),
        "type_narrowed",
        "breaking",
    ),
    (
        "string-to-int",
        lambda d: column(d, "country").update(physicalType="int", logicalType="integer"),
        "type_changed",
        "breaking",
    ),
    (
        "decimal-precision-up",
        lambda d: column(d, "balance").update(physicalType="decimal(16,2)"),
        "type_widened",
        "compatible",
    ),
    (
        "date-to-timestamp",
        lambda d: column(d, "signup_date").update(
            physicalType="timestamp", logicalType="timestamp"
        ),
        "type_widened",
        "compatible",
    ),
    (
        "logical-only-number-to-integer",
        lambda d: column(d, "balance").update(physicalType=None, logicalType="integer"),
        "type_narrowed",
        "breaking",
    ),
    (
        "nullable-to-required",
        lambda d: column(d, "country").update(required=True),
        "required_added",
        "breaking",
    ),
    (
        "required-to-nullable",
        lambda d: column(d, "signup_date").update(required=False),
        "required_removed",
        "compatible",
    ),
    (
        "primary-key-changed",
        lambda d: column(d, "email").update(primaryKey=True, primaryKeyPosition=2),
        "primary_key_changed",
        "breaking",
    ),
    (
        "unique-added",
        lambda d: column(d, "email").update(unique=True),
        "unique_added",
        "breaking",
    ),
    (
        "pii-to-public",
        lambda d: column(d, "email").update(classification="public"),
        "classification_loosened",
        "breaking",
    ),
    (
        "pii-removed",
        lambda d: column(d, "email").pop("classification"),
        "classification_loosened",
        "breaking",
    ),
    (
        "public-to-pii",
        lambda d: column(d, "country").update(classification="pii"),
        "classification_tightened",
        "compatible",
    ),
    (
        "pii-to-restricted",
        lambda d: column(d, "email").update(classification="restricted"),
        "classification_relabelled",
        "compatible",
    ),
    (
        "unknown-classification",
        lambda d: column(d, "email").update(classification="tier-2"),
        "classification_changed",
        "breaking",
    ),
    (
        "description",
        lambda d: column(d, "balance").update(description="Amount owed, in euros."),
        "description_changed",
        "compatible",
    ),
    ("dataset-removed", lambda d: d.update(schema=[]), "dataset_removed", "breaking"),
    (
        "dataset-added",
        lambda d: d["schema"].append({"name": "orders", "properties": []}),
        "dataset_added",
        "compatible",
    ),
]


def _without_nones(d):
    for p in [p for obj in d["schema"] for p in obj.get("properties", [])]:
        for k in [k for k, v in p.items() if v is None]:
            del p[k]
    return d


@pytest.mark.parametrize(
    ("edit", "kind", "verdict"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_change_kinds(example, edit, kind, verdict):
    old = contract_from_mapping(example)
    edited = dict(example)
    edit(edited)
    result = diff(old, contract_from_mapping(_without_nones(edited)))
    kinds = {c.kind: c for c in result.changes}
    assert kind in kinds, result.changes
    assert kinds[kind].severity == verdict == RULES[kind]
    assert result.is_breaking is (verdict == "breaking"), result.changes


def test_every_rule_is_exercised():
    # A rule without a case in the table (or its own test below) would be an untested verdict.
    assert set(RULES) == {c[2] for c in CASES} | {"unique_removed"}


def test_unique_removed_is_compatible(example):
    column(example, "email")["unique"] = True
    old = contract_from_mapping(example)
    column(example, "email")["unique"] = False
    result = diff(old, contract_from_mapping(example))
    assert [(c.kind, c.severity) for c in result.changes] == [("unique_removed", "compatible")]


def test_identical_contracts_have_no_change(example):
    assert diff(contract_from_mapping(example), contract_from_mapping(example)).changes == []


def test_rename_without_id_shows_removed_and_added(example):
    old = contract_from_mapping(example)
    _rename_without_id(example)
    result = diff(old, contract_from_mapping(example))
    assert {(c.kind, c.column) for c in result.changes} == {
        ("column_removed", "country"),
        ("column_added_optional", "country_code"),
    }


def test_json_report(example):
    old = contract_from_mapping(example)
    _drop(example, "country")
    report = json.loads(diff(old, contract_from_mapping(example)).to_json())
    assert report["breaking"] == 1
    assert report["changes"][0] | {"detail": ""} == {
        "kind": "column_removed",
        "dataset": "customers",
        "column": "country",
        "old": "string",
        "new": None,
        "detail": "",
        "severity": "breaking",
    }
