"""Token format 3: one HPKE context seals many tokens; each token opens on its own."""

import json
import os
import random
import threading
import time
from pathlib import Path
from uuid import uuid4

import pytest

from sparkseal.core import keys
from sparkseal.core.errors import TokenError
from sparkseal.core.keys import b64u_decode, b64u_encode
from sparkseal.core.token import TOKEN_RE, Opener, Sealer, TokenContext

ROOT = Path(__file__).parents[2]
PY_VECTORS = json.loads((ROOT / "docs" / "token-vectors-v3.json").read_text())
JAVA_VECTORS = json.loads((ROOT / "jvm" / "test-vectors" / "token-v3-java.json").read_text())


def _payload(token: str) -> bytes:
    return b64u_decode(TOKEN_RE.fullmatch(token).group(4))


def _with_payload(token: str, payload: bytes) -> str:
    m = TOKEN_RE.fullmatch(token)
    return token[: m.start(4)] + b64u_encode(payload) + "]"


def _enc_seq(token: str) -> tuple[bytes, int]:
    p = _payload(token)
    return p[:32], int.from_bytes(p[32:36], "big")


@pytest.mark.parametrize("doc", [PY_VECTORS, JAVA_VECTORS], ids=["python", "java"])
def test_vectors_open_in_any_order(doc):
    key = keys.parse_private(doc["private_key"])
    assert key.public == keys.parse_public(doc["public_key"])
    vectors = list(doc["vectors"])
    assert [_enc_seq(v["token"])[1] for v in vectors] == [0, 1, 2, 0, 1]
    assert len({_enc_seq(v["token"])[0] for v in vectors}) == 2  # two contexts
    random.Random(3).shuffle(vectors)
    opener = Opener([key])
    for v in vectors:
        assert v["token"].startswith("[SEALED:3:X:")
        opened = opener.open_with_context(v["token"])
        assert opened.text == v["plaintext"]
        c = v["context"]
        assert opened.context == TokenContext(c["app"], c["by"], c["t"])
    for v in vectors:  # a fresh opener per token: no state from other tokens is needed
        assert Opener([key]).open(v["token"]) == v["plaintext"]


def test_one_context_many_tokens_and_canaries_sealed():
    key = keys.generate()
    sealer, opener = Sealer(key.public, version="3"), Opener([key])
    canaries = [f"canary-{uuid4().hex}@example.com" for _ in range(50)]
    tokens = [sealer.seal(f"bad row: {c}") for c in canaries]
    assert len({_enc_seq(t)[0] for t in tokens}) == 1
    assert [_enc_seq(t)[1] for t in tokens] == list(range(50))
    log = "\n".join(f"WARN Executor: {t}" for t in tokens)
    assert not any(c in log for c in canaries)
    for needle in {c.split("@")[0] for c in canaries} | {"example.com"}:
        assert needle not in log
    plain, problems = opener.unseal_text(log)
    assert problems == [] and all(c in plain for c in canaries)  # control: the scan finds them


def test_unsealed_control_shows_canary():
    canary = f"canary-{uuid4().hex}@example.com"
    assert canary in f"WARN Executor: bad row: {canary}"  # protection off: plaintext


def test_sixteen_threads_never_repeat_a_nonce():
    key = keys.generate()
    sealer = Sealer(key.public, version="3", max_tokens=500)  # several re-keys under contention
    out: list[list[str]] = [[] for _ in range(16)]
    barrier = threading.Barrier(16)

    def work(i: int) -> None:
        barrier.wait()
        out[i].extend(sealer.seal(f"{i}-{j}") for j in range(400))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tokens = [t for row in out for t in row]
    pairs = [_enc_seq(t) for t in tokens]
    assert len(tokens) == 6400 and len(set(pairs)) == 6400
    assert len({enc for enc, _ in pairs}) >= 6400 // 500
    assert max(seq for _, seq in pairs) == 499
    opener = Opener([key])
    assert sorted(opener.open(t) for t in tokens) == sorted(
        f"{i}-{j}" for i in range(16) for j in range(400)
    )


