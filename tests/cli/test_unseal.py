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
    assert "<stdin>:2:1: SS007: token left sealed: no private key with key id" in err
    assert "<stdin>:3:1: SS007: token left sealed: token failed authentication" in err
    assert "<stdin>:4:1: SS007: token left sealed: not a complete sealed token" in err
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


HOSTILE = "a\x1b]0;owned\x07\x1b[2J\rb\x00\x7f\x9b31m\u202egnp.exe\tc\nd é 😀\u00a0e"
SHOWN = "a\\x1b]0;owned\\x07\\x1b[2J\\rb\\x00\\x7f\\x9b31m\\u202egnp.exe\tc\nd é 😀\u00a0e"


def test_control_characters_in_plaintext_are_escaped(cli, two_keys):
    old, _ = two_keys
    sealer = _sealer(old)
    inner = sealer.seal("\x1b[31mred")
    outer = sealer.seal(f"wrap \x1b[1m {inner} \x07")
    # The input's own bytes (an ESC, a CR, invalid UTF-8) stay exactly as they were.
    text = f"\x1b[0mlog {sealer.seal(HOSTILE)} | {outer}\r\n".encode() + b"\xff\n"
    proc = cli("unseal", "--key", old, input=text)
    assert proc.returncode == 0, proc.stderr
    expected = f"\x1b[0mlog {SHOWN} | wrap \\x1b[1m \\x1b[31mred \\x07\r\n".encode() + b"\xff\n"
    assert proc.stdout == expected
    raw = cli("unseal", "--raw", "--key", old, input=text)
    assert raw.returncode == 0
    assert raw.stdout == f"\x1b[0mlog {HOSTILE} | wrap \x1b[1m \x1b[31mred \x07\r\n".encode() + (
        b"\xff\n"
    )


def test_raw_is_refused_on_a_terminal(two_keys):
    import pty
    import subprocess
    import sys

    old, _ = two_keys
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sparkseal.cli.main", "unseal", "--raw", "--key", str(old)],
            input=_sealer(old).seal("\x1b[2J").encode(),
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert b"SS307: --raw would write control characters" in proc.stderr


def test_problem_columns_and_hostile_file_names(cli, two_keys, tmp_path):
    old, new = two_keys
    p = tmp_path / "log\x1b[2J.txt"
    p.write_text(f"ok {_sealer(old).seal('x')} then {_sealer(new).seal('y')}\n")
    proc = cli("unseal", "--key", old, p)
    assert proc.returncode == 1
    assert proc.stdout.startswith(b"ok x then [SEALED:")
    column = proc.stdout.index(b"[SEALED:") - len("x") + len(_sealer(old).seal("x")) + 1
    assert f"log\\x1b[2J.txt:1:{column}: SS007: token left sealed".encode() in proc.stderr
    assert b"\x1b" not in proc.stderr


def test_app_refuses_a_replayed_token(cli, two_keys):
    """A user copies someone else's token into their own job's log and asks for it opened."""
    key = keys.load_private(two_keys[0])
    mine = Sealer(key.public, producer="worker", app="app-mine").seal("my own error")
    replayed = Sealer(key.public, producer="driver", app="app-victim").seal("victim@example.com")
    text = f"ERROR {mine}\nERROR {replayed}\n"
    proc = cli("unseal", "--key", two_keys[0], "--app", "app-mine", input=text.encode())
    assert proc.returncode == 1
    assert b"victim@example.com" not in proc.stdout + proc.stderr
    assert proc.stdout == f"ERROR my own error\nERROR {replayed}\n".encode()
    refused = b"<stdin>:2:7: SS007: token left sealed: token belongs to another application"
    assert refused in proc.stderr
    control = cli("unseal", "--key", two_keys[0], input=text.encode())
    assert b"victim@example.com" in control.stdout  # without --app it opens


def test_show_context(cli, two_keys):
    key = keys.load_private(two_keys[0])
    token = Sealer(key.public, producer="jvm", app="app-7").seal("boom")
    proc = cli("unseal", "--key", two_keys[0], "--show-context", input=f"{token}\n".encode())
    assert proc.returncode == 0
    assert proc.stdout.startswith(b"[[app=app-7 by=jvm at=20") and proc.stdout.endswith(b"]]boom\n")
