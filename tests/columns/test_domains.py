"""Tokens and ciphertexts are bound to their column's domain; moved values open to null, counted."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import sparkseal
from sparkseal.columns import rejected_tokens

EMAIL = {"match": ["email", "*_email"], "rules": {"fraud": "tokenize", "ops": "encrypt"}}
PHONE = {"match": "phone", "rules": {"fraud": "tokenize", "ops": "encrypt"}}
SCHEMA = "id int, email string, phone string"


def _rows(spark, rows):
    return spark.createDataFrame(rows, SCHEMA)


def _opened(spark, df, policy) -> list:
    # Sorted here, not by Spark: a Spark sort samples its input in a job of its own, which
    # evaluates (and counts) each rejected value a second time.
    return sorted(tuple(r) for r in sparkseal.unprotect(df, "fraud", policy).collect())


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {d: n - before.get(d, 0) for d, n in after.items() if n != before.get(d, 0)}


@pytest.mark.parametrize("role", ["fraud", "ops"])
def test_a_value_moved_to_another_domain_opens_to_null_and_is_counted(spark, make_policy, role):
    policy = make_policy([EMAIL, PHONE])
    source = _rows(spark, [(0, "alice@example.com", "+1 555 0100")])
    made = sparkseal.protect(source, role, policy).first()
    assert made.email != made.phone
    # Swap the two columns' values: each lands in the other entry's domain.
    moved = _rows(spark, [(0, made.phone, made.email), (1, made.email, made.phone)])
    before = rejected_tokens(spark)
    opened = _opened(spark, moved, policy)
    assert opened == [(0, None, None), (1, "alice@example.com", "+1 555 0100")]
    assert _delta(before, rejected_tokens(spark)) == {"match:email,*_email": 1, "match:phone": 1}


def test_columns_of_one_entry_share_its_domain(spark, make_policy):
    """``email`` and ``buyer_email`` match one entry: their tokens join and move freely."""
    policy = make_policy([EMAIL, PHONE])
    people = _rows(spark, [(0, "alice@example.com", "+1 555 0100")])
    token = sparkseal.protect(people, "fraud", policy).first().email
    orders = spark.createDataFrame([(0, token)], "id int, buyer_email string")
    assert sparkseal.unprotect(orders, "fraud", policy).first().buyer_email == "alice@example.com"


def test_an_explicit_shared_domain_joins_and_opens_across_entries(spark, make_policy):
    shared = [{**EMAIL, "domain": "customer"}, {**PHONE, "domain": "customer"}]
    policy = make_policy(shared)
    same = _rows(spark, [(0, "alice@example.com", "alice@example.com")])
    made = sparkseal.protect(same, "fraud", policy).first()
    assert made.email == made.phone  # one domain: equal values, equal tokens
    separate = sparkseal.protect(same, "fraud", make_policy([EMAIL, PHONE])).first()
    assert separate.email != separate.phone  # two domains: no join, no equality leak
    before = rejected_tokens(spark)
    moved = _rows(spark, [(0, made.phone, made.email)])
    assert _opened(spark, moved, policy) == [(0, "alice@example.com", "alice@example.com")]
    assert _delta(before, rejected_tokens(spark)) == {}


def test_changing_match_changes_the_default_domain(spark, make_policy):
    """Documented: editing ``match`` needs ``domain`` set to the old default first."""
    people = _rows(spark, [(0, "alice@example.com", "x")])
    token = sparkseal.protect(people, "fraud", make_policy([EMAIL])).first().email
    edited = {**EMAIL, "match": ["email", "*_email", "mail"]}
    assert _opened(spark, _rows(spark, [(0, token, "x")]), make_policy([edited]))[0][1] is None
    kept = {**edited, "domain": "match:email,*_email"}
    opened = _opened(spark, _rows(spark, [(0, token, "x")]), make_policy([kept]))
    assert opened[0][1] == "alice@example.com"


def _subkey(key: bytes, label: str) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=label.encode()).derive(key)


def _v1(key: bytes, value: str) -> tuple[str, str]:
    """A version 1 token and ciphertext, as sparkseal made them before domains."""
    plain = value.encode()
    iv = hmac.new(_subkey(key, "tokenize-iv"), plain, hashlib.sha256).digest()[:12]
    tok = iv + AESGCM(_subkey(key, "tokenize-enc")).encrypt(iv, plain, b"sparkseal-token-v1")
    civ = bytes(12)
    enc = civ + AESGCM(_subkey(key, "encrypt")).encrypt(civ, plain, b"sparkseal-encrypt-v1")

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return "tok1." + b64(tok), "enc1." + b64(enc)


def test_version_1_values_open_only_where_the_policy_accepts_them(spark, make_policy, secrets):
    tok, enc = _v1(secrets["token_key"].read_bytes(), "alice@example.com")
    old = _rows(spark, [(0, tok, "x"), (1, enc, "x")])
    before = rejected_tokens(spark)
    assert [r[1] for r in _opened(spark, old, make_policy([EMAIL]))] == [None, None]
    assert _delta(before, rejected_tokens(spark)) == {"match:email,*_email": 2}

    accepting = make_policy([{**EMAIL, "accept_v1": True}])
    assert [r[1] for r in _opened(spark, old, accepting)] == ["alice@example.com"] * 2
    # Migration: open the old values, protect again -> domain-bound tok2. tokens.
    again = sparkseal.protect(sparkseal.unprotect(old, "fraud", accepting), "fraud", accepting)
    assert {r.email[:5] for r in again.collect()} == {"tok2."}

    wrong = make_policy([{**EMAIL, "accept_v1": True}], token_key=f"file:{secrets['other_key']}")
    assert [r[1] for r in _opened(spark, old, wrong)] == [None, None]


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _respelled(value: str) -> str:
    """The same bytes in non-canonical base64 (the last character's unused bits set)."""
    prefix, body = value[:5], value[5:]

    def raw(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    for c in B64URL:
        if c != body[-1] and raw(body[:-1] + c) == raw(body):
            return prefix + body[:-1] + c
    raise AssertionError("no second spelling: the length is a multiple of 3 bytes")


def test_damaged_values_open_to_null_and_are_counted(spark, make_policy):
    policy = make_policy([EMAIL])
    # 16 bytes: IV + value + tag = 44 bytes, so base64 has unused bits to misuse.
    people = _rows(spark, [(0, "alice@example.co", "x")])
    token = sparkseal.protect(people, "fraud", policy).first().email
    cipher = sparkseal.protect(people, "ops", policy).first().email

    def flip(v: str, i: int) -> str:
        return v[:i] + ("A" if v[i] != "A" else "B") + v[i + 1 :]

    damaged = [
        token[:-4],  # truncated
        flip(token, 12),  # IV
        flip(token, len(token) - 3),  # tag
        token + "=",  # padded: not the canonical spelling
        _respelled(token),  # same bytes, second spelling
        "tok2.!!not-base64!!",
        "tok2.",
        "enc2." + token[5:],  # a token presented as a ciphertext
        cipher[:30],
        flip(cipher, 20),
        _respelled(cipher),
    ]
    df = _rows(spark, [(i, v, "x") for i, v in enumerate([token, cipher, *damaged])])
    before = rejected_tokens(spark)
    opened = [r[1] for r in _opened(spark, df, policy)]
    assert opened == ["alice@example.co"] * 2 + [None] * len(damaged)
    assert _delta(before, rejected_tokens(spark)) == {"match:email,*_email": len(damaged)}
