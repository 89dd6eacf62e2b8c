"""Token format 3 on the JVM: Java opens Python's vectors, Python opens Java's tokens."""

import json
from pathlib import Path
from uuid import uuid4

from sparkseal.core import keys
from sparkseal.core.keys import b64u_decode
from sparkseal.core.token import TOKEN_RE, Opener

ROOT = Path(__file__).parents[2]
PY_VECTORS = json.loads((ROOT / "docs" / "token-vectors-v3.json").read_text())


def _enc_seq(token: str) -> tuple[bytes, int]:
    p = b64u_decode(TOKEN_RE.fullmatch(token).group(4))
    return p[:32], int.from_bytes(p[32:36], "big")


def test_java_opens_python_vectors_in_any_order(seal_tool, tmp_path):
    key = tmp_path / "k.txt"
    key.write_text(PY_VECTORS["private_key"])
    vectors = list(reversed(PY_VECTORS["vectors"]))
    proc = seal_tool("open-context", key, input="\n".join(v["token"] for v in vectors) + "\n")
    rows = [line.split("\t", 1) for line in proc.stdout.splitlines()]
    assert [text for _, text in rows] == [v["plaintext"].replace("\n", "\\n") for v in vectors]
    c = vectors[0]["context"]
    assert rows[0][0] == f"app={c['app']} by={c['by']} t={c['t']}"


def test_java_sixteen_threads_never_repeat_a_nonce(seal_tool, key_text_files, private_key):
    pub, _ = key_text_files
    proc = seal_tool("threads3", pub, 16, 400, 500)
    tokens = proc.stdout.split()
    assert len(tokens) == 6400, proc.stderr
    pairs = [_enc_seq(t) for t in tokens]
    assert len(set(pairs)) == 6400
    assert len({enc for enc, _ in pairs}) >= 6400 // 500 and max(s for _, s in pairs) == 499
    opener = Opener([private_key])
    assert sorted(opener.open(t) for t in tokens) == sorted(
        f"{i}-{j}" for i in range(16) for j in range(400)
    )


def test_java_rekey_boundary_and_canaries(seal_tool, key_text_files, private_key):
    pub, _ = key_text_files
    canaries = [f"canary-{uuid4().hex}@example.com" for _ in range(7)]
    tokens = seal_tool("seal3", pub, 3, input="\n".join(canaries) + "\n").stdout.split()
    assert not any(c in " ".join(tokens) for c in canaries)
    pairs = [_enc_seq(t) for t in tokens]
    assert [s for _, s in pairs] == [0, 1, 2, 0, 1, 2, 0]
    assert pairs[0][0] == pairs[2][0] != pairs[3][0] != pairs[6][0]
    assert [Opener([private_key]).open(t) for t in tokens] == canaries  # control: they are there


def test_java_refuses_tampered_format3(seal_tool, key_text_files):
    pub, key = key_text_files
    secret = f"canary-{uuid4().hex}"
    token = seal_tool("seal3", pub, input=secret + "\n").stdout.strip()
    m = TOKEN_RE.fullmatch(token)
    payload = m.group(4)
    flipped = payload[:50] + ("A" if payload[50] != "A" else "B") + payload[51:]  # the sequence
    bad = [
        token[: m.start(4)] + flipped + "]",
        token.replace("[SEALED:3:", "[SEALED:2:", 1),
        token[: m.start(4)] + payload[:60] + "]",
    ]
    out = seal_tool("open", key, input="\n".join(bad) + "\n").stdout
    assert secret not in out
    lines = out.splitlines()
    assert lines[0] == lines[1] == "ERROR: token failed authentication (corrupted or tampered)"
    assert lines[2] == "ERROR: token payload is too short (truncated)"
    other = key.with_name("other.txt")
    other.write_text(keys.generate().to_text())
    assert seal_tool("open", other, input=token + "\n").stdout.startswith("ERROR: no private key")
