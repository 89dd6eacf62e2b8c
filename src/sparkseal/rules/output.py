"""How ``sparkseal doctor`` and ``sparkseal lint`` report: one renderer, three formats.

``table`` is for people (rich), ``json`` is a list of findings for scripts, ``sarif`` is
SARIF 2.1.0 for code scanning (:mod:`sparkseal.rules.sarif`). Exit codes are shared:
0 nothing at or above ``--fail-on``, 1 findings at or above it, 2 bad usage or input
(click's own usage errors, and the tools' SS590-SS599 errors).

Findings never carry a configuration value or a code literal (see
:class:`sparkseal.rules.model.Finding`), so every format can be printed and uploaded.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, Literal, TextIO, TypeVar

import click
from rich.console import Console
from rich.table import Table

from sparkseal.rules.model import SEVERITY_ORDER, Finding, Severity, Tool, at_or_above
from sparkseal.rules.sarif import to_sarif
from sparkseal.scan.terminal import printable

Format = Literal["table", "json", "sarif"]
FailOn = Severity | Literal["never"]
FORMATS: tuple[str, ...] = ("table", "json", "sarif")
FAIL_ON: tuple[str, ...] = ("error", "warning", "note", "never")

_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def sort_key(f: Finding) -> tuple[Any, ...]:
    """Worst first, then by place, then by code: the order every format uses."""
    return (
        -SEVERITY_ORDER[f.severity],
        f.path or "",
        f.line or 0,
        f.column or 0,
        f.conf_key or "",
        f.code,
    )


def location_text(f: Finding) -> str:
    """``file:line:col`` when known, then the conf key (``spark-defaults.conf:12 spark.x``)."""
    parts = []
    if f.path is not None:
        where = f.path
        if f.line is not None:
            where += f":{f.line}"
            if f.column is not None:
                where += f":{f.column}"
        parts.append(where)
    if f.conf_key is not None:
        parts.append(f.conf_key)
    return " ".join(parts) or "-"


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as plain JSON data (the ``json`` format's list items)."""
    rule = f.rule
    return {
        "code": f.code,
        "severity": f.severity,
        "family": rule.family,
        "title": rule.title,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "conf_key": f.conf_key,
        "extra": dict(f.extra),
    }


def summary(findings: list[Finding]) -> str:
    """``3 findings: 1 error, 2 warning`` or ``no findings``."""
    if not findings:
        return "no findings"
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "note")}
    detail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {detail}"


def _render_table(findings: list[Finding], tool: Tool, stream: TextIO) -> None:
    console = Console(
        file=stream, highlight=False, soft_wrap=False, width=None if stream.isatty() else 160
    )
    if findings:
        table = Table(title=f"sparkseal {tool}", title_justify="left", show_lines=False)
        table.add_column("Code", no_wrap=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Where", overflow="fold")
        table.add_column("Finding", overflow="fold")
        for f in findings:
            table.add_row(
                f.code,
                f"[{_STYLE[f.severity]}]{f.severity}[/]",
                printable(location_text(f), keep_newlines=False),
                printable(f.message, keep_newlines=False),
                end_section=False,
            )
        console.print(table, markup=True)
    console.print(summary(findings), markup=False)


def render(findings: list[Finding], fmt: Format, *, tool: Tool, stream: TextIO) -> None:
    """Write ``findings`` to ``stream`` as a table, a JSON list or a SARIF 2.1.0 log."""
    ordered = sorted(findings, key=sort_key)
    if fmt == "table":
        _render_table(ordered, tool, stream)
    elif fmt == "json":
        json.dump([finding_dict(f) for f in ordered], stream, indent=2)
        stream.write("\n")
    elif fmt == "sarif":
        json.dump(to_sarif(ordered, tool), stream, indent=2)
        stream.write("\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def exit_code(findings: list[Finding], fail_on: FailOn) -> int:
    """1 when any finding's severity is at or above ``fail_on``, else 0 (``never``: 0)."""
    if fail_on == "never":
        return 0
    return 1 if at_or_above(findings, fail_on) else 0


def parse_codes(text: str | None) -> tuple[str, ...]:
    """``"SS501, SS54"`` -> ``("SS501", "SS54")``: codes or code prefixes, upper-cased."""
    if not text:
        return ()
    return tuple(p.strip().upper() for p in text.split(",") if p.strip())


def filter_findings(
    findings: Iterable[Finding], *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[Finding]:
    """Keep findings whose code starts with one of ``select`` (all when empty) and with none
    of ``ignore`` (prefixes, as in ruff: ``SS54`` is SS540-SS549)."""
    sel, ign = tuple(select), tuple(ignore)
    return [
        f
        for f in findings
        if (not sel or f.code.startswith(sel)) and not (ign and f.code.startswith(ign))
    ]


F = TypeVar("F", bound=Callable[..., Any])


def output_options(func: F) -> F:
    """The options ``doctor`` and ``lint`` share: ``--format``, ``--output``, ``--fail-on``,
    ``--select``, ``--ignore``."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="table for people, json for scripts, sarif for code scanning (SARIF 2.1.0).",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, writable=True),
            default=None,
            help="Write the report to FILE instead of standard output.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(FAIL_ON),
            default="error",
            show_default=True,
            help="Exit 1 when a finding is at or above this severity (never: always 0).",
        ),
        click.option(
            "--select",
            default=None,
            metavar="CODES",
            help="Only these codes or prefixes, comma-separated (SS501,SS51).",
        ),
        click.option(
            "--ignore",
            default=None,
            metavar="CODES",
            help="Drop these codes or prefixes, comma-separated.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def emit(findings: list[Finding], fmt: Format, *, tool: Tool, output: str | None) -> None:
    """``render`` to ``output`` (a file, written whole) or to standard output."""
    if output is None:
        render(findings, fmt, tool=tool, stream=sys.stdout)
        return
    with open(output, "w", encoding="utf-8") as stream:
        render(findings, fmt, tool=tool, stream=stream)
