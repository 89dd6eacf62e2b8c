import os

import pytest

from sparkseal.core import keys
from sparkseal.core.token import Sealer


@pytest.fixture
def two_keys(tmp_path):
    paths = []
    for name in ("old", "new"):
        keys.write_pair(keys.generate(), tmp_path / name)
        paths.append(tmp_path / name / "sparkseal.key")
    return paths


def _sealer(key_path):
    return Sealer(keys.load_private(key_path).public)


def test_stdin_and_several_keys(cli, two_keys):
    old, new = two_keys
    text = f"a {_sealer(old).seal('first@example.com')} b {_sealer(new).seal('two')}\n"
    proc = cli("unseal", "--key", old, "--key", new, input=text.encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"a first@example.com b two\n"


def test_files_byte_for_byte_outside_tokens(cli, two_keys, tmp_path):
    old, _ = two_keys
    garbage = os.urandom(4096).replace(b"[SEALED:", b"")
    token = _sealer(old).seal("x")
    p = tmp_path / "mixed.bin"
    p.write_bytes(garbage + b"\n" + token.encode() + b"\r\n\xff\xfe")
    proc = cli("unseal", "--key", old, p)
    assert proc.returncode == 0
    assert proc.stdout == garbage + b"\nx\r\n\xff\xfe"


def test_unknown_key_corrupted_truncated(cli, two_keys, tmp_path):
    old, new = two_keys
    good = _sealer(old).seal("ok")
    foreign = _sealer(new).seal("not for you")
    corrupted = good[:-5] + ("A" if good[-5] != "A" else "B") + good[-4:]
    truncated = good[:-20]
    text = f"{good}\n{foreign}\n{corrupted}\n{truncated}\n"
    proc = cli("unseal", "--key", old, input=text.encode())
    assert proc.returncode == 1
    assert proc.stdout.decode() == f"ok\n{foreign}\n{corrupted}\n{truncated}\n"
    err = proc.stderr.decode()
    assert "<stdin>:2:1: token left sealed: no private key with key id" in err
    assert "<stdin>:3:1: token left sealed: token failed authentication" in err
    assert "<stdin>:4:1: token left sealed: not a complete sealed token" in err
    assert "Traceback" not in err


def test_empty_input(cli, two_keys):
    proc = cli("unseal", "--key", two_keys[0], input=b"")
    assert proc.returncode == 0 and proc.stdout == b""


def test_missing_inputs_and_bad_keys(cli, two_keys, tmp_path):
    old, _ = two_keys
    p = tmp_path / "ok.log"
    p.write_text("plain\n")
    proc = cli("unseal", "--key", old, tmp_path / "missing.log", p)
    assert proc.returncode == 2 and proc.stdout == b"plain\n"
    assert b"missing.log: cannot read" in proc.stderr
    for bad in (tmp_path / "nokey", old.with_name("sparkseal.pub")):
        proc = cli("unseal", "--key", bad, input=b"x")
        assert proc.returncode == 2
        assert b"sparkseal: error:" in proc.stderr and b"Traceback" not in proc.stderr
    garbage = tmp_path / "garbage.key"
    garbage.write_bytes(os.urandom(256))
    proc = cli("unseal", "--key", garbage, input=b"x")
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert cli("unseal", input=b"x").returncode == 2  # --key is required
