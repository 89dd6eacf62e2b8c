"""enforce on real Spark (the shared local[2] session): one error naming every offending column."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from sparkseal.contracts import ContractError, check, contract_from_mapping, enforce
from sparkseal.core.policy import load_policy
from tests.contracts.conftest import EXAMPLE, column

SCHEMA = "customer_id bigint, email string, country string, balance decimal(12,2), signup_date date"
CANARY = "zq-canary-7731@leak.example"
CANARY_ID = 918273645546372819
D = dt.date(2026, 1, 2)


def _rows(n=4):
    return [(i + 1, f"user{i}@example.com", "FR", Decimal("10.50"), D) for i in range(n)]


@pytest.fixture(scope="module")
def policy(private_key):
    return load_policy(
        {
            "seal": {"public_key": private_key.public.to_text()},
            "protect": {
                "columns": [{"match": ["email", "*_email"], "rules": {"support": "redact"}}]
            },
        }
    )


@pytest.fixture(scope="module")
def good(spark):
    return spark.createDataFrame(_rows(), SCHEMA)


def _error(df, contract=EXAMPLE, **kw) -> ContractError:
    with pytest.raises(ContractError) as info:
        enforce(df, contract, **kw)
    assert info.value.code == "SS706"
    return info.value


def test_matching_data_passes_and_comes_back_unchanged(good, policy):
    assert enforce(good, EXAMPLE, policy=policy) is good
    report = check(good, EXAMPLE, policy=policy)
    assert report.ok and report.rows == 4


def test_missing_extra_and_wrongly_typed_columns(good, policy):
    df = (
        good.drop("signup_date")
        .withColumn("note", F.lit("x"))
        .withColumn("balance", F.col("balance").cast("double"))
    )
    err = _error(df, policy=policy)
    found = {(v.code, v.columns) for v in err.violations}
    assert found == {
        ("SS707", ("signup_date",)),
        ("SS708", ("note",)),
        ("SS709", ("balance",)),
    }
    text = str(err)
    assert "missing column: signup_date (date)" in text
    assert "extra column: note (string)" in text
    assert "balance is double, the contract says decimal(12,2)" in text


def test_nulls_in_required_columns_are_counted(spark, policy):
    rows = _rows(5)
    rows[1] = (2, None, "FR", Decimal("1.00"), None)
    rows[3] = (4, None, None, None, D)  # country and balance are optional
    err = _error(spark.createDataFrame(rows, SCHEMA), policy=policy)
    assert {(v.code, v.columns) for v in err.violations} == {
        ("SS710", ("email",)),
        ("SS710", ("signup_date",)),
    }
    assert "email has 2 null(s) in 5 rows" in str(err)
    assert "signup_date has 1 null(s) in 5 rows" in str(err)


def test_duplicate_primary_keys(spark, policy):
    rows = _rows(4) + [(2, "b@example.com", "DE", Decimal("1.00"), D)] * 2
    df = spark.createDataFrame(rows, SCHEMA)
    err = _error(df, policy=policy)
    assert [(v.code, v.columns) for v in err.violations] == [("SS711", ("customer_id",))]
    assert "2 row(s) repeat a key" in str(err)
    assert check(df, EXAMPLE, policy=policy, check_primary_key=False).ok


def test_pii_column_without_a_protect_rule(good, private_key, policy):
    bare = load_policy({"seal": {"public_key": private_key.public.to_text()}})
    err = _error(good, policy=bare)
    assert [(v.code, v.columns) for v in err.violations] == [("SS712", ("email",))]
    assert "classified 'pii'" in str(err)
    clear = load_policy(
        {
            "seal": {"public_key": private_key.public.to_text()},
            "protect": {"columns": [{"match": ["email"], "default": "clear"}]},
        }
    )
    assert not check(good, EXAMPLE, policy=clear).ok  # clear for everyone protects nothing
    assert check(good, EXAMPLE, policy=policy).ok


def test_every_problem_in_one_error_and_no_data_value_in_it(spark, policy, private_key):
    bare = load_policy({"seal": {"public_key": private_key.public.to_text()}})
    rows = [
        (CANARY_ID, CANARY, CANARY, "12.5", D),
        (CANARY_ID, None, CANARY, "7", None),
    ]
    df = spark.createDataFrame(
        rows, "customer_id bigint, email string, note string, balance string, signup_date date"
    )
    err = _error(df, policy=bare)
    assert {v.code for v in err.violations} == {
        "SS707",
        "SS708",
        "SS709",
        "SS710",
        "SS711",
        "SS712",
    }
    text = str(err) + repr(err.violations)
    for column_name in ("country", "note", "balance", "email", "signup_date", "customer_id"):
        assert column_name in text
    for value in (CANARY, "zq-canary", str(CANARY_ID), "12.5", "2026-01-02"):
        assert value not in text


def test_null_and_key_counts_take_the_same_number_of_jobs_for_any_number_of_columns(
    spark, policy, example
):
    # One aggregation for all columns: adding required columns must not add Spark jobs.
    def jobs(contract):
        df = spark.createDataFrame(_rows(), SCHEMA)
        group = f"contract-{uuid.uuid4().hex[:8]}"
        spark.sparkContext.setJobGroup(group, "contract test")
        try:
            check(df, contract, policy=policy)
        finally:
            spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
        return len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))

    one = dict(example)
    for p in one["schema"][0]["properties"]:
        p["required"] = p["name"] == "signup_date"
        p.pop("primaryKey", None)
        p.pop("primaryKeyPosition", None)
    every = contract_from_mapping({**one, "schema": [dict(one["schema"][0])]})
    for p in every.schema_[0].properties:
        p.required = True
    assert jobs(contract_from_mapping(one)) == jobs(every) >= 1


def test_logical_types_alone_are_checked(good, policy, example):
    for p in example["schema"][0]["properties"]:
        del p["physicalType"]
    assert check(good, contract_from_mapping(example), policy=policy).ok
    column(example, "country")["logicalType"] = "integer"
    report = check(good, contract_from_mapping(example), policy=policy)
    assert [v.message for v in report.violations] == [
        "wrong type: column country is string, the contract says logical integer"
    ]


def test_a_physical_type_spark_does_not_know_is_reported(good, policy, example):
    column(example, "balance")["physicalType"] = "NUMBER(12,2)"
    report = check(good, contract_from_mapping(example), policy=policy)
    assert [(v.code, v.columns) for v in report.violations] == [("SS713", ("balance",))]


def test_a_mismatch_fails_before_anything_is_written(good, policy, tmp_path):
    out = tmp_path / "customers"
    with pytest.raises(ContractError):
        enforce(good.drop("country"), EXAMPLE, policy=policy).write.parquet(str(out))
    assert not out.exists()


def test_policy_defaults_to_the_environment(good, policy_file, monkeypatch):
    # The policy file of tests/conftest.py has no [protect]: the PII column is unprotected.
    monkeypatch.setenv("SPARKSEAL_POLICY", str(policy_file))
    report = check(good, EXAMPLE)
    assert [v.code for v in report.violations] == ["SS712"]
