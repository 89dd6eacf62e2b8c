"""The keyed rules as a Catalyst expression: byte-identical to the UDF they replaced.

``keyed_udf_vectors.json`` was written by the JVM UDF implementation (before the expression)
with test-only secrets: hash and tokenize must match it byte for byte, with and without
generated code, and its encrypt values must still open. An independent Python reference
(hmac, HKDF, AES-GCM from ``cryptography``) checks the same values, so a change to both JVM
paths at once fails too. The canary test shows a literal argument is not folded into the plan
(opening a literal token would otherwise print the plaintext in ``explain()``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyspark.sql import functions as F

VECTORS = json.loads((Path(__file__).parent / "keyed_udf_vectors.json").read_text())
DOMAIN = VECTORS["domain"]
OTHER = VECTORS["other_domain"]


@pytest.fixture(scope="module")
def refs(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("keyed-vectors")
    out = {}
    for name in ("pepper", "token_key"):
        (root / name).write_text(VECTORS[name])
        out[name] = f"file:{root / name}"
    return out


@pytest.fixture(scope="module")
def values(spark):
    """The vectors' inputs as a Spark string column, invalid UTF-8 included (binary cast)."""
    rows = [
        (r["id"], None if r["utf8_hex"] is None else bytearray.fromhex(r["utf8_hex"]))
        for r in VECTORS["rows"]
    ]
    df = spark.createDataFrame(rows, "id int, b binary")
    return df.select("id", F.col("b").cast("string").alias("v"))


class Rules:
    """io.sparkseal.protect.Functions, called directly (as KeyedColumns does)."""

    def __init__(self, spark, refs: dict[str, str]) -> None:
        self.spark = spark
        self.functions = spark.sparkContext._jvm.io.sparkseal.protect.Functions
        self.refs = refs

    def _col(self, jcol):
        from pyspark.sql.classic.column import Column

        return Column(jcol)

    def _j(self, col):
        from pyspark.sql.classic.column import _to_java_column

        return _to_java_column(col)

    def hash(self, col):
        js = self.spark._jsparkSession
        return self._col(self.functions.hash(js, self._j(col), self.refs["pepper"]))

    def tokenize(self, col, domain=DOMAIN):
        js = self.spark._jsparkSession
        return self._col(self.functions.tokenize(js, self._j(col), self.refs["token_key"], domain))

    def encrypt(self, col, domain=DOMAIN):
        js = self.spark._jsparkSession
        return self._col(self.functions.encrypt(js, self._j(col), self.refs["token_key"], domain))

    def open(self, col, domain=DOMAIN):
        js = self.spark._jsparkSession
        return self._col(
            self.functions.open(js, self._j(col), self.refs["token_key"], domain, False)
        )


@pytest.fixture(scope="module")
def rules(spark, refs) -> Rules:
    return Rules(spark, refs)


@contextlib.contextmanager
def codegen(spark, mode: str):
    """``generated``: whole-stage code; ``interpreted``: the expression's eval() only."""
    settings = (
        {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}
        if mode == "interpreted"
        else {}
    )
    before = {k: spark.conf.get(k, None) for k in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            spark.conf.unset(key) if value is None else spark.conf.set(key, value)


@pytest.mark.parametrize("mode", ["generated", "interpreted"])
def test_hash_and_tokenize_equal_the_udf_byte_for_byte(spark, values, rules, mode):
    with codegen(spark, mode):
        out = (
            values.select(
                "id",
                rules.hash(F.col("v")).alias("hash"),
                rules.tokenize(F.col("v")).alias("tokenize"),
                rules.tokenize(F.col("v"), OTHER).alias("tokenize_other_domain"),
            )
            .orderBy("id")
            .collect()
        )
    assert len(out) == len(VECTORS["rows"])
    for row, expected in zip(out, VECTORS["rows"], strict=True):
        assert row.id == expected["id"]
        for name in ("hash", "tokenize", "tokenize_other_domain"):
            assert row[name] == expected[name], (name, expected["id"])


@pytest.mark.parametrize("mode", ["generated", "interpreted"])
def test_old_encrypt_values_and_new_ones_open_to_the_input(spark, values, rules, mode):
    old = spark.createDataFrame(
        [(r["id"], r["encrypt"]) for r in VECTORS["rows"]], "id int, enc_old string"
    )
    df = values.join(old, "id").withColumn("enc_new", rules.encrypt(F.col("v")))
    with codegen(spark, mode):
        out = (
            df.select(
                "id",
                "v",
                "enc_new",
                rules.open(F.col("enc_old")).alias("old"),
                rules.open(F.col("enc_new")).alias("new"),
                rules.open(rules.tokenize(F.col("v"))).alias("token"),
            )
            .orderBy("id")
            .collect()
        )
    for row in out:
        valid = row.id < 100  # the vectors' rows 100+ are invalid UTF-8
        assert row.old == row.new == row.token, row.id
        assert row.old == row.v or not valid, row.id
        assert (row.enc_new is None) == (row.v is None)
        if row.enc_new is not None:
            assert row.enc_new.startswith("enc2.")
            assert row.enc_new not in {r["encrypt"] for r in VECTORS["rows"]}  # randomized


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _subkey(key: bytes, label: str) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=label.encode()).derive(key)


