"""``discover`` on real PySpark: per-column findings, sampling, and no values in the report."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import uuid

import pytest

import sparkseal
from sparkseal.core.protection import ProtectPolicy
from sparkseal.discovery.discover import Report
from sparkseal.discovery.suggest import suggest_policy

CANARY = f"canary-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture(scope="module")
def customers(spark):
    rows = []
    for i in range(200):
        rows.append(
            (
                i,
                CANARY if i == 0 else f"user{i}@example.org",
                f"please call 415-555-{1000 + i:04d}" if i % 4 == 0 else "no contact info",
                f"{100 + i:03d}-45-6789" if i % 2 else "n/a",  # half the values are SSNs
                dt.date(1970, 1, 1) + dt.timedelta(days=i * 100),
                f"Customer {i}",
                i * 1.5,
            )
        )
    schema = (
        "id int, contact string, notes string, tax_ref string, birth_date date, "
        "last_name string, amount double"
    )
    return spark.createDataFrame(rows, schema)


def _by(report: Report) -> dict[tuple[str, str], object]:
    return {(f.column, f.entity): f for f in report.findings}


def test_findings_per_column(customers):
    report = sparkseal.discover(customers, sample=None)
    found = _by(report)
    assert report.sampled_rows == 200
    email = found[("contact", "email")]
    assert (email.where, email.share, email.matches, email.values) == ("whole", 1.0, 200, 200)
    phone = found[("notes", "phone")]
    assert (phone.where, phone.matches) == ("embedded", 50)
    ssn = found[("tax_ref", "ssn")]
    assert (ssn.where, ssn.share) == ("whole", 0.5)
    assert found[("birth_date", "date_of_birth")].where == "name"
    assert found[("last_name", "person")].where == "name"
    assert not [f for f in report.findings if f.column in ("id", "amount")]
    assert report.findings == sorted(
        report.findings, key=lambda f: (-f.confidence, f.column, f.entity)
    )


def test_min_share_separates_whole_from_embedded(customers):
    ssn = _by(sparkseal.discover(customers, sample=None, min_share=0.9))[("tax_ref", "ssn")]
    assert ssn.where == "embedded"


def test_sampling(customers):
    assert sparkseal.discover(customers, sample=50).sampled_rows == 50
    assert 0 < sparkseal.discover(customers, sample=0.5).sampled_rows < 200
    only = sparkseal.discover(customers, sample=None, columns=["notes"])
    assert {f.column for f in only.findings} == {"notes"}
    for bad in (0, -3, 1.5, 0.0):
        with pytest.raises(ValueError, match="sample"):
            sparkseal.discover(customers, sample=bad)


def test_the_report_holds_counts_never_values(customers):
    text = sparkseal.discover(customers, sample=None).to_json()
    assert json.loads(text)["sampled_rows"] == 200
    assert CANARY not in text and "415-555" not in text


def test_suggested_policy_protects_what_was_found(customers, private_key, tmp_path):
    report = sparkseal.discover(customers, sample=None)
    snippet = suggest_policy(report)
    section = tomllib.loads(snippet)["protect"]
    policy = ProtectPolicy.model_validate(section)
    assert policy.column_rule("notes").rules["analyst"].rule == "redact"  # free text
    assert policy.column_rule("contact").rules["analyst"].rule == "hash"
    assert policy.column_rule("amount") is None

    # The JVM reads column secrets itself, and this session's JVM started before the test:
    # the suggested env: references are pointed at files instead.
    for name, value in (("pepper", "p" * 32), ("token_key", "t" * 32)):
        secret = tmp_path / name
        secret.write_text(value)
        section[name] = f"file:{secret}"
    full = {"seal": {"public_key": private_key.public.to_text()}, "protect": section}
    analyst = sparkseal.protect(customers, "analyst", full).where("id = 5").first()
    assert analyst.contact != "user5@example.org" and len(analyst.contact) == 64
    assert analyst.birth_date == dt.date(1971, 1, 1)  # 1971-05-16 generalized to its year
    assert sparkseal.protect(customers, "intern", full).columns == ["id", "amount"]
