"""load_contract: the example loads; every kind of bad input is one coded error."""

from __future__ import annotations

import json

import pytest
import yaml
from open_data_contract_standard.model import OpenDataContractStandard

from sparkseal.contracts import (
    ContractError,
    contract_from_mapping,
    load_contract,
    schema_object,
    supported_api_versions,
)
from tests.contracts.conftest import EXAMPLE, column


def test_example_loads_as_the_standards_model():
    contract = load_contract(EXAMPLE)
    assert isinstance(contract, OpenDataContractStandard)
    obj = schema_object(contract)
    assert [p.name for p in obj.properties] == [
        "customer_id",
        "email",
        "country",
        "balance",
        "signup_date",
    ]
    assert obj.properties[0].primaryKey and obj.properties[1].classification == "pii"


def test_json_contract_loads(tmp_path, example):
    path = tmp_path / "customers.json"
    path.write_text(json.dumps(example))
    assert load_contract(path) == load_contract(EXAMPLE)


def test_supported_versions_are_odcs_v3():
    versions = supported_api_versions()
    assert "v3.1.0" in versions and all(v.startswith("v3.") for v in versions)


def _code(path) -> ContractError:
    with pytest.raises(ContractError) as info:
        load_contract(path)
    return info.value


def test_missing_file(tmp_path):
    err = _code(tmp_path / "nope.yaml")
    assert err.code == "SS701" and "not found" in str(err)


def test_directory(tmp_path):
    assert _code(tmp_path).code == "SS701"


def test_bad_yaml_names_the_line_not_the_text(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("apiVersion: v3.1.0\nkind: [DataContract\nsecret: hunter2-canary\n")
    err = _code(path)
    assert err.code == "SS702" and "line" in str(err)
    assert "hunter2-canary" not in str(err)


def test_bad_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"apiVersion": "v3.1.0",')
    err = _code(path)
    assert err.code == "SS702" and "JSON" in str(err)


def test_not_utf8(tmp_path):
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    assert _code(path).code == "SS702"


def test_top_level_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    assert _code(path).code == "SS703"


@pytest.mark.parametrize("api", ["v2.2.2", "v4.0.0", None])
def test_unsupported_api_version(tmp_path, example, api):
    if api is None:
        del example["apiVersion"]
    else:
        example["apiVersion"] = api
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(example))
    err = _code(path)
    assert err.code == "SS704" and "apiVersion" in str(err)


def test_wrong_kind(example):
    example["kind"] = "DataProduct"
    with pytest.raises(ContractError) as info:
        contract_from_mapping(example)
    assert info.value.code == "SS704"


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d.pop("id"), "'id' is a required property"),
        (lambda d: column(d, "email").update(required="yes"), "properties[1].required"),
        (lambda d: column(d, "email").update(colour="red"), "'colour' was unexpected"),
        (lambda d: column(d, "email").update(logicalType="text"), "logicalType: must be one"),
        (lambda d: column(d, "email").pop("name"), "'name' is a required property"),
    ],
    ids=["no-id", "required-not-bool", "unknown-field", "bad-logical-type", "no-name"],
)
def test_schema_invalid_contract_names_the_place(example, edit, where):
    edit(example)
    with pytest.raises(ContractError) as info:
        contract_from_mapping(example, "c.yaml")
    assert info.value.code == "SS703"
    assert where in str(info.value)


def test_column_listed_twice(example):
    example["schema"][0]["properties"].append(dict(column(example, "email"), id="x2"))
    with pytest.raises(ContractError) as info:
        contract_from_mapping(example)
    assert info.value.code == "SS703" and "'email' is listed twice" in str(info.value)


def test_schema_object_choice(example):
    orders = {"name": "orders", "properties": [{"name": "order_id", "physicalType": "bigint"}]}
    example["schema"].append(orders)
    contract = contract_from_mapping(example)
    assert schema_object(contract, "orders").name == "orders"
    with pytest.raises(ContractError) as info:
        schema_object(contract)
    assert info.value.code == "SS705" and "'customers', 'orders'" in str(info.value)
    with pytest.raises(ContractError) as info:
        schema_object(contract, "payments")
    assert info.value.code == "SS705"
    example["schema"] = []
    with pytest.raises(ContractError):
        schema_object(contract_from_mapping(example))


def test_a_property_without_logical_type_is_valid(example):
    # ODCS makes logicalType optional; its schema.json's conditionals need a fix for that.
    del column(example, "country")["logicalType"]
    contract = contract_from_mapping(example)
    assert schema_object(contract).properties[2].logicalType is None


def test_logical_type_options_are_still_checked(example):
    column(example, "email")["logicalTypeOptions"] = {"maxLength": "ten"}
    with pytest.raises(ContractError) as info:
        contract_from_mapping(example)
    assert info.value.code == "SS703" and "logicalTypeOptions.maxLength" in str(info.value)
