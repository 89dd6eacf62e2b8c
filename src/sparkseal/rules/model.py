"""Readiness rules as data: what ``sparkseal doctor`` (Spark configuration) and
``sparkseal lint`` (PySpark code) report.

Each rule lives in its own module under ``sparkseal.rules.doctor`` or
``sparkseal.rules.lint`` and registers a :class:`Rule` here; the code goes into the one
registry of codes (:mod:`sparkseal.core.codes`), so it can never collide with another,
and its doc section is generated into ``docs/rules.md`` from the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sparkseal.core.codes import _register

Severity = Literal["error", "warning", "note"]
"""SARIF's levels: ``error`` fails ``--fail-on error``; ``note`` is advice."""
SEVERITY_ORDER: dict[str, int] = {"note": 0, "warning": 1, "error": 2}

Family = Literal["security-conf", "sealing", "protection", "resilience", "performance", "code"]
Tool = Literal["doctor", "lint"]


@dataclass(frozen=True)
class Rule:
    """One check's stable identity and its documentation."""

    code: str
    tool: Tool
    family: Family
    title: str
    """One line, what is wrong (``"RPC authentication is off"``)."""
    severity: Severity
    rationale: str
    """Why it matters, in a few sentences."""
    fix: str
    """What to do instead."""
    example: str = ""
    """Code the rule reports (lint rules; doctor's examples are conf lines in
    ``sparkseal.rules.doctor.check``): shown in docs/rules.md, and a test checks it fires."""


@dataclass(frozen=True)
class Finding:
    """One place a rule fired: a conf key (doctor) or a file position (lint)."""

    code: str
    message: str
    """Specific to the place; never a configuration value or code text that may hold a
    secret or data (name the key or the construct, not its value)."""
    path: str | None = None
    line: int | None = None
    column: int | None = None
    conf_key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> Severity:
        return self.rule.severity


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add ``rule`` to the rules and its code to :data:`sparkseal.core.codes.CODES`."""
    _register(rule.code, rule.title)
    RULES[rule.code] = rule
    return rule


def at_or_above(findings: list[Finding], severity: Severity) -> list[Finding]:
    """The findings whose rule's severity is ``severity`` or worse (``--fail-on``)."""
    floor = SEVERITY_ORDER[severity]
    return [f for f in findings if SEVERITY_ORDER[f.severity] >= floor]
