"""How a doctor rule is written: a :class:`Rule` and the function that finds it.

``@check(Rule(...))`` registers the rule (its code lands in the one registry of codes)
and its function; :func:`run` calls every function on an :class:`EffectiveConf`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule, register

CheckFn = Callable[[EffectiveConf], Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}
EXAMPLES: dict[str, str] = {}
"""A ``spark-defaults.conf`` snippet the rule reports, for docs/rules.md (tested)."""


def check(rule: Rule, example: str = "") -> Callable[[CheckFn], CheckFn]:
    """Register ``rule`` (a doctor rule), an example conf it reports, and the decorated
    function that reports it."""
    if rule.tool != "doctor":
        raise ValueError(f"{rule.code} is not a doctor rule")
    register(rule)
    if example:
        EXAMPLES[rule.code] = example

    def decorate(fn: CheckFn) -> CheckFn:
        CHECKS[rule.code] = fn
        return fn

    return decorate


def run(conf: EffectiveConf) -> list[Finding]:
    """Every doctor rule's findings on ``conf``."""
    findings: list[Finding] = []
    for code in sorted(CHECKS):
        for f in CHECKS[code](conf):
            if f.code != code:
                raise AssertionError(f"check {code} reported {f.code}")
            findings.append(f)
    return findings
