"""Check specs are strict like the policy: a typo must not switch a check off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from sparkseal.core.errors import PolicyError
from sparkseal.core.policy import policy_from_file
from sparkseal.quality import QualityPolicy, Range, Uniqueness, parse_checks


def test_every_kind_parses_from_mappings_in_order():
    checks = parse_checks([
        {"kind": "row_count", "name": "rc", "min": 1, "max": 10},
        {"kind": "completeness", "name": "c", "column": "a", "threshold": 0.001},
        {"kind": "uniqueness", "name": "u", "key": "id"},
        {"kind": "uniqueness", "name": "u2", "key": ["a", "b"]},
        {"kind": "range", "name": "r", "column": "a", "max": 5},
        {"kind": "allowed_values", "name": "av", "column": "a", "values": ["x", "y"]},
        {"kind": "pattern", "name": "p", "column": "a", "regex": "^x$"},
        {"kind": "referential", "name": "ri", "key": "a", "reference": "db.t"},
        {"kind": "freshness", "name": "f", "column": "ts", "max_age": "PT1H"},
        {"kind": "sql", "name": "s", "expression": "a > 0", "severity": "warn"},
        Range(kind="range", name="r2", column="a", min=0),
    ])
    assert [c.name for c in checks] == ["rc", "c", "u", "u2", "r", "av", "p", "ri", "f", "s", "r2"]
    assert isinstance(checks[2], Uniqueness) and checks[2].key == ("id",)
    assert checks[8].max_age == timedelta(hours=1)
    assert checks[4].quarantines and not checks[9].quarantines and not checks[0].quarantines


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "range", "name": "r", "column": "a", "min": 1, "maxx": 2},  # typo
        {"kind": "range", "name": "r", "column": "a"},  # no bound
        {"kind": "nope", "name": "r"},
        {"kind": "completeness", "name": "has space", "column": "a"},
        {"kind": "completeness", "name": "a,b", "column": "a"},
        {"kind": "completeness", "name": "c", "column": "a", "threshold": 1.5},
        {"kind": "completeness", "name": "c", "column": "a", "severity": "fatal"},
        {"kind": "referential", "name": "ri", "key": ["a", "b"], "reference": "t",
         "reference_key": "x"},
        {"kind": "referential", "name": "ri", "key": "a", "reference": 3},
    ],
)
def test_invalid_checks_are_refused(bad):
    with pytest.raises(ValidationError):
        parse_checks([bad])


def test_names_are_unique():
    with pytest.raises(ValueError, match="unique"):
        parse_checks([{"kind": "completeness", "name": "c", "column": c} for c in "ab"])


def test_quality_section_in_the_policy(tmp_path, key_dir):
    path = tmp_path / "sparkseal.toml"
    path.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n'
        "[quality]\nsample_rows = 2\nsample_role = \"qa\"\n"
        '[[quality.checks]]\nkind = "completeness"\nname = "email_present"\ncolumn = "email"\n'
        "threshold = 0.001\nseverity = \"warn\"\n"
        '[[quality.anomalies]]\nmetric = "row_count"\nsigma = 3.0\n'
    )
    quality = policy_from_file(path).quality
    assert isinstance(quality, QualityPolicy) and quality.sample_rows == 2
    assert quality.checks[0].threshold == 0.001 and quality.checks[0].severity == "warn"
    assert quality.anomalies[0].metric == "row_count"
    path.write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n'
        '[[quality.checks]]\nkind = "completeness"\nname = "e"\ncolumn = "email"\n'
        "threshhold = 0.1\n"
    )
    with pytest.raises(PolicyError, match=r"quality\.checks"):
        policy_from_file(path)


def test_thresholds_decide_pass_and_fail():
    """The verdicts from observed metrics, at and just past each threshold."""
    from datetime import UTC, datetime

    from sparkseal.quality.gate import _evaluate

    checks = parse_checks([
        {"kind": "row_count", "name": "rc", "min": 2, "max": 4},
        {"kind": "completeness", "name": "c", "column": "a", "threshold": 0.25},
        {"kind": "range", "name": "r", "column": "a", "max": 1, "threshold": 0.25},
        {"kind": "freshness", "name": "f", "column": "ts", "max_age": 60},
        {"kind": "freshness", "name": "f2", "column": "ts", "max_age": 60},
    ])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    micros = int(now.timestamp() * 1_000_000)
    observed = {"rows": 4, "fail_1": 1, "null_1": 0, "fail_2": 2, "null_2": 1,
                "newest_3": micros - 60_000_000, "newest_4": micros - 61_000_000}
    got = {r.name: r for r in _evaluate(checks, observed, now)}
    assert got["rc"].passed and got["c"].passed and got["f"].passed
    assert not got["r"].passed and got["r"].value == 0.5 and got["r"].null_rows == 1
    assert not got["f2"].passed and got["f2"].value == 61
    assert not _evaluate(checks[:1], {"rows": 5}, now)[0].passed
    assert not _evaluate(checks[:1], {"rows": 1}, now)[0].passed