def test_rekey_after_max_tokens_and_max_seconds():
    key = keys.generate()
    sealer = Sealer(key.public, version="3", max_tokens=3)
    pairs = [_enc_seq(sealer.seal("x")) for _ in range(7)]
    assert [s for _, s in pairs] == [0, 1, 2, 0, 1, 2, 0]
    assert pairs[0][0] == pairs[2][0] != pairs[3][0] == pairs[5][0] != pairs[6][0]
    timed = Sealer(key.public, version="3", max_seconds=0.2)
    a = _enc_seq(timed.seal("x"))
    b = _enc_seq(timed.seal("x"))
    time.sleep(0.3)
    c = _enc_seq(timed.seal("x"))
    assert a[0] == b[0] != c[0] and c[1] == 0
    with pytest.raises(ValueError):
        Sealer(key.public, version="3", max_tokens=2**32 + 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_never_reuses_the_parents_context():
    """Workers fork from a daemon: a child reusing (context, seq) would reuse nonces."""
    key = keys.generate()
    sealer = Sealer(key.public, version="3")
    parent = _enc_seq(sealer.seal("before fork"))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.write(w, sealer.seal("in child").encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    child_token = os.read(r, 4096).decode()
    os.close(r)
    child = _enc_seq(child_token)
    assert child[0] != parent[0] and child[1] == 0
    assert Opener([key]).open(child_token) == "in child"


def test_tampered_truncated_reordered_and_wrong_key_fail_without_plaintext():
    key = keys.generate()
    sealer, opener = Sealer(key.public, version="3"), Opener([key])
    secret = f"canary-{uuid4().hex}"
    a, b = sealer.seal(secret), sealer.seal("other")
    pa, pb = _payload(a), _payload(b)
    bad = {
        "flip ciphertext": _with_payload(a, pa[:-1] + bytes([pa[-1] ^ 1])),
        "flip enc": _with_payload(a, bytes([pa[0] ^ 1]) + pa[1:]),
        "sequence swapped": _with_payload(a, pa[:32] + pb[32:36] + pa[36:]),
        "sequence +1": _with_payload(a, pa[:32] + (1).to_bytes(4, "big") + pa[36:]),
        "small-order enc": _with_payload(a, bytes(32) + pa[32:]),
        "relabelled 2": a.replace("[SEALED:3:", "[SEALED:2:", 1),
        "relabelled 1": a.replace("[SEALED:3:", "[SEALED:1:", 1),
        "relabelled H": a.replace(":X:", ":H:", 1),
    }
    for what, token in bad.items():
        with pytest.raises(TokenError) as err:
            opener.open(token)
        assert secret not in str(err.value), what
        text, problems = opener.unseal_text(f"x {token} y")
        assert text == f"x {token} y" and len(problems) == 1, what
    for cut in (a[:40], a[:-5], _with_payload(a, pa[: 36 + 15])):
        text, problems = opener.unseal_text(cut)
        assert secret not in text and len(problems) == 1
    with pytest.raises(TokenError, match="too short"):
        opener.open(_with_payload(a, pa[: 36 + 15]))
    with pytest.raises(TokenError, match="no private key"):
        Opener([keys.generate()]).open(a)
    with pytest.raises(TokenError, match="not a complete"):
        opener.open(a.replace("[SEALED:3:", "[SEALED:4:", 1))
    with pytest.raises(TokenError, match="authentication"):
        opener.open(bad["sequence swapped"])


def test_hybrid_key_keeps_format_2_and_env_selects_format(monkeypatch):
    hybrid = keys.generate("mlkem768-x25519")
    sealer = Sealer(hybrid.public, version="3")
    assert sealer.version == "2" and sealer.seal("x").startswith("[SEALED:2:H:")
    key = keys.generate()
    monkeypatch.delenv("SPARKSEAL_TOKEN_FORMAT", raising=False)
    assert Sealer(key.public).seal("x").startswith("[SEALED:2:X:")
    monkeypatch.setenv("SPARKSEAL_TOKEN_FORMAT", "3")
    assert Sealer(key.public).seal("x").startswith("[SEALED:3:X:")
    with pytest.raises(ValueError):
        Sealer(key.public, version="4")


def test_format3_size_cost():
    key = keys.generate()
    v2, v3 = Sealer(key.public, version="2"), Sealer(key.public, version="3")
    for n in (0, 100, 1000):
        assert len(v3.seal("a" * n)) - len(v2.seal("a" * n)) in (5, 6)  # the 4-byte sequence


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_while_another_thread_holds_the_lock():
    """The child gets a fresh lock and context: no deadlock, no continued counter."""
    key = keys.generate()
    sealer = Sealer(key.public, version="3")
    parent = _enc_seq(sealer.seal("before"))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with sealer._lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: the holder thread does not exist here
        os.write(w, sealer.seal("child").encode())
        os._exit(0)
    release.set()
    holder.join()
    os.close(w)
    deadline = time.monotonic() + 20
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child deadlocked on the parent's lock")
        time.sleep(0.05)
    token = os.read(r, 4096).decode()
    os.close(r)
    child = _enc_seq(token)
    assert child[0] != parent[0] and child[1] == 0
    assert Opener([key]).open(token) == "child"
