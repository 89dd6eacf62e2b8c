import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkseal.core import keys
from sparkseal.core.errors import TokenError
from sparkseal.core.token import TOKEN_RE, Opener, Sealer, TokenContext, WithholdingSealer

VECTORS = json.loads((Path(__file__).parents[2] / "docs" / "token-vectors.json").read_text())


@pytest.mark.parametrize(
    "vector", VECTORS["vectors"], ids=lambda v: f"{v['suite']}-{len(v['plaintext'])}"
)
def test_vectors_open_to_their_plaintext(vector):
    key = keys.parse_private(vector["private_key"])
    assert key.public == keys.parse_public(vector["public_key"])
    assert TOKEN_RE.fullmatch(vector["token"])
    opened = Opener([key]).open_with_context(vector["token"])
    assert opened.text == vector["plaintext"]
    if vector["version"] == "1":
        assert opened.context is None
    else:
        c = vector["context"]
        assert opened.context == TokenContext(c["app"], c["by"], c["t"])


def test_vectors_cover_both_suites_and_versions():
    assert {(v["suite"], v["version"]) for v in VECTORS["vectors"]} == {
        (suite, version) for suite in ("x25519", "mlkem768-x25519") for version in ("1", "2")
    }


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
    forged = token.replace(m.group(3), forged_kid)
    opener = Opener([private_key])
    opener._keys[forged_kid] = private_key
    opener._hpke[forged_kid] = private_key.hpke_key()
    with pytest.raises(TokenError, match="authentication"):
        opener.open(forged)
    # nor does a version 2 token relabelled as version 1 (or back)
    with pytest.raises(TokenError, match="authentication"):
        opener.open(token.replace("[SEALED:2:", "[SEALED:1:"))


def test_tokens_carry_their_context(private_key):
    sealer = Sealer(private_key.public, producer="worker", app="app-1")
    before = int(time.time())
    opened = Opener([private_key]).open_with_context(sealer.seal("alice@example.com"))
    assert opened.text == "alice@example.com"
    assert opened.context.app == "app-1" and opened.context.producer == "worker"
    assert before <= opened.context.time <= int(time.time())


def test_app_filter_refuses_other_applications_and_format_1(private_key):
    mine = Sealer(private_key.public, app="app-mine").seal("mine")
    theirs = Sealer(private_key.public, app="app-theirs").seal("replayed secret")
    old = next(v["token"] for v in VECTORS["vectors"] if v["version"] == "1")
    opener = Opener([private_key], app="app-mine")
    assert opener.open(mine) == "mine"
    with pytest.raises(TokenError, match="another application"):
        opener.open(theirs)
    text, problems = opener.unseal_text(f"{mine} {theirs}")
    assert text == f"mine {theirs}" and "another application" in problems[0].reason
    old_key = keys.parse_private(VECTORS["vectors"][0]["private_key"])
    with pytest.raises(TokenError, match="format 1"):
        Opener([old_key], app="app-mine").open(old)


def test_show_context(private_key):
    token = Sealer(private_key.public, producer="worker", app="app-9").seal("x")
    text, _ = Opener([private_key], show_context=True).unseal_text(f"a {token} b")
    assert text.startswith("a [[app=app-9 by=worker at=") and text.endswith("]]x b")


def test_malformed_context_is_a_clear_error(private_key):
    from sparkseal.core.keys import b64u_encode
    from sparkseal.core.token import _info

    suite = private_key.suite
    ct = suite.hpke_suite.encrypt(
        b"\x00\x09{not json",
        private_key.public.hpke_key(),
        info=_info("2", suite.letter, private_key.kid),
    )
    token = f"[SEALED:2:X:{private_key.kid}:{b64u_encode(ct)}]"
    with pytest.raises(TokenError, match="context is malformed"):
        Opener([private_key]).open(token)


def test_non_canonical_payload_is_refused(private_key, sealer):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # a payload whose length is not a multiple of 4 chars: its last char has unused bits
    token = next(
        t for t in (sealer.seal("x" * n) for n in range(3)) if len(t[:-1].split(":")[4]) % 4
    )
    head, payload = token[:-1].rsplit(":", 1)
    twin = alphabet[alphabet.index(payload[-1]) ^ 1]
    with pytest.raises(TokenError, match="canonical"):
        Opener([private_key]).open(f"{head}:{payload[:-1]}{twin}]")


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
        == r"\[SEALED:([123]):([XH]):([0-9a-f]{16}):([A-Za-z0-9_-]+)\]"
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
