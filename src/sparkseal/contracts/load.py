"""Read an ODCS v3 contract file into the standard's own pydantic model.

A contract is checked twice: against the standard's ``schema.json`` (the authority; the
pydantic models accept unknown nested fields, the schema does not) and then through the
models, which is what the rest of sparkseal uses. Errors are coded and name the place in
the file; they never show a traceback, nor quote the file's values beyond short names.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from open_data_contract_standard.model import OpenDataContractStandard, SchemaObject
from pydantic import ValidationError

from sparkseal.contracts.errors import ContractError

MAX_ERRORS = 10


def _condition_needs_field(cond: Any) -> None:
    if not isinstance(cond, dict):
        return
    props = cond.get("properties")
    if isinstance(props, dict):
        for name, rule in props.items():
            if isinstance(rule, dict) and "const" in rule:
                cond.setdefault("required", [])
                if name not in cond["required"]:
                    cond["required"].append(name)
    for key in ("anyOf", "allOf", "oneOf"):
        for branch in cond.get(key, []):
            _condition_needs_field(branch)


def _fix_conditions(node: Any) -> None:
    # The standard's schema.json says "if logicalType is X then logicalTypeOptions ..." as
    # {"if": {"properties": {"logicalType": {"const": X}}}}, which JSON Schema also matches
    # when logicalType is absent: every branch then applies, and a property without a
    # logicalType (optional in ODCS) fails with "'map' is a required property". Requiring
    # the tested field in each condition makes it test what it means.
    if isinstance(node, dict):
        if "if" in node:
            _condition_needs_field(node["if"])
        for value in node.values():
            _fix_conditions(value)
    elif isinstance(node, list):
        for value in node:
            _fix_conditions(value)


@functools.cache
def _schema() -> dict[str, Any]:
    text = (
        importlib.resources.files("open_data_contract_standard")
        .joinpath("schema.json")
        .read_text(encoding="utf-8")
    )
    schema = json.loads(text)
    _fix_conditions(schema)
    return schema


def supported_api_versions() -> tuple[str, ...]:
    """The ODCS v3 versions the installed standard package describes (e.g. v3.0.0-v3.2.0)."""
    enum = _schema()["properties"]["apiVersion"]["enum"]
    return tuple(v for v in enum if v.startswith("v3."))


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def _schema_message(err: Any) -> str:
    # Say what was expected without repeating the offending value.
    if err.validator == "type":
        return f"must be of type {err.validator_value}"
    if err.validator == "enum":
        return f"must be one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "const":
        return f"must be {err.validator_value!r}"
    if err.validator in ("required", "unevaluatedProperties", "additionalProperties"):
        return err.message
    return f"fails the standard's {err.validator!r} rule"


def _check_schema(data: dict[str, Any], source: str) -> None:
    import jsonschema

    validator = jsonschema.Draft201909Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    lines = [f"  {_where(e.absolute_path)}: {_schema_message(e)}" for e in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        lines.append(f"  ... and {len(errors) - MAX_ERRORS} more")
    raise ContractError("SS703", f"{source} is not a valid ODCS contract:\n" + "\n".join(lines))


def _check_unique_columns(contract: OpenDataContractStandard, source: str) -> None:
    problems = []
    for obj in contract.schema_ or []:
        seen: set[str] = set()
        for prop in obj.properties or []:
            col = column_name(prop)
            if col in seen:
                problems.append(f"  schema {obj.name!r}: column {col!r} is listed twice")
            seen.add(col)
    if problems:
        raise ContractError(
            "SS703", f"{source} is not a valid ODCS contract:\n" + "\n".join(problems)
        )


def column_name(prop: Any) -> str:
    """The column's name in the data: ODCS ``physicalName`` if given, else ``name``."""
    return prop.physicalName or prop.name


def contract_from_mapping(data: Any, source: str = "<mapping>") -> OpenDataContractStandard:
    """Validate parsed YAML/JSON as an ODCS v3 contract."""
    if not isinstance(data, Mapping):
        raise ContractError(
            "SS703",
            f"{source} is not a valid ODCS contract: the top level must be a mapping "
            "(apiVersion, kind, id, version, schema, ...)",
        )
    data = dict(data)
    api = data.get("apiVersion")
    supported = supported_api_versions()
    if api not in supported:
        shown = repr(api)[:40] if api is not None else "missing"
        raise ContractError(
            "SS704",
            f"{source}: apiVersion {shown} is not supported; sparkseal reads ODCS "
            f"{', '.join(supported)} (convert older contracts, e.g. with datacontract-cli)",
        )
    if data.get("kind") != "DataContract":
        raise ContractError(
            "SS704", f"{source}: kind must be 'DataContract' (an ODCS data contract)"
        )
    _check_schema(data, source)
    try:
        contract = OpenDataContractStandard.model_validate(data)
    except ValidationError as exc:
        lines = [f"  {_where(e['loc'])}: {e['msg']}" for e in exc.errors()[:MAX_ERRORS]]
        raise ContractError(
            "SS703", f"{source} is not a valid ODCS contract:\n" + "\n".join(lines)
        ) from None
    _check_unique_columns(contract, source)
    return contract


def load_contract(path: str | os.PathLike[str]) -> OpenDataContractStandard:
    """Load an ODCS v3 contract (YAML, or JSON by a ``.json`` suffix) from ``path``.

    Why the standard's model: contracts stay readable by every ODCS tool (datacontract-cli,
    catalogs), and sparkseal adds meaning only where ODCS leaves it open (see
    docs/contracts.md).
    """
    p = Path(path).expanduser()
    source = str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ContractError("SS701", f"contract file not found: {source}") from None
    except IsADirectoryError:
        raise ContractError("SS701", f"contract path is a directory: {source}") from None
    except OSError as exc:
        raise ContractError(
            "SS701", f"contract file could not be read: {source}: {exc.strerror}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ContractError("SS702", f"{source} is not UTF-8 text") from None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContractError(
                "SS702",
                f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            ) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise ContractError("SS702", f"{source} is not valid YAML: {problem}{where}") from None
    return contract_from_mapping(data, source)


def as_contract(
    contract: OpenDataContractStandard | str | os.PathLike[str],
) -> OpenDataContractStandard:
    """A loaded contract as is; a path loaded."""
    if isinstance(contract, OpenDataContractStandard):
        return contract
    return load_contract(contract)


def schema_object(contract: OpenDataContractStandard, dataset: str | None = None) -> SchemaObject:
    """The contract's schema object for ``dataset`` (its ``name`` or ``physicalName``).

    Without ``dataset`` the contract must describe exactly one; a contract for several
    tables must be told which one the DataFrame is.
    """
    objects = contract.schema_ or []
    label = contract.name or contract.id or "contract"
    if dataset is None:
        if len(objects) == 1:
            return objects[0]
        if not objects:
            raise ContractError("SS705", f"{label} has no schema object (no columns to check)")
        names = ", ".join(repr(o.name) for o in objects)
        raise ContractError(
            "SS705", f"{label} describes {len(objects)} datasets ({names}); pass dataset=NAME"
        )
    for obj in objects:
        if dataset in (obj.name, obj.physicalName):
            return obj
    names = ", ".join(repr(o.name) for o in objects) or "none"
    raise ContractError(
        "SS705", f"{label} has no schema object named {dataset!r} (it has: {names})"
    )
