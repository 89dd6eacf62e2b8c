"""Every error a user sees carries a stable code CI can match."""

import pytest

from sparkseal.core.codes import CODES, coded
from sparkseal.core.errors import (
    KeyFileError,
    PolicyError,
    SparkSealError,
    TokenError,
    UnsupportedPySparkError,
)
from sparkseal.core.policy import load_policy


@pytest.mark.parametrize(
    "cls, code",
    [
        (PolicyError, "SS005"),
        (KeyFileError, "SS006"),
        (TokenError, "SS007"),
        (UnsupportedPySparkError, "SS004"),
    ],
)
def test_an_uncoded_message_shows_its_class_code(cls, code):
    assert code in CODES
    err = cls("something is wrong")
    assert str(err) == f"{code}: something is wrong"
    assert err.reason == "something is wrong"


def test_a_message_that_names_its_own_code_keeps_it():
    err = PolicyError(coded("SS206", "unprotect needs protect.token_key"))
    assert str(err).startswith("SS206: ")
    assert "SS005" not in str(err)


def test_the_base_class_adds_nothing():
    assert str(SparkSealError("plain")) == "plain"


def test_policy_errors_are_coded_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SPARKSEAL_POLICY", raising=False)
    with pytest.raises(PolicyError) as err:
        load_policy(tmp_path / "missing.toml")
    assert str(err.value).startswith("SS005: policy file not found")
    bad_key = tmp_path / "p.toml"
    bad_key.write_text(f'[seal]\npublic_key = "{tmp_path / "nokey.pub"}"\n')
    with pytest.raises(PolicyError) as err:
        load_policy(bad_key)
    text = str(err.value)
    assert text.startswith("SS005: invalid policy") and text.count("SS00") == 1, text
