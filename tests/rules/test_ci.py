"""docs/ci.md's GitHub Actions workflow is a valid workflow (SchemaStore's GitHub
workflow schema, vendored by check-jsonschema) running the gates in the seed's order;
the pre-commit hook definitions and examples are valid for pre-commit itself."""

from __future__ import annotations

import copy
import json
import re
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml
from pre_commit.clientlib import load_config, load_manifest

ROOT = Path(__file__).parents[2]
CI_MD = (ROOT / "docs" / "ci.md").read_text()


def yaml_blocks() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", CI_MD, re.M | re.S)


def workflow() -> dict:
    doc = yaml.safe_load(yaml_blocks()[0])
    doc["on"] = doc.pop(True)  # YAML 1.1 reads the key `on` as true
    return doc


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    text = files("check_jsonschema.builtin_schemas.vendor").joinpath("github-workflows.json")
    schema = json.loads(text.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_workflow_validates(validator):
    assert [e.message for e in validator.iter_errors(workflow())] == []


def test_a_broken_workflow_does_not(validator):
    broken = copy.deepcopy(workflow())
    del broken["jobs"]["gates"]["runs-on"]
    assert list(validator.iter_errors(broken))
    broken = copy.deepcopy(workflow())
    broken["jobs"]["gates"]["steps"][0]["with"]["fetch-depth"] = {"not": "a scalar"}
    broken["jobs"]["gates"]["timeout"] = 5
    assert list(validator.iter_errors(broken))


def test_gates_run_in_the_seeds_order_and_upload_sarif():
    steps = workflow()["jobs"]["gates"]["steps"]
    text = [json.dumps(s) for s in steps]

    def first(needle: str) -> int:
        return next(i for i, t in enumerate(text) if needle in t)

    order = [
        first("ruff check"),
        first("mypy src"),
        first("pytest"),
        first("sparkseal lint"),
        first("gitleaks"),
        first("sparkseal doctor"),
        first("sparkseal scan"),
        first("upload-sarif"),
    ]
    assert order == sorted(order)
    uploads = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert {u["with"]["category"] for u in uploads} == {"sparkseal-lint", "sparkseal-doctor"}
    assert all(u["if"].startswith("always()") for u in uploads)
    perms = workflow()["jobs"]["gates"]["permissions"]
    assert perms["security-events"] == "write"


def test_pre_commit_hooks_and_examples(tmp_path):
    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"sparkseal-lint", "sparkseal-doctor"}
    assert hooks["sparkseal-lint"]["entry"] == "sparkseal lint"
    assert re.search(hooks["sparkseal-doctor"]["files"], "deploy/spark-defaults.conf")
    assert not re.search(hooks["sparkseal-doctor"]["files"], "deploy/spark-env.sh")
    for i, block in enumerate(yaml_blocks()[1:]):
        path = tmp_path / f"config{i}.yaml"
        path.write_text(block)
        load_config(str(path))
