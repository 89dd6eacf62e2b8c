"""Spark SQL type names: parsing, matching data against a contract, widening."""

from __future__ import annotations

import pytest

from sparkseal.contracts import ContractError
from sparkseal.contracts.types import matches, parse, widens


@pytest.mark.parametrize(
    ("text", "canonical", "logical"),
    [
        ("BIGINT", "bigint", "integer"),
        ("long", "bigint", "integer"),
        ("integer", "int", "integer"),
        ("decimal", "decimal(10,0)", "number"),
        ("DECIMAL(12, 2)", "decimal(12,2)", "number"),
        ("varchar(20)", "varchar(20)", "string"),
        ("timestamp_ntz", "timestamp_ntz", "timestamp"),
        ("binary", "binary", None),
        ("interval day to second", "interval day to second", None),
        ("array<string>", "array<string>", "array"),
        ("map<string, array<int>>", "map<string,array<int>>", "map"),
        ("struct<a:int, `b c`:string>", "struct<a:int,`b c`:string>", "object"),
    ],
)
def test_parse(text, canonical, logical):
    t = parse(text)
    assert str(t) == canonical and t.logical == logical
    assert parse(str(t)) == t


@pytest.mark.parametrize(
    "text", ["bigin", "NUMBER(10,2)", "decimal(40,2)", "varchar", "array<int", "int x", ""]
)
def test_not_a_spark_type(text):
    with pytest.raises(ContractError) as info:
        parse(text)
    assert info.value.code == "SS713"


def test_varchar_in_a_contract_accepts_spark_string():
    assert matches(parse("string"), parse("varchar(10)"))
    assert not matches(parse("varchar(10)"), parse("string"))
    assert not matches(parse("array<int>"), parse("array<bigint>"))


@pytest.mark.parametrize(
    ("old", "new", "widened"),
    [
        ("tinyint", "smallint", True),
        ("int", "bigint", True),
        ("bigint", "int", False),
        ("float", "double", True),
        ("int", "double", True),
        ("bigint", "double", False),
        ("int", "decimal(10,0)", True),
        ("int", "decimal(10,2)", False),
        ("decimal(10,2)", "decimal(12,4)", True),
        ("decimal(10,2)", "decimal(10,3)", False),
        ("date", "timestamp", True),
        ("timestamp", "date", False),
        ("varchar(10)", "string", True),
        ("string", "varchar(10)", False),
        ("int", "string", False),
        ("array<int>", "array<bigint>", True),
        ("struct<a:int>", "struct<a:bigint,b:string>", True),
        ("struct<a:int,b:string>", "struct<a:int>", False),
    ],
)
def test_widens(old, new, widened):
    assert widens(parse(old), parse(new)) is widened
