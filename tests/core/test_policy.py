import pytest

from sparkseal.core.errors import PolicyError
from sparkseal.core.policy import load_policy


def test_minimum_policy_from_toml(policy_file, private_key):
    policy = load_policy(policy_file)
    assert policy.public_key == private_key.public
    assert policy.driver.excepthook and policy.driver.logging
    assert policy.source == str(policy_file)


def test_mapping_with_inline_key(private_key):
    policy = load_policy({"seal": {"public_key": private_key.public.to_text()}})
    assert policy.public_key.kid == private_key.kid


def test_env_then_cwd(policy_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPARKSEAL_POLICY", raising=False)
    with pytest.raises(PolicyError, match="no sparkseal policy"):
        load_policy()
    monkeypatch.setenv("SPARKSEAL_POLICY", str(policy_file))
    assert load_policy().source == str(policy_file)
    monkeypatch.delenv("SPARKSEAL_POLICY")
    (tmp_path / "sparkseal.toml").write_text(
        f'[seal]\npublic_key = "{policy_file.parent / "sparkseal.pub"}"\n'
    )
    assert load_policy().source == "sparkseal.toml"


@pytest.mark.parametrize(
    "toml, message",
    [
        ("", "seal: Field required"),
        ("[seal]\n", "seal.public_key: Field required"),
        ('[seal]\npublic_key = ""\n', "seal.public_key"),
        (
            '[seal]\npublic_key = "sparkseal.pub"\npublic_kye = "x"\n',
            "seal.public_kye: unknown field",
        ),
        ('[seal]\npublic_key = "missing.pub"\n', "seal.public_key: public key file not found"),
        ('[seal]\npublic_key = "sparkseal.key"\n', "seal.public_key: .*private key"),
        ('[seal]\npublic_key = "sparkseal.pub"\nsuite = "rsa"\n', "seal.suite"),
        ('[seal]\npublic_key = "sparkseal.pub"\nsuite = "mlkem768-x25519"\n', "seal.suite: is"),
        (
            '[seal]\npublic_key = "sparkseal.pub"\n[driver]\nexcepthook = "maybe"\n',
            "driver.excepthook",
        ),
        ("[seal\n", "not valid TOML"),
    ],
)
def test_bad_policies_name_the_field(key_dir, tmp_path, toml, message):
    path = key_dir / f"bad-{abs(hash(toml))}.toml"
    path.write_text(toml)
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_missing_policy_file(tmp_path):
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")
