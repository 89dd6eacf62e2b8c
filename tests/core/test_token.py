import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkseal.core import keys
from sparkseal.core.errors import TokenError
from sparkseal.core.token import TOKEN_RE, Opener, Sealer, WithholdingSealer

VECTORS = json.loads((Path(__file__).parents[2] / "docs" / "token-vectors.json").read_text())


@pytest.mark.parametrize(
    "vector", VECTORS["vectors"], ids=lambda v: f"{v['suite']}-{len(v['plaintext'])}"
)
def test_vectors_open_to_their_plaintext(vector):
    key = keys.parse_private(vector["private_key"])
    assert key.public == keys.parse_public(vector["public_key"])
    assert TOKEN_RE.fullmatch(vector["token"])
    assert Opener([key]).open(vector["token"]) == vector["plaintext"]


def test_vectors_cover_both_suites():
    assert {v["suite"] for v in VECTORS["vectors"]} == {"x25519", "mlkem768-x25519"}


@pytest.mark.parametrize("suite", ["x25519", "mlkem768-x25519"])
def test_roundtrip_and_fresh_ciphertexts(suite):
    key = keys.generate(suite)
    sealer, opener = Sealer(key.public), Opener([key])
    a, b = sealer.seal("bob@example.com"), sealer.seal("bob@example.com")
    assert a != b
    assert opener.open(a) == opener.open(b) == "bob@example.com"
    assert "bob" not in a


def test_token_survives_json_repr_and_html(sealer, opener):
    token = sealer.seal('line one\nline "two" \\ <three> & {four}')
    assert "\n" not in token
    assert json.dumps(token) == f'"{token}"'
    assert repr(token) == f"'{token}'"
    import html

    assert html.escape(token) == token
    assert opener.open(json.loads(json.dumps({"m": token}))["m"]).startswith("line one\n")


def test_wrong_key_unknown_kid(sealer):
    other = Opener([keys.generate()])
    with pytest.raises(TokenError, match="no private key with key id"):
        other.open(sealer.seal("secret"))


def test_truncated_and_corrupted_tokens(sealer, opener):
    token = sealer.seal("secret value")
    with pytest.raises(TokenError, match=r"truncated|malformed"):
        opener.open(token[:-1])
    with pytest.raises(TokenError, match="too short"):
        opener.open(token[: token.rindex(":") + 25] + "]")
    # flip one payload character
    i = len(token) - 10
    flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    with pytest.raises(TokenError, match="authentication"):
        opener.open(flipped)
    with pytest.raises(TokenError, match="base64url"):
        head, payload = token[:-1].rsplit(":", 1)
        payload += "A" * ((1 - len(payload)) % 4)  # 4n+1 characters cannot be base64
        opener.open(f"{head}:{payload}]")


def test_header_is_authenticated(private_key, sealer):
    # the same key registered under a forged kid must not open a token re-labelled to it
    token = sealer.seal("secret")
    m = TOKEN_RE.fullmatch(token)
    forged_kid = "f" * 16
    forged = token.replace(m.group(2), forged_kid)
    opener = Opener([private_key])
    opener._keys[forged_kid] = private_key
    opener._hpke[forged_kid] = private_key.hpke_key()
    opener._infos[forged_kid] = f"sparkseal-token-v1:X:{forged_kid}".encode()
    with pytest.raises(TokenError, match="authentication"):
        opener.open(forged)


def test_unseal_text_leaves_everything_else(sealer, opener):
    t1, t2 = sealer.seal("alice@example.com"), sealer.seal("two\nlines")
    text = f"start {t1} middle {json.dumps(t2)} [SEALED:1:X:0123456789abcdef:AAAA] end"
    out, problems = opener.unseal_text(text)
    assert out.startswith('start alice@example.com middle "two\nlines" ')
    assert out.endswith(" [SEALED:1:X:0123456789abcdef:AAAA] end")
    assert len(problems) == 1 and "no private key" in problems[0].reason


def test_seal_text_keeps_existing_tokens_and_glue(sealer, opener):
    inner = sealer.seal("worker secret")
    sealed = sealer.seal_text(f"Job failed: {inner}\n")
    assert inner in sealed
    assert sealed.endswith("\n")
    assert "Job failed" not in sealed
    assert opener.unseal_text(sealed)[0] == "Job failed: worker secret\n"
    assert sealer.seal_text(" :\n") == " :\n"


def test_nested_tokens_open(sealer, opener):
    nested = sealer.seal("outer " + sealer.seal("inner secret"))
    assert opener.unseal_text(nested) == ("outer inner secret", [])


def test_withholding_sealer_emits_placeholder():
    w = WithholdingSealer("no public key")
    assert w.seal("bob@example.com") == "[WITHHELD by sparkseal: no public key]"
    assert w.seal_text("a bob b\n") == "[WITHHELD by sparkseal: no public key]"
    assert "bob" not in w.seal_text("x bob")


def test_token_regex_is_one_pattern(sealer):
    text = f"a{sealer.seal('x')}b{sealer.seal('')}c"
    assert len(TOKEN_RE.findall(text)) == 2
    assert (
        re.compile(TOKEN_RE.pattern).pattern
        == r"\[SEALED:1:([XH]):([0-9a-f]{16}):([A-Za-z0-9_-]+)\]"
    )


_TOKENISH = st.sampled_from(
    ["[SEALED:", "[SEALED:1:X:", "]", ":", "1", "X", "A", "\n", "é", "\x00"]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(st.text(max_size=20), _TOKENISH), max_size=12))
def test_unseal_never_crashes_or_alters_text_outside_tokens(opener, sealer, parts):
    token = sealer.seal("plain")
    text = "".join(parts)
    out, _ = opener.unseal_text(text)
    # no valid token in random text: output is byte for byte the input
    if not TOKEN_RE.search(text):
        assert out == text
    # with a real token spliced in, only the token changes
    spliced = text + token + text
    out2, _ = opener.unseal_text(spliced)
    assert out2 == text + "plain" + text or TOKEN_RE.search(text)
