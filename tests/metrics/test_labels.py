"""The label allow-list: canaries of every shape become the placeholder; known values stay."""

from __future__ import annotations

import uuid

import pytest

from sparkseal.metrics.labels import (
    PLACEHOLDER,
    LabelAllowList,
    error_type,
    job_label,
    safe_label,
)


def _canaries() -> list[str]:
    tag = uuid.uuid4().hex
    return [
        f"canary-{tag}@example.com",
        f"4111 1111 1111 1111 {tag}",
        f"SELECT ssn FROM customers WHERE name = 'canary-{tag}'",
        f"Zoë Çanary-{tag} 名前",
        f"canary-{tag}" + "x" * 5000,
        f'canary-{tag}"}} evil_metric{{a="1"}} 1\n# TYPE x counter',
        f"canary-{tag}\\n",
        "",
    ]


@pytest.mark.parametrize("value", _canaries())
def test_canaries_become_the_placeholder(value: str) -> None:
    labels = LabelAllowList("job_1", app_name=value, checks=["email_not_null"])
    assert labels(value) == PLACEHOLDER
    assert job_label(None, value) == PLACEHOLDER
    assert error_type(value) == PLACEHOLDER


@pytest.mark.parametrize("value", [v for v in _canaries() if v])
def test_an_allow_list_entry_that_is_no_identifier_is_still_replaced(value: str) -> None:
    # [metrics] label_values cannot smuggle in text that could break the exposition format.
    assert safe_label(value, {value}) == PLACEHOLDER


def test_known_values_stay() -> None:
    labels = LabelAllowList("nightly", "nightly-app", ["email_not_null"], ["eu-west-1"])
    for value in ("nightly", "nightly-app", "email_not_null", "eu-west-1", "failed", "read"):
        assert labels(value) == value
    assert labels("other") == PLACEHOLDER
    assert labels(None) == PLACEHOLDER
    assert labels(3) == PLACEHOLDER


def test_job_label_prefers_the_policy_then_an_identifier_app_name() -> None:
    assert job_label("etl", "my app") == "etl"
    assert job_label(None, "my_app") == "my_app"
    assert job_label(None, "my app") == PLACEHOLDER
    assert job_label(None, None) == PLACEHOLDER


def test_error_type_is_the_class_name_of_builtin_exceptions_only() -> None:
    secret = f"canary-{uuid.uuid4().hex}@example.com"

    class CustomerError(Exception):
        pass

    assert error_type(ValueError(secret)) == "ValueError"
    assert error_type(KeyError) == "KeyError"
    assert error_type("org.apache.spark.SparkException") == "SparkException"
    assert error_type(CustomerError(secret)) == PLACEHOLDER
    assert error_type(f"{secret}Exception") == PLACEHOLDER
