"""Roles, deny-by-default, unprotect's checks, role views, and no key in any plan."""

from __future__ import annotations

import base64
import contextlib
import io

import pytest

import sparkseal
from sparkseal.core.errors import PolicyError, SparkSealError
from tests.conftest import run_python

COLUMNS = [
    {"match": "email", "rules": {"analyst": "hash", "fraud": "tokenize", "ops": "encrypt"}},
    {"match": ["ssn", "*_ssn"], "rules": {"fraud": {"rule": "partial", "keep_last": 4}}},
]


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(
        [(1, "alice@example.com", "123-45-6789", "ok")],
        "id int, email string, ssn string, note string",
    )


def test_unknown_role_gets_the_deny_default(df, make_policy):
    dropped = sparkseal.protect(df, "intern", make_policy(COLUMNS))
    assert dropped.columns == ["id", "note"]  # default = "drop"
    nulled = sparkseal.protect(df, "intern", make_policy(COLUMNS, default="null"))
    assert nulled.columns == df.columns
    assert nulled.dtypes == df.dtypes
    assert nulled.first().asDict() == {"id": 1, "email": None, "ssn": None, "note": "ok"}
    # a role with a rule for one column is still denied the other
    assert sparkseal.protect(df, "analyst", make_policy(COLUMNS)).columns == ["id", "email", "note"]


def test_a_column_default_rule_serves_unknown_roles(df, make_policy):
    columns = [{**COLUMNS[0], "default": "redact"}, COLUMNS[1]]
    row = sparkseal.protect(df, "intern", make_policy(columns)).first().asDict()
    assert row == {"id": 1, "email": "[REDACTED]", "note": "ok"}  # ssn: no default, denied
    named = sparkseal.protect(df, "analyst", make_policy(columns)).first()
    assert named.email != "[REDACTED]" and len(named.email) == 64  # the role's own rule wins


def test_role_from_current_user(spark, df, make_policy):
    user = spark.sql("SELECT current_user()").first()[0]
    mapped = sparkseal.protect(df, policy=make_policy(COLUMNS, users={user: "fraud"}))
    assert mapped.first().ssn == "*******6789"
    unmapped = sparkseal.protect(df, policy=make_policy(COLUMNS))
    assert unmapped.columns == ["id", "note"]


def test_unprotect_is_for_unprotect_roles_only(df, make_policy):
    policy = make_policy(COLUMNS)
    tokens = sparkseal.protect(df, "fraud", policy)
    with pytest.raises(SparkSealError, match=r"^SS205: role 'analyst' may not unprotect"):
        sparkseal.unprotect(tokens, "analyst", policy)
    with pytest.raises(SparkSealError, match="role None may not unprotect"):
        sparkseal.unprotect(tokens, policy=policy)


def test_wrong_key_and_damaged_tokens_open_to_null(spark, df, make_policy, secrets):
    policy = make_policy(COLUMNS)
    token = sparkseal.protect(df, "fraud", policy).first().email
    cipher = sparkseal.protect(df, "ops", policy).first().email
    damaged = [
        token[:-6],  # truncated
        token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1],  # corrupted
        "tok2.!!not-base64!!",
        "tok2.",
        cipher[:20],
        cipher[:-1] + ("A" if cipher[-1] != "A" else "B"),
    ]
    rows = [(i, v, "x", "x") for i, v in enumerate([token, cipher, *damaged])]
    mixed = spark.createDataFrame(rows, df.schema)
    opened = [r.email for r in sparkseal.unprotect(mixed, "fraud", policy).orderBy("id").collect()]
    assert opened == ["alice@example.com", "alice@example.com"] + [None] * len(damaged)

    other = make_policy(COLUMNS, token_key=f"file:{secrets['other_key']}")
    wrong = sparkseal.unprotect(mixed.limit(2), "fraud", other).collect()
    assert [r.email for r in wrong] == [None, None]


def test_missing_secret_is_a_clear_error(df, make_policy, tmp_path):
    policy = make_policy(COLUMNS, pepper=f"file:{tmp_path / 'absent'}")
    with pytest.raises(PolicyError, match=r"^SS201: protect\.pepper: secret file:.*cannot read"):
        sparkseal.protect(df, "analyst", policy)


def test_role_views_for_sql_users(spark, df, make_policy):
    df.createOrReplaceTempView("customers")
    views = sparkseal.create_role_views(
        spark, "customers", ["fraud", "intern"], policy=make_policy(COLUMNS)
    )
    assert views == {"fraud": "customers_fraud", "intern": "customers_intern"}
    fraud = spark.sql("SELECT email, ssn FROM customers_fraud").first()
    assert fraud.email.startswith("tok2.") and fraud.ssn == "*******6789"
    assert spark.table("customers_intern").columns == ["id", "note"]


def _encodings(secret: bytes) -> list[str]:
    return [
        secret.decode(),
        secret.hex(),
        base64.b64encode(secret).decode(),
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
    ]


@pytest.mark.parametrize("mode", ["simple", "extended", "codegen", "cost", "formatted"])
def test_no_key_in_any_explain_mode(df, make_policy, secrets, mode):
    policy = make_policy(COLUMNS)
    views = [sparkseal.protect(df, role, policy) for role in ("analyst", "fraud", "ops")]
    views.append(sparkseal.unprotect(views[1], "fraud", policy))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for view in views:
            view.explain(mode)
    text = out.getvalue()
    assert "sparkseal_hash" in text or mode == "codegen"
    for name in ("pepper", "token_key"):
        for encoded in _encodings(secrets[name].read_bytes()):
            assert encoded not in text, f"{name} appears in explain({mode!r})"


def test_a_session_without_the_jar_is_told_how_to_fix_it(private_key, tmp_path):
    pepper = tmp_path / "pepper"
    pepper.write_text("p" * 32)
    proc = run_python(
        f"""
        from pyspark.sql import SparkSession
        import sparkseal
        builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        spark = builder.getOrCreate()
        policy = {{"seal": {{"public_key": "{private_key.public.to_text()}"}},
                   "protect": {{"pepper": "file:{pepper}",
                               "columns": [{{"match": "email", "rules": {{"a": "hash"}}}}]}}}}
        df = spark.createDataFrame([("x@example.com",)], "email string")
        try:
            sparkseal.protect(df, "a", policy)
        except sparkseal.SparkSealError as exc:
            print("ERROR:", exc)
        """
    )
    expected = "ERROR: SS406: sparkseal's JVM functions are not on the driver's classpath"
    assert expected in proc.stdout, proc.stderr
