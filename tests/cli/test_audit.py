"""``sparkseal audit``: keygen, checkpoint, log, prove and verify's bad-input paths, as users
run them (separate processes, real exit codes, no traceback)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from sparkseal.audit import AuditTrail, signing
from sparkseal.audit.checkpoint import parse


def run(*args: object, cwd: Path | None = None, env: dict | None = None):
    out = subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


@pytest.fixture
def keys(tmp_path) -> tuple[Path, Path]:
    out = run("audit", "keygen", "--out", tmp_path / "keys", "--name", "audit.test/cli")
    assert out.returncode == 0, out.stderr
    return tmp_path / "keys" / signing.PUBLIC_FILE, tmp_path / "keys" / signing.PRIVATE_FILE


@pytest.fixture
def trail(tmp_path, keys) -> str:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    with AuditTrail.open(url, signing_key=keys[1], origin="audit.test/cli") as t:
        for i in range(12):
            t.append([{"what": "query", "i": i, "where": {"app_id": f"app-{i % 2}"}}])
    return url


def test_keygen_writes_a_signed_note_key_pair_and_never_overwrites(tmp_path, keys):
    pub, key = keys
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    verifier = signing.load_verifier(pub)
    assert verifier.name == "audit.test/cli"
    assert signing.load_signer(key).verifier == verifier
    assert pub.read_text().splitlines()[1].startswith(f"audit.test/cli+{verifier.key_id.hex()}+")
    again = run("audit", "keygen", "--out", pub.parent)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert signing.load_verifier(pub) == verifier


def test_keygen_refuses_to_write_through_a_symlink(tmp_path):
    d = tmp_path / "k"
    d.mkdir()
    (d / signing.PRIVATE_FILE).symlink_to(tmp_path / "elsewhere")
    out = run("audit", "keygen", "--out", d)
    assert out.returncode == 2
    assert "SS104" in out.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_checkpoint_exports_the_newest_signed_checkpoint(tmp_path, trail, keys):
    out_file = tmp_path / "cp.txt"
    assert run("audit", "checkpoint", "--store", trail, "--out", out_file).returncode == 0
    signed = parse(out_file.read_text())
    signed.verify(signing.load_verifier(keys[0]))
    assert signed.checkpoint.size == 12
    assert signed.checkpoint.origin == "audit.test/cli"
    again = run("audit", "checkpoint", "--store", trail, "--out", out_file)
    assert again.returncode == 2
    assert "--force" in again.stderr
    stdout = run("audit", "checkpoint", "--store", trail, "--out", "-")
    assert stdout.stdout == out_file.read_text()


def test_checkpoint_without_a_signing_key_is_a_coded_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'unsigned.db'}"
    with AuditTrail.open(url) as t:
        t.append([{"x": 1}])
    out = run("audit", "checkpoint", "--store", url, "--out", tmp_path / "cp.txt")
    assert out.returncode == 2
    assert "SS613" in out.stderr
    verify = run("audit", "verify", "--store", url)
    assert verify.returncode == 0
    assert "SS612" in verify.stdout  # said, not hidden


def test_log_lists_entries_as_a_table_or_json_lines(trail):
    table = run("audit", "log", "--store", trail)
    assert table.returncode == 0, table.stderr
    assert "app-1" in table.stdout
    assert "query" in table.stdout
    lines = run("audit", "log", "--store", trail, "--json", "--app", "app-1").stdout.splitlines()
    rows = [json.loads(ln) for ln in lines]
    assert [r["index"] for r in rows] == [1, 3, 5, 7, 9, 11]
    assert all(r["app"] == "app-1" and r["entry"]["what"] == "query" for r in rows)
    future = run("audit", "log", "--store", trail, "--json", "--since", "2999-01-01")
    assert future.returncode == 0
    assert future.stdout == ""
    bad = run("audit", "log", "--store", trail, "--since", "yesterday")
    assert bad.returncode == 2
    assert "--since" in bad.stderr


def test_prove_and_check_the_proof_offline(tmp_path, trail, keys):
    pub, _ = keys
    proof = tmp_path / "p.json"
    out = run("audit", "prove", "5", "--store", trail, "--out", proof)
    assert out.returncode == 0, out.stderr
    data = json.loads(proof.read_text())
    assert data["index"] == 5
    assert data["tree_size"] == 12
    assert json.loads(data["entry"])["i"] == 5
    Path(trail.removeprefix("sqlite:///")).unlink()  # offline: no store at all
    ok = run("audit", "verify", "--proof", proof, "--pub", pub)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: entry 5" in ok.stdout

    forged = dict(data, entry=data["entry"].replace('"i":5', '"i":6'))
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    bad = run("audit", "verify", "--proof", tmp_path / "forged.json", "--pub", pub)
    assert bad.returncode == 1
    assert "SS608" in bad.stdout

    moved = dict(data, index=4)
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    assert run("audit", "verify", "--proof", tmp_path / "moved.json", "--pub", pub).returncode == 1

    other = run("audit", "keygen", "--out", tmp_path / "other", "--name", "audit.test/cli")
    assert other.returncode == 0
    wrong = run(
        "audit", "verify", "--proof", proof, "--pub", tmp_path / "other" / signing.PUBLIC_FILE
    )
    assert wrong.returncode == 2
    assert "SS605" in wrong.stderr

    (tmp_path / "junk.json").write_text("{}")
    junk = run("audit", "verify", "--proof", tmp_path / "junk.json", "--pub", pub)
    assert junk.returncode == 2
    assert "SS608" in junk.stderr


def test_prove_refuses_an_entry_no_checkpoint_covers(trail):
    out = run("audit", "prove", "12", "--store", trail)
    assert out.returncode == 2
    assert "SS613" in out.stderr


def test_prove_refuses_a_tampered_store(trail):
    engine = sa.create_engine(trail)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET body = :b WHERE idx = 3"), {"b": b"{}"})
    engine.dispose()
    out = run("audit", "prove", "5", "--store", trail)
    assert out.returncode == 1
    assert "SS603" in out.stdout


@pytest.fixture
def witness(tmp_path, trail) -> Path:
    cp = tmp_path / "witness.txt"
    assert run("audit", "checkpoint", "--store", trail, "--out", cp).returncode == 0
    return cp


def test_a_wrong_verifier_key_is_bad_usage(tmp_path, trail, witness):
    other = run("audit", "keygen", "--out", tmp_path / "other", "--name", "audit.test/cli")
    assert other.returncode == 0
    wrong = tmp_path / "other" / signing.PUBLIC_FILE
    for args in (["--checkpoint", witness], []):
        out = run("audit", "verify", "--store", trail, "--pub", wrong, *args)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "SS605" in out.stderr
        assert "not signed by the given key" in out.stderr or "none of the store" in out.stderr


def test_a_tampered_checkpoint_file_is_bad_usage(tmp_path, trail, witness, keys):
    text = witness.read_text()
    lines = text.split("\n")
    lines[1] = "13"  # claims a bigger tree
    (tmp_path / "edited.txt").write_text("\n".join(lines))
    out = run(
        "audit",
        "verify",
        "--store",
        trail,
        "--pub",
        keys[0],
        "--checkpoint",
        tmp_path / "edited.txt",
    )
    assert out.returncode == 2
    assert "SS605" in out.stderr
    assert "does not verify" in out.stderr


@pytest.mark.parametrize("cut", [10, 40, -5, -1])
def test_a_truncated_checkpoint_file_is_bad_usage(tmp_path, trail, witness, keys, cut):
    (tmp_path / "cut.txt").write_text(witness.read_text()[:cut])
    out = run(
        "audit", "verify", "--store", trail, "--pub", keys[0], "--checkpoint", tmp_path / "cut.txt"
    )
    assert out.returncode == 2
    assert "SS606" in out.stderr or "SS605" in out.stderr


def test_missing_files_are_bad_usage(tmp_path, trail, keys):
    for args in (
        ["--checkpoint", tmp_path / "nope.txt", "--pub", keys[0]],
        ["--pub", tmp_path / "nope.pub"],
        ["--proof", tmp_path / "nope.json", "--pub", keys[0]],
    ):
        out = run("audit", "verify", "--store", trail, *args)
        assert out.returncode == 2
        assert "does not exist" in out.stderr


def test_a_checkpoint_file_needs_a_key(trail, witness):
    out = run("audit", "verify", "--store", trail, "--checkpoint", witness)
    assert out.returncode == 2
    assert "SS609" in out.stderr


def test_a_store_of_an_unsupported_schema_version_is_bad_usage(trail, keys):
    engine = sa.create_engine(trail)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE sparkseal_schema SET version = 2 WHERE component = 'audit'"))
    engine.dispose()
    for cmd in (["verify", "--pub", keys[0]], ["log"], ["prove", "1"]):
        out = run("audit", *cmd, "--store", trail)
        assert out.returncode == 2
        assert "SS602" in out.stderr
    with pytest.raises(Exception, match="SS602"):
        AuditTrail.open(trail)


def test_an_unopenable_store_is_a_coded_error(tmp_path):
    out = run("audit", "verify", "--store", f"sqlite:///{tmp_path}/missing-dir/a.db")
    assert out.returncode == 2
    assert "SS601" in out.stderr
    assert "What to do" in out.stderr
    empty = run("audit", "log", "--store", f"sqlite:///{tmp_path}/empty.db")
    assert empty.returncode == 2
    assert "SS611" in empty.stderr


def test_the_store_and_key_come_from_the_policy(tmp_path, key_dir, keys):
    _, key = keys
    work = tmp_path / "work"
    work.mkdir()
    (work / "sparkseal.toml").write_text(
        f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n\n'
        f'[audit]\nsigning_key = "{key}"\norigin = "audit.test/cli"\n'
    )
    with AuditTrail.open(
        f"sqlite:///{work / 'sparkseal-audit.db'}", signing_key=key, origin="audit.test/cli"
    ) as t:
        t.append([{"what": "policy-default"}])
    env = {"SPARKSEAL_POLICY": ""}
    log = run("audit", "log", "--json", cwd=work, env=env)  # ./sparkseal.toml
    assert log.returncode == 0, log.stderr
    assert "policy-default" in log.stdout
    verify = run("audit", "verify", "--policy", work / "sparkseal.toml", cwd=tmp_path, env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "(1 signatures)" in verify.stdout  # the key came from [audit] signing_key
    nothing = run("audit", "log", cwd=tmp_path, env=env)
    assert nothing.returncode == 2
    assert "SS609" in nothing.stderr


def test_log_shows_entries_as_text_never_as_markup(tmp_path):
    url = f"sqlite:///{tmp_path / 'markup.db'}"
    with AuditTrail.open(url) as t:
        t.append([{"event": "query", "outcome": "success", "details": {"dir": "drop[/]x [bold]"}}])
    out = run("audit", "log", "--store", url)
    assert out.returncode == 0, out.stderr
    assert "query" in out.stdout and "success" in out.stdout
    assert "[/]" in out.stdout and "[bold]" in out.stdout
