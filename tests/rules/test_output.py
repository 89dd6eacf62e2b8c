"""The shared renderer: table, JSON and SARIF say the same thing; exit codes follow
``--fail-on``; ``--select``/``--ignore`` work by code prefix."""

from __future__ import annotations

import io
import json

import pytest

from sparkseal.rules.model import RULES, Finding, Rule
from sparkseal.rules.output import exit_code, filter_findings, parse_codes, render, summary

RULES_FOR_TEST = [
    Rule("SS998", "doctor", "security-conf", "a made-up conf rule", "error", "Why.", "Set it."),
    Rule("SS997", "doctor", "performance", "a made-up advice rule", "note", "Slower.", "On."),
    Rule("SS996", "doctor", "resilience", "a made-up fragile rule", "warning", "Breaks.", "Fix."),
]


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    for rule in RULES_FOR_TEST:
        monkeypatch.setitem(RULES, rule.code, rule)


FINDINGS = [
    Finding("SS997", "worker reuse is off", conf_key="spark.python.worker.reuse"),
    Finding(
        "SS998", "auth is off", path="spark-defaults.conf", line=4, conf_key="spark.authenticate"
    ),
    Finding("SS996", "fragile", conf_key="spark.speculation"),
]


def _render(fmt, findings=FINDINGS) -> str:
    out = io.StringIO()
    render(findings, fmt, tool="doctor", stream=out)
    return out.getvalue()


def test_json_is_sorted_worst_first_with_rule_data():
    data = json.loads(_render("json"))
    assert [d["code"] for d in data] == ["SS998", "SS996", "SS997"]
    assert data[0] == {
        "code": "SS998",
        "severity": "error",
        "family": "security-conf",
        "title": "a made-up conf rule",
        "message": "auth is off",
        "path": "spark-defaults.conf",
        "line": 4,
        "column": None,
        "conf_key": "spark.authenticate",
        "extra": {},
    }
    assert json.loads(_render("json", [])) == []


def test_table_names_code_place_and_summary():
    text = _render("table")
    for needle in ("SS998", "spark-defaults.conf:4", "spark.authenticate", "auth is off", "SS997"):
        assert needle in text
    assert text.index("SS998") < text.index("SS997")
    assert "3 findings: 1 error, 1 warning, 1 note" in text
    assert _render("table", []).strip() == "no findings"


def test_table_neutralises_terminal_escapes_in_messages():
    evil = [Finding("SS998", "path \x1b]0;pwned\x07 here", path="a\x1b[2Jb.conf")]
    text = _render("table", evil)
    assert "\x1b" not in text and "\x07" not in text


def test_sarif_format_is_a_sarif_log():
    doc = json.loads(_render("sarif"))
    assert doc["version"] == "2.1.0" and len(doc["runs"][0]["results"]) == 3


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        _render("xml")


@pytest.mark.parametrize(
    "fail_on,expected",
    [("error", 1), ("warning", 1), ("note", 1), ("never", 0)],
)
def test_exit_code_with_an_error(fail_on, expected):
    assert exit_code(FINDINGS, fail_on) == expected


def test_exit_code_below_the_threshold():
    notes = [FINDINGS[0]]
    assert exit_code(notes, "error") == 0
    assert exit_code(notes, "warning") == 0
    assert exit_code(notes, "note") == 1
    assert exit_code([], "note") == 0


def test_select_and_ignore_by_prefix():
    assert parse_codes(" ss998, SS99 ,,") == ("SS998", "SS99")
    assert [f.code for f in filter_findings(FINDINGS, select=["SS998"])] == ["SS998"]
    assert len(filter_findings(FINDINGS, select=["SS99"])) == 3
    assert [f.code for f in filter_findings(FINDINGS, ignore=["SS998", "SS997"])] == ["SS996"]
    assert filter_findings(FINDINGS, select=["SS99"], ignore=["SS99"]) == []
    assert summary(FINDINGS[:1]) == "1 finding: 1 note"
