import pytest

from sparkseal.core.errors import PolicyError
from sparkseal.core.secrets import is_reference, register_provider, resolve


def test_env_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARKSEAL_TEST_SECRET", "s" * 20)
    assert resolve("env:SPARKSEAL_TEST_SECRET", "x") == b"s" * 20
    path = tmp_path / "key"
    path.write_bytes(b"f" * 32 + b"\n")
    assert resolve(f"file:{path}", "x") == b"f" * 32


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("env:SPARKSEAL_TEST_UNSET", "not set"),
        ("file:/nonexistent/sparkseal.key", "cannot read"),
        ("vault:kv/x", "referenced, never written"),
        ("an-inline-secret-0123456789", "referenced, never written"),
        ("env:SPARKSEAL_TEST_SHORT", "shorter than 16"),
    ],
)
def test_bad_references_say_what_is_wrong(reference, message, monkeypatch):
    monkeypatch.delenv("SPARKSEAL_TEST_UNSET", raising=False)
    monkeypatch.setenv("SPARKSEAL_TEST_SHORT", "short")
    with pytest.raises(PolicyError, match=message) as err:
        resolve(reference, "protect.pepper")
    assert "protect.pepper" in str(err.value)


def test_a_provider_can_be_added():
    register_provider("testvault", lambda ref: f"from-vault:{ref}".encode())
    assert is_reference("testvault:kv/pepper")
    assert resolve("testvault:kv/pepper", "x") == b"from-vault:kv/pepper"
