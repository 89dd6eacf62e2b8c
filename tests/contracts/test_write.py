"""write_contract: YAML and JSON that load back to the same contract; no silent overwrite."""

from __future__ import annotations

import pytest

from sparkseal.contracts import ContractError, load_contract, write_contract
from tests.contracts.conftest import EXAMPLE


@pytest.mark.parametrize("name", ["c.yaml", "c.json"])
def test_round_trip(tmp_path, name):
    contract = load_contract(EXAMPLE)
    path = write_contract(contract, tmp_path / name)
    assert load_contract(path) == contract


def test_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("reviewed")
    with pytest.raises(ContractError) as info:
        write_contract(load_contract(EXAMPLE), path)
    assert info.value.code == "SS715" and path.read_text() == "reviewed"
    write_contract(load_contract(EXAMPLE), path, force=True)
    assert load_contract(path) == load_contract(EXAMPLE)
