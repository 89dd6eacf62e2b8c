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


def test_jvm_references_are_env_or_absolute_files(tmp_path, monkeypatch):
    from sparkseal.core.secrets import jvm_reference

    monkeypatch.chdir(tmp_path)
    assert jvm_reference("file:key", "x") == f"file:{tmp_path / 'key'}"
    assert jvm_reference("file:/etc/k", "x") == "file:/etc/k"
    assert jvm_reference("env:PEPPER", "x") == "env:PEPPER"
    for bad in ("vault:kv/x", "env:", "file:", "inline-secret"):
        with pytest.raises(PolicyError, match=r"^SS204: protect\.pepper: column secrets are read"):
            jvm_reference(bad, "protect.pepper")


def test_an_env_var_the_jvm_cannot_see_is_explained(monkeypatch):
    from sparkseal.core.secrets import explain_jvm_error

    jvm = "SS201: protect.pepper: secret env:SPARKSEAL_LATE: the variable is not set in the JVM"
    monkeypatch.delenv("SPARKSEAL_LATE", raising=False)
    assert explain_jvm_error(jvm) == jvm  # unset everywhere: the JVM's message stands
    monkeypatch.setenv("SPARKSEAL_LATE", "s" * 32)
    explained = explain_jvm_error(jvm)
    assert explained.startswith("SS202: protect.pepper: secret env:SPARKSEAL_LATE is set")
    assert "s" * 32 not in explained
    other = "SS201: protect.pepper: secret file:/x: cannot read it (no such file)"
    assert explain_jvm_error(other) == other
