"""Schema contracts in the Open Data Contract Standard (ODCS v3): load, enforce, diff, infer.

>>> from sparkseal import contracts                                    # doctest: +SKIP
>>> contract = contracts.load_contract("contracts/customers.yaml")     # doctest: +SKIP
>>> contracts.enforce(df, contract, policy="sparkseal.toml").write.parquet(out)  # doctest: +SKIP

See docs/contracts.md.
"""

from __future__ import annotations

from sparkseal.contracts.classification import PII_CLASSIFICATIONS, is_pii
from sparkseal.contracts.diff import RULES, Change, ContractDiff, diff
from sparkseal.contracts.enforce import Report, Violation, check, enforce
from sparkseal.contracts.errors import ContractError
from sparkseal.contracts.infer import infer_contract
from sparkseal.contracts.load import (
    contract_from_mapping,
    load_contract,
    schema_object,
    supported_api_versions,
)
from sparkseal.contracts.write import contract_text, write_contract

__all__ = [
    "PII_CLASSIFICATIONS",
    "RULES",
    "Change",
    "ContractDiff",
    "ContractError",
    "Report",
    "Violation",
    "check",
    "contract_from_mapping",
    "contract_text",
    "diff",
    "enforce",
    "infer_contract",
    "is_pii",
    "load_contract",
    "schema_object",
    "supported_api_versions",
    "write_contract",
]
