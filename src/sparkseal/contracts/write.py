"""Write a contract as YAML or JSON, refusing to overwrite by accident."""

from __future__ import annotations

import os
from pathlib import Path

from open_data_contract_standard.model import OpenDataContractStandard

from sparkseal.contracts.errors import ContractError


def contract_text(contract: OpenDataContractStandard, fmt: str = "yaml") -> str:
    """The contract as ``yaml`` (ODCS's own dump) or ``json``, without empty fields."""
    if fmt == "json":
        return contract.model_dump_json(by_alias=True, exclude_none=True, indent=2) + "\n"
    return contract.to_yaml()


def write_contract(
    contract: OpenDataContractStandard, path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write ``contract`` to ``path`` (JSON when it ends in ``.json``, else YAML).

    Why refuse an existing file: a reviewed contract must not be replaced by a draft.
    """
    target = Path(path)
    if target.exists() and not force:
        raise ContractError("SS715", f"{target} exists; pass --force to overwrite it")
    fmt = "json" if target.suffix.lower() == ".json" else "yaml"
    try:
        target.write_text(contract_text(contract, fmt), encoding="utf-8")
    except OSError as exc:
        raise ContractError("SS715", f"cannot write {target}: {exc.strerror}") from None
    return target