def _reference_tokenize(key: bytes, domain: str, plain: bytes) -> str:
    context = b"sparkseal-token-v2\x00" + domain.encode()
    iv = hmac.new(_subkey(key, "tokenize-iv"), context + b"\x00" + plain, "sha256").digest()[:12]
    return "tok2." + _b64(iv + AESGCM(_subkey(key, "tokenize-enc")).encrypt(iv, plain, context))


def test_the_vectors_equal_an_independent_python_implementation():
    pepper, key = VECTORS["pepper"].encode(), VECTORS["token_key"].encode()
    checked = 0
    for row in VECTORS["rows"]:
        if row["utf8_hex"] is None or row["id"] >= 100:  # null; invalid UTF-8 (Java's decoding)
            continue
        plain = bytes.fromhex(row["utf8_hex"])
        assert row["hash"] == hmac.new(pepper, plain, hashlib.sha256).hexdigest()
        assert row["tokenize"] == _reference_tokenize(key, DOMAIN, plain)
        assert row["tokenize_other_domain"] == _reference_tokenize(key, OTHER, plain)
        checked += 1
    assert checked >= 9


def test_the_plan_shows_the_rule_as_an_expression_not_a_udf(spark, rules):
    df = spark.range(3).select(rules.hash(F.col("id").cast("string")).alias("h"))
    text = _explained(df, "extended") + _explained(df, "codegen")
    assert "sparkseal_hash(cast(id#" in text
    assert "UDF" not in text
    assert "sparksealRule" in text  # generated code calls the rule: whole-stage codegen


def _explained(df, mode: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        df.explain(mode)
    return out.getvalue()


@pytest.mark.parametrize("mode", ["extended", "codegen", "formatted"])
def test_a_literal_is_not_opened_into_the_plan(spark, rules, mode):
    """Constant folding would put an opened literal's plaintext in the optimized plan."""
    canary = f"canary-{uuid4().hex}@example.com"
    token = spark.range(1).select(rules.tokenize(F.lit(canary))).first()[0]
    assert token.startswith("tok2.") and canary not in token
    opened = spark.range(1).select(rules.open(F.lit(token)).alias("v"))
    assert canary not in _explained(opened, mode)
    assert opened.first().v == canary  # it does open (at run time)
    control = spark.range(1).select(F.lit(canary).alias("v"))
    assert canary in _explained(control, mode)  # the scan finds a canary that is there


def test_the_plan_as_json_names_the_rule_and_holds_no_key(spark, rules, refs):
    """TreeNode.toJSON (what plan-capturing tools serialize) works on the expression."""
    df = spark.range(2).select(rules.tokenize(F.col("id").cast("string")).alias("t"))
    text = df._jdf.queryExecution().optimizedPlan().toJSON()
    assert "KeyedExpression" in text
    key = VECTORS["token_key"].encode()
    for encoded in (key.decode(), key.hex(), base64.b64encode(key).decode(), _b64(key)):
        assert encoded not in text
