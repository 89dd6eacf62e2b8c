"""docs/rules.md is generated from the rule data; `sparkseal rules` lists every rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from sparkseal.cli.main import cli
from sparkseal.rules.docs import all_rules, markdown

ROOT = Path(__file__).parents[2]


def test_committed_rules_md_is_the_generated_one():
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == markdown(), "run: sparkseal rules --markdown > docs/rules.md"


def test_one_section_per_rule_with_rationale_and_fix():
    text = markdown()
    sections = re.findall(r"^## (SS\d{3})$", text, re.M)
    rules = all_rules()
    assert sections == [r.code for r in rules] and len(set(sections)) == len(sections)
    for r in rules:
        body = text.split(f"## {r.code}\n", 1)[1].split("\n## ", 1)[0]
        assert r.title in body and r.rationale in body and f"**Fix:** {r.fix}" in body
        assert f"severity: {r.severity}" in body and f"family: {r.family}" in body


def test_every_rule_documents_an_example_it_reports():
    from sparkseal.rules.lint import lint_source

    text = markdown()
    for r in all_rules():
        if r.code == "SS596":  # a file that cannot be read has no code to show
            continue
        body = text.split(f"## {r.code}\n", 1)[1].split("\n## ", 1)[0]
        assert "Reported on:" in body, f"{r.code} has no example"
        if r.tool == "lint":
            assert r.example.strip() in body
            assert r.code in {f.code for f in lint_source(r.example, "example.py")}, r.code


def test_rules_cli_lists_explains_and_exports():
    runner = CliRunner()
    listed = runner.invoke(cli, ["rules"])
    assert listed.exit_code == 0
    for r in all_rules():
        assert r.code in listed.output
    data = json.loads(runner.invoke(cli, ["rules", "--json"]).output)
    assert {d["code"] for d in data} == {r.code for r in all_rules()}
    assert {"title", "severity", "family", "rationale", "fix", "tool"} <= set(data[0])
    one = runner.invoke(cli, ["rules", "ss500"])
    assert one.exit_code == 0 and one.output.startswith("## SS500")
    doctor_only = json.loads(runner.invoke(cli, ["rules", "--tool", "doctor", "--json"]).output)
    assert doctor_only and all(d["tool"] == "doctor" for d in doctor_only)
    assert runner.invoke(cli, ["rules", "--markdown"]).output == markdown()
    assert runner.invoke(cli, ["rules", "SS000"]).exit_code == 2
    assert runner.invoke(cli, ["rules", "--json", "--markdown"]).exit_code == 2
