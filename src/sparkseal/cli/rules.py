"""``sparkseal rules``: the rules of ``doctor`` and ``lint``, as a table, JSON or markdown."""

from __future__ import annotations

import dataclasses
import json
import sys

import click
from rich.console import Console
from rich.table import Table

from sparkseal.rules.docs import all_rules, markdown, rule_section


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("code", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the rules as a JSON list.")
@click.option(
    "--markdown",
    "as_markdown",
    is_flag=True,
    help="Print docs/rules.md (sparkseal rules --markdown > docs/rules.md).",
)
@click.option(
    "--tool",
    type=click.Choice(["doctor", "lint"]),
    default=None,
    help="Only the rules of this tool.",
)
def rules(code: str | None, as_json: bool, as_markdown: bool, tool: str | None) -> None:
    """List the readiness rules, or explain one (CODE, e.g. SS500).

    \b
    Exit codes:
      0  printed
      2  bad usage (unknown code, --json with --markdown)
    """
    if as_json and as_markdown:
        raise click.UsageError("--json and --markdown are exclusive")
    selected = [r for r in all_rules() if tool is None or r.tool == tool]
    if code is not None:
        selected = [r for r in selected if r.code == code.strip().upper()]
        if not selected:
            raise click.BadParameter(
                "no such rule; `sparkseal rules` lists them", param_hint="CODE"
            )
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(r) for r in selected], indent=2))
    elif as_markdown:
        text = (
            markdown(selected)
            if code is None and tool is None
            else "\n".join(rule_section(r) for r in selected)
        )
        sys.stdout.write(text)
    elif code is not None:
        click.echo(rule_section(selected[0]).rstrip("\n"))
    else:
        table = Table(title="sparkseal rules", title_justify="left")
        for column in ("Code", "Tool", "Family", "Severity", "Title"):
            table.add_column(column, overflow="fold")
        for r in selected:
            table.add_row(r.code, r.tool, r.family, r.severity, r.title)
        Console(file=sys.stdout, highlight=False).print(table)
