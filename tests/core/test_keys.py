import os
import stat

import pytest

from sparkseal.core import keys
from sparkseal.core.errors import KeyFileError


@pytest.mark.parametrize("suite", ["x25519", "mlkem768-x25519"])
def test_write_and_load_roundtrip(tmp_path, suite):
    key = keys.generate(suite)
    pub_path, key_path = keys.write_pair(key, tmp_path / "k")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    loaded = keys.load_private(key_path)
    assert loaded.raw == key.raw and loaded.kid == key.kid
    assert keys.load_public(pub_path) == key.public
    assert len(key.kid) == 16


def test_refuses_to_overwrite_without_force(tmp_path):
    first = keys.generate()
    keys.write_pair(first, tmp_path)
    with pytest.raises(KeyFileError, match="--force"):
        keys.write_pair(keys.generate(), tmp_path)
    assert keys.load_private(tmp_path / "sparkseal.key").kid == first.kid
    second = keys.generate()
    keys.write_pair(second, tmp_path, force=True)
    assert keys.load_private(tmp_path / "sparkseal.key").kid == second.kid


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(KeyFileError, match="not found"):
        keys.load_private(tmp_path / "nope.key")
    with pytest.raises(KeyFileError, match="directory"):
        keys.load_public(tmp_path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "sparkseal.key"
    keys.write_pair(keys.generate(), tmp_path)

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", denied)
    with pytest.raises(KeyFileError, match="permission denied"):
        keys.load_private(path)


def test_public_key_is_not_a_private_key(tmp_path):
    keys.write_pair(keys.generate(), tmp_path)
    with pytest.raises(KeyFileError, match="public key"):
        keys.load_private(tmp_path / "sparkseal.pub")
    with pytest.raises(KeyFileError, match="private key"):
        keys.load_public(tmp_path / "sparkseal.key")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\xff\x10binary", "binary"),
        (b"", "exactly one"),
        (b"hello world\n", "not a sparkseal key"),
        (b"sparkseal-public-key-v1:Q:0000000000000000:AAAA\n", "unknown suite"),
        (b"sparkseal-public-key-v1:X:0000000000000000:!!!!\n", "base64url"),
        (b"sparkseal-public-key-v1:X:0000000000000000:AAAA\n", "expected 32"),
    ],
)
def test_garbage_public_key_files(tmp_path, content, message):
    path = tmp_path / "bad.pub"
    path.write_bytes(content)
    with pytest.raises(KeyFileError, match=message):
        keys.load_public(path)


def test_tampered_key_id_is_rejected():
    key = keys.generate()
    text = key.public.to_text()
    prefix, suite, kid, payload = text.split(":")
    other_kid = "0" * 16 if kid != "0" * 16 else "1" * 16
    with pytest.raises(KeyFileError, match="tampered"):
        keys.parse_public(":".join([prefix, suite, other_kid, payload]))
    # a flipped byte in the key material changes the key id too
    raw = bytearray(key.raw)
    raw[5] ^= 1  # (the low bits of byte 0 are clamped away by X25519)
    bad = ":".join(["sparkseal-private-key-v1", "X", key.kid, keys.b64u_encode(bytes(raw))])
    with pytest.raises(KeyFileError, match="tampered"):
        keys.parse_private(bad)


def test_unknown_suite_name():
    with pytest.raises(KeyFileError, match="unknown suite"):
        keys.generate("rsa")


@pytest.mark.parametrize("planted", ["sparkseal.key.tmp", "sparkseal.pub.tmp"])
@pytest.mark.parametrize("force", [False, True])
def test_a_planted_temporary_symlink_is_not_followed(tmp_path, planted, force):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "k"
    out.mkdir()
    (out / planted).symlink_to(victim)
    with pytest.raises(KeyFileError, match=r"SS104: .*already exists"):
        keys.write_pair(keys.generate(), out, force=force)
    assert victim.read_text() == "precious"


def test_a_dangling_temporary_symlink_creates_nothing(tmp_path):
    out = tmp_path / "k"
    out.mkdir()
    (out / "sparkseal.key.tmp").symlink_to(tmp_path / "attacker-readable")
    with pytest.raises(KeyFileError, match="SS104"):
        keys.write_pair(keys.generate(), out)
    assert not (tmp_path / "attacker-readable").exists()


@pytest.mark.parametrize("target", ["sparkseal.key", "sparkseal.pub"])
def test_a_symlinked_key_file_is_refused_even_with_force(tmp_path, target):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "k"
    out.mkdir()
    (out / target).symlink_to(victim)
    for force in (False, True):
        with pytest.raises(KeyFileError, match=r"SS104: .*symlink"):
            keys.write_pair(keys.generate(), out, force=force)
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == [target]  # nothing written, no .tmp left


def test_the_private_key_is_0600_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        _, key_path = keys.write_pair(keys.generate(), tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sparkseal.key", "sparkseal.pub"]


@pytest.mark.parametrize("suite", ["x25519", "mlkem768-x25519"])
def test_private_key_reprs_are_redacted(suite):
    """A key that reaches a log line, a traceback's locals or a debugger shows no material."""
    from sparkseal.core.token import Opener

    key = keys.generate(suite)
    material = keys.b64u_encode(key.raw)
    shown = [repr(key), str(key), f"{key}", repr([key]), repr({"k": key})]
    shown += ["%r %s" % (key, key)]  # noqa: UP031 (as logging formats its arguments)
    shown += [repr(vars(Opener([key])))]
    for text in shown:
        assert material not in text and material[:12] not in text
        assert key.raw.hex()[:16] not in text and repr(key.raw)[2:20] not in text
        assert "<redacted>" in text and key.kid in text
    assert material in key.to_text()  # the control: the material is there to leak
