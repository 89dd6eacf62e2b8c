"""The Java sealer against RFC 9180 and against the Python side, both directions."""

import json
from pathlib import Path

from sparkseal.core import keys

ROOT = Path(__file__).parents[2]
RFC_VECTOR = ROOT / "jvm" / "test-vectors" / "rfc9180-base-x25519-sha256-aes256gcm.json"
PY_VECTORS = json.loads((ROOT / "docs" / "token-vectors.json").read_text())["vectors"]


def test_rfc9180_vector(seal_tool):
    proc = seal_tool("rfc9180", RFC_VECTOR)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok 257 encryptions"


def test_java_seals_python_opens(seal_tool, key_text_files, opener):
    pub, _ = key_text_files
    lines = ["bob@example.com is an email address", "unicode Zoë 東京", "two\\nlines", ""]
    proc = seal_tool("seal", pub, input="\n".join(lines) + "\n")
    tokens = proc.stdout.splitlines()
    assert len(tokens) == 4
    opened = [opener.open(t) for t in tokens]
    assert opened == ["bob@example.com is an email address", "unicode Zoë 東京", "two\nlines", ""]


def test_python_vectors_java_opens(seal_tool, tmp_path):
    x = [v for v in PY_VECTORS if v["suite"] == "x25519"]
    assert {v["version"] for v in x} == {"1", "2"}
    key = tmp_path / "k.txt"
    key.write_text(x[0]["private_key"])
    proc = seal_tool("open", key, input="\n".join(v["token"] for v in x) + "\n")
    assert proc.stdout.splitlines() == [v["plaintext"].replace("\n", "\\n") for v in x]
    v2 = [v for v in x if v["version"] == "2"]
    proc = seal_tool("open-context", key, input="\n".join(v["token"] for v in v2) + "\n")
    contexts = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert contexts == [
        f"app={v['context']['app']} by={v['context']['by']} t={v['context']['t']}" for v in v2
    ]


def test_java_tokens_carry_jvm_context(seal_tool, key_text_files, private_key):
    import time

    from sparkseal.core.token import Opener

    pub, _ = key_text_files
    token = seal_tool("seal", pub, input="carol@example.com\n").stdout.strip()
    assert token.startswith("[SEALED:2:X:")
    opened = Opener([private_key]).open_with_context(token)
    assert opened.text == "carol@example.com"
    assert opened.context.producer == "jvm" and opened.context.app == ""  # no Spark here
    assert abs(opened.context.time - time.time()) < 120


def test_corrupted_tokens_from_java_fail_clearly(seal_tool, key_text_files, opener):
    pub, key = key_text_files
    token = seal_tool("seal", pub, input="secret\n").stdout.strip()
    corrupted = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    truncated = token[:40]
    foreign = key.with_name("other.txt")
    foreign.write_text(keys.generate().to_text())
    out = seal_tool("open", key, input=f"{corrupted}\n{truncated}\n").stdout.splitlines()
    assert out[0] == "ERROR: token failed authentication (corrupted or tampered)"
    assert out[1] == "ERROR: not a complete suite-X token"
    assert seal_tool("open", foreign, input=token + "\n").stdout.startswith("ERROR: no private key")
    _, problems = opener.unseal_text(corrupted)
    assert "authentication" in problems[0].reason


def test_bad_public_keys_are_refused(seal_tool, tmp_path):
    hybrid = tmp_path / "h.txt"
    hybrid.write_text(keys.generate("mlkem768-x25519").public.to_text())
    proc = seal_tool("seal", hybrid, input="x\n")
    assert proc.returncode != 0 and "not supported on the JVM side" in proc.stderr
    garbage = tmp_path / "g.txt"
    garbage.write_text("sparkseal-public-key-v1:X:0000000000000000:AAAA")
    assert seal_tool("seal", garbage, input="x\n").returncode != 0
