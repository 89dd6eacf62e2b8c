"""A contract's ODCS quality entries become checks; what cannot be mapped is refused."""

from __future__ import annotations

import copy

import pytest
import yaml

from sparkseal.contracts.load import contract_from_mapping
from sparkseal.quality import QualityError, checks_from_contract
from tests.contracts.conftest import EXAMPLE, column


@pytest.fixture
def example() -> dict:
    return copy.deepcopy(yaml.safe_load(EXAMPLE.read_text()))


def _with_quality(example, table=None, **by_column):
    if table is not None:
        example["schema"][0]["quality"] = table
    for name, entries in by_column.items():
        column(example, name)["quality"] = entries
    return contract_from_mapping(example)


def test_library_metrics_map_to_checks(example):
    contract = _with_quality(
        example,
        table=[{"type": "library", "metric": "rowCount", "mustBeGreaterThan": 0},
               {"metric": "duplicateValues", "arguments": {"properties": ["email", "country"]},
                "mustBe": 0, "name": "email_country_unique"}],
        email=[{"metric": "nullValues", "mustBeLessThan": 0.5, "unit": "percent",
                "severity": "warning"},
               {"metric": "invalidValues", "arguments": {"pattern": "^[^@]+@[^@]+$"},
                "mustBe": 0},
               {"type": "text", "description": "emails are lower case"}],
        country=[{"metric": "invalidValues", "arguments": {"validValues": ["DE", "FR"]},
                  "mustBeLessOrEqualTo": 1, "unit": "percent"}],
        customer_id=[{"metric": "duplicateValues", "mustBe": 0}],
    )
    checks = {c.name: c for c in checks_from_contract(contract)}
    assert set(checks) == {"dataset_rowCount", "email_country_unique", "email_nullValues",
                           "email_invalidValues", "country_invalidValues",
                           "customer_id_duplicateValues"}
    assert checks["dataset_rowCount"].min == 1 and checks["dataset_rowCount"].max is None
    assert checks["email_country_unique"].key == ("email", "country")
    assert checks["email_nullValues"].threshold == 0.005
    assert checks["email_nullValues"].severity == "warn"
    assert checks["email_invalidValues"].kind == "pattern"
    assert checks["country_invalidValues"].values == ("DE", "FR")
    assert checks["country_invalidValues"].threshold == 0.01
    assert checks["customer_id_duplicateValues"].key == ("customer_id",)


@pytest.mark.parametrize(
    "entry",
    [
        {"type": "sql", "query": "SELECT COUNT(*) FROM customers", "mustBe": 0},
        {"metric": "nullValues", "mustBeLessThan": 5},  # a count, not a ratio
        {"type": "custom", "engine": "soda", "implementation": "missing_count(email) = 0"},
        {"metric": "invalidValues", "mustBe": 0},
    ],
)
def test_what_cannot_be_mapped_is_refused(example, entry):
    with pytest.raises(QualityError, match="SS803"):
        checks_from_contract(_with_quality(example, email=[entry]))
