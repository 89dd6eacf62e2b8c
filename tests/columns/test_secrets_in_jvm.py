"""Column secrets are read by the JVM from their reference, never passed over py4j.

py4j logs every call's arguments at DEBUG (a ``bytearray`` as base64): the log of a whole
protect/unprotect run must hold none of the pepper or token key, as text, hex or base64,
while a control string passed the old way does show up. Bad references fail with a coded
one-line error that names the reference and never the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import logging
import os
import uuid

import pytest

import sparkseal
from sparkseal.core.errors import PolicyError
from tests.conftest import run_python

COLUMNS = [{"match": "email", "rules": {"analyst": "hash", "fraud": "tokenize", "ops": "encrypt"}}]


def encodings(secret: bytes) -> list[str]:
    return [
        secret.decode(),
        secret.hex(),
        base64.b64encode(secret).decode(),
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
    ]


@pytest.fixture
def py4j_debug():
    """py4j's DEBUG log (the logger that prints call arguments) as text."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("py4j")
    old = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


def test_py4j_debug_log_of_a_run_holds_no_secret(spark, make_policy, secrets, py4j_debug):
    policy = make_policy(COLUMNS)
    df = spark.createDataFrame([(1, "alice@example.com")], "id int, email string")
    for role in ("analyst", "fraud", "ops"):
        sparkseal.protect(df, role, policy).collect()
    tokens = sparkseal.protect(df, "fraud", policy)
    assert sparkseal.unprotect(tokens, "fraud", policy).first().email == "alice@example.com"
    sparkseal.create_role_views(spark, df, ["analyst", "fraud"], name="debuglog", policy=policy)
    spark.sql("SELECT * FROM debuglog_fraud").collect()

    # Control: an argument passed over py4j is in this log, bytes as base64.
    canary = uuid.uuid4().hex.encode()
    spark._jvm.java.util.Arrays.toString(bytearray(canary))
    log = py4j_debug.getvalue()
    assert base64.b64encode(canary).decode() in log
    assert f"file:{secrets['token_key']}" in log  # what crossed instead: the reference

    for name in ("pepper", "token_key"):
        for encoded in encodings(secrets[name].read_bytes()):
            assert encoded not in log, f"{name} in py4j's DEBUG log"


def _one_line(err: pytest.ExceptionInfo, *absent: str) -> str:
    text = str(err.value)
    assert "\n" not in text and "JVM stacktrace" not in text and "at io.sparkseal" not in text
    assert err.value.__cause__ is None and err.value.__suppress_context__
    for secret in absent:
        assert secret not in text
    return text


@pytest.fixture
def df(spark):
    return spark.createDataFrame([(1, "alice@example.com")], "id int, email string")


def test_an_unset_env_var_is_a_clear_error(df, make_policy, monkeypatch):
    name = f"SPARKSEAL_TEST_UNSET_{uuid.uuid4().hex[:8].upper()}"
    monkeypatch.delenv(name, raising=False)
    policy = make_policy(COLUMNS, pepper=f"env:{name}")
    with pytest.raises(PolicyError) as err:
        sparkseal.protect(df, "analyst", policy)
    text = _one_line(err)
    assert text.startswith(f"SS201: protect.pepper: secret env:{name}: the variable is not set")


def test_an_env_var_set_after_the_jvm_started_is_explained(df, make_policy, monkeypatch):
    name = f"SPARKSEAL_TEST_LATE_{uuid.uuid4().hex[:8].upper()}"
    secret = uuid.uuid4().hex
    monkeypatch.setenv(name, secret)  # the driver JVM of the session started long ago
    policy = make_policy(COLUMNS, token_key=f"env:{name}")
    with pytest.raises(PolicyError) as err:
        sparkseal.protect(df, "fraud", policy)
    text = _one_line(err, secret)
    assert text.startswith(f"SS202: protect.token_key: secret env:{name} is set in this Python")
    assert "before the SparkSession is created" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"^SS201: protect\.pepper: secret file:.*: cannot read it \(no such file\)$"),
        ("dir", r"^SS201: protect\.pepper: secret file:.*: cannot read it"),
        (b"short-pepper\n", r"^SS203: protect\.pepper: the secret is shorter than 16 bytes$"),
        (b"\n\n", r"^SS203: protect\.pepper: the secret is shorter than 16 bytes$"),
    ],
)
def test_bad_secret_files(df, make_policy, tmp_path, content, message):
    path = tmp_path / "pepper"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(PolicyError, match=message) as err:
        sparkseal.protect(df, "analyst", make_policy(COLUMNS, pepper=f"file:{path}"))
    _one_line(err, "short-pepper")


def test_a_relative_file_is_read_from_pythons_directory(df, make_policy, secrets, monkeypatch):
    """The JVM's working directory is where Python was at launch; the path is made absolute."""
    monkeypatch.chdir(secrets["pepper"].parent)
    policy = make_policy(COLUMNS, pepper=f"file:{secrets['pepper'].name}")
    pepper = secrets["pepper"].read_bytes()
    expected = hmac.new(pepper, b"alice@example.com", hashlib.sha256).hexdigest()
    assert sparkseal.protect(df, "analyst", policy).first().email == expected


def test_env_secrets_set_before_launch_reach_the_jvm(private_key):
    """An ``env:`` secret in the environment the driver JVM starts with: HMAC = Python's."""
    pepper = uuid.uuid4().hex
    proc = run_python(
        f"""
        import hashlib, hmac
        from pyspark.sql import SparkSession
        from sparkseal.conf import classpath_conf
        import sparkseal
        builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        for k, v in classpath_conf({{}}).items():
            builder = builder.config(k, v)
        spark = builder.getOrCreate()
        policy = {{"seal": {{"public_key": "{private_key.public.to_text()}"}},
                   "protect": {{"pepper": "env:SPARKSEAL_TEST_PEPPER",
                               "columns": [{{"match": "email", "rules": {{"a": "hash"}}}}]}}}}
        df = spark.createDataFrame([("x@example.com",)], "email string")
        got = sparkseal.protect(df, "a", policy).first().email
        want = hmac.new(b"{pepper}", b"x@example.com", hashlib.sha256).hexdigest()
        print("MATCH" if got == want else "DIFFER")
        """,
        env={"SPARKSEAL_TEST_PEPPER": pepper, "PYSPARK_PYTHON": os.environ["PYSPARK_PYTHON"]},
    )
    assert "MATCH" in proc.stdout, proc.stderr[-3000:]
    assert pepper not in proc.stdout + proc.stderr
