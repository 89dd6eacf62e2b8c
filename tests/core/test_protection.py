import tomllib

import pytest
from pydantic import ValidationError

from sparkseal.core.protection import Hash, Partial, ProtectPolicy, Tokenize

TOML = """
default = "null"
pepper = "env:PEPPER"
token_key = "file:/etc/sparkseal/token.key"
unprotect_roles = ["fraud"]
users = { "alice@corp.example" = "analyst" }

[[columns]]
match = ["email", "*_email"]
rules.analyst = "hash"
rules.support = { rule = "partial", keep_last = 4 }
rules.fraud = "tokenize"

[[columns]]
match = "SSN"
rules.support = "redact"
"""
NEGATIVE_KEEP = {"rule": "partial", "keep_last": -1}


def test_toml_shorthand_and_globs():
    policy = ProtectPolicy.model_validate(tomllib.loads(TOML))
    email = policy.column_rule("Billing_Email")
    assert email is not None and email.rules["analyst"] == Hash()
    assert email.rules["support"] == Partial(keep_last=4)
    assert email.rules["fraud"] == Tokenize()
    assert policy.column_rule("ssn").match == ["SSN"]
    assert policy.column_rule("email_domain") is None
    assert policy.default == "null"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pepper": "pepper-inline-0123456789"}, "must reference a secret"),
        ({"default": "show"}, "default"),
        ({"pepper": None}, "needs protect.pepper"),
        ({"token_key": None}, "needs protect.token_key"),
        ({"columns": [{"match": [], "rules": {}}]}, "match"),
        ({"columns": [{"match": "x", "rules": {"a": "rot13"}}]}, "rot13"),
        ({"columns": [{"match": "x", "rules": {"a": NEGATIVE_KEEP}}]}, "greater than or equal"),
        ({"columns": [{"match": "x", "default": "rot13"}]}, "rot13"),
        ({"pepper": None, "columns": [{"match": "x", "default": "hash"}]}, r"default: rule"),
        ({"colums": []}, "colums"),
    ],
)
def test_bad_policies_are_refused(change, message):
    data = {**tomllib.loads(TOML), **change}
    with pytest.raises(ValidationError, match=message):
        ProtectPolicy.model_validate(data)


def test_no_columns_needs_no_secrets():
    assert ProtectPolicy().columns == []


def test_token_domains_default_to_the_entry_and_can_be_shared():
    policy = ProtectPolicy.model_validate(tomllib.loads(TOML))
    assert policy.column_rule("billing_email").token_domain == "match:email,*_email"
    assert policy.column_rule("ssn").token_domain == "match:ssn"  # patterns lower-cased
    assert policy.column_rule("email").accept_v1 is False
    shared = ProtectPolicy.model_validate(
        {"columns": [{"match": "a", "domain": "people"}, {"match": "b", "domain": "people"}]}
    )
    assert {c.token_domain for c in shared.columns} == {"people"}


@pytest.mark.parametrize(
    "column",
    [
        {"match": "x", "domain": ""},
        {"match": "x", "domain": "a\x00b"},
        {"match": "x", "domain": "line\nbreak"},
        {"match": "x", "domain": "d" * 1025},
        {"match": "x\x01"},  # the default domain would hold a control character
    ],
)
def test_bad_domains_are_refused(column):
    with pytest.raises(ValidationError, match="SS207: domain"):
        ProtectPolicy.model_validate({"columns": [column]})


def test_column_secrets_must_be_readable_by_the_jvm():
    from sparkseal.core.secrets import register_provider

    register_provider("testvault2", lambda ref: b"x" * 32)
    with pytest.raises(ValidationError, match="SS204: column secrets are read by the JVM"):
        ProtectPolicy.model_validate({"pepper": "testvault2:kv/pepper"})
