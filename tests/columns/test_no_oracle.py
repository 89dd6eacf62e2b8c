"""SQL in a session that protected columns cannot hash a guess or open a token.

After ``protect()``, ``unprotect()`` and ``create_role_views()``, every user function the
session lists (``SHOW USER FUNCTIONS``, ``spark.catalog.listFunctions()``) is called on a
token, a ciphertext and a guessed value; none may return the plaintext, the keyed hash of
the guess or its token. A control session with an oracle registered shows the check finds
one.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

import sparkseal

PLAIN = "078-05-1120"  # the value a SQL user guesses, and the one the tokens hide
COLUMNS = [
    {"match": "ssn", "rules": {"analyst": "hash", "fraud": "tokenize", "ops": "encrypt"}},
]
FORMER_NAMES = [  # registered by sparkseal <= 0.1
    "sparkseal_hash",
    "sparkseal_tokenize",
    "sparkseal_detokenize",
    "sparkseal_encrypt",
    "sparkseal_decrypt",
]
KEYED_NAMES = [*FORMER_NAMES, "sparkseal_unprotect"]  # and the plan name of opening


def user_functions(spark) -> set[str]:
    shown = {row[0] for row in spark.sql("SHOW USER FUNCTIONS").collect()}
    listed = {
        f.name
        for f in spark.catalog.listFunctions()
        if not (f.className or "").startswith("org.apache.spark.sql.catalyst.")
        or "sparkseal" in f.name.lower()
    }
    return shown | listed


def _outputs(spark, name: str, value: str, extras: list[str]) -> list[str]:
    """What ``name`` returns for ``value`` with 0-2 more arguments; calls that fail: none."""
    out = []
    for more in ([], extras[:1], extras[:2]):
        params = {"v": value, **{f"x{i}": x for i, x in enumerate(more)}}
        args = ", ".join(f":{p}" for p in params)
        try:
            rows = spark.sql(f"SELECT `{name}`({args})", args=params).collect()
        except Exception:  # wrong arity or types: not an oracle
            continue
        out.extend(str(row[0]) for row in rows)
    return out


def oracles(spark, plain: str, made: dict[str, str], extras: list[str]) -> list[str]:
    """The user functions that open ``made``'s token or cipher, or hash/tokenize ``plain``."""
    found = []
    for name in sorted(user_functions(spark)):
        sealed = (made["token"], made["cipher"])
        opened = [o for v in sealed for o in _outputs(spark, name, v, extras)]
        keyed = _outputs(spark, name, plain, extras)
        if any(plain in o for o in opened) or any(
            made["hash"] in o or made["token"] in o for o in keyed
        ):
            found.append(name)
    return found


@pytest.fixture(scope="module")
def after_protection(spark, make_policy):
    """A session that ran protect, unprotect and role views (and read through them)."""
    policy = make_policy(COLUMNS)
    df = spark.createDataFrame([(1, PLAIN)], "id int, ssn string")
    made = {
        "hash": sparkseal.protect(df, "analyst", policy).first().ssn,
        "token": sparkseal.protect(df, "fraud", policy).first().ssn,
        "cipher": sparkseal.protect(df, "ops", policy).first().ssn,
    }
    both = spark.createDataFrame([(1, made["token"]), (2, made["cipher"])], "id int, ssn string")
    assert {r.ssn for r in sparkseal.unprotect(both, "fraud", policy).collect()} == {PLAIN}
    df.createOrReplaceTempView("people")
    views = sparkseal.create_role_views(spark, "people", ["analyst", "fraud", "ops"], policy=policy)
    for view in views.values():
        spark.sql(f"SELECT ssn FROM {view}").collect()
    return made


def test_the_session_lists_no_keyed_function(spark, after_protection):
    listed = {n.lower() for n in user_functions(spark)}
    assert not listed & set(KEYED_NAMES), listed
    for name in KEYED_NAMES:
        with pytest.raises(Exception, match="UNRESOLVED_ROUTINE"):
            spark.sql(f"SELECT {name}('{PLAIN}')").collect()


def test_no_user_function_opens_a_token_or_hashes_a_guess(spark, after_protection):
    extras = ["match:ssn", "true"]
    assert oracles(spark, PLAIN, after_protection, extras) == []


def test_the_check_finds_an_oracle_when_one_is_registered(spark, after_protection, secrets):
    """Control: the seed-003 habit of registering a keyed function by name is caught."""
    pepper = secrets["pepper"].read_bytes()
    control = spark.newSession()
    control.udf.register(
        "sparkseal_hash",
        lambda s: hmac.new(pepper, s.encode(), hashlib.sha256).hexdigest(),
        "string",
    )
    assert oracles(control, PLAIN, after_protection, []) == ["sparkseal_hash"]
    assert "sparkseal_hash" not in user_functions(spark)  # the control stayed in its session


def test_role_views_show_protected_values_only(spark, after_protection):
    assert spark.sql("SELECT ssn FROM people_analyst").first().ssn == after_protection["hash"]
    assert spark.sql("SELECT ssn FROM people_fraud").first().ssn == after_protection["token"]
    assert spark.sql("SELECT ssn FROM people_ops").first().ssn.startswith("enc2.")


@pytest.mark.parametrize(
    ("cls", "method"),
    [
        ("io.sparkseal.protect.Secrets", "read"),  # (String, String): private keeps it out
        ("io.sparkseal.protect.Functions", "hash"),  # takes a Column: not reachable
        ("io.sparkseal.protect.Functions", "open"),
        ("io.sparkseal.protect.Keyed", "hash"),
    ],
)
def test_reflect_cannot_reach_the_keyed_code(spark, after_protection, secrets, cls, method):
    """SQL's reflect() calls public static methods of String arguments: none of ours."""
    assert spark.sql("SELECT reflect('java.lang.String', 'valueOf', 'x')").first()[0] == "x"
    reference = f"file:{secrets['pepper']}"
    with pytest.raises(Exception, match="UNEXPECTED_STATIC_METHOD"):
        spark.sql(f"SELECT reflect('{cls}', '{method}', '{reference}', 'protect.pepper')").collect()
