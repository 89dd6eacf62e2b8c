"""SARIF 2.1.0 for ``sparkseal doctor`` and ``sparkseal lint``.

Why SARIF: GitHub code scanning and GitLab read it, so findings show up on the pull
request with their rule's help text, and a finding that was dismissed stays dismissed
(``partialFingerprints``). The document is checked in the tests against OASIS's
official schema (``sarif-schema-2.1.0.json``, errata01).

Locations: a lint finding points at ``path``/``line``/``column`` (both 1-based, as
editors and ruff show them); a doctor finding points at the ``spark-defaults.conf`` file
and line when the key came from one, and always names the configuration key as a
logical location, so a finding from ``--conf`` or a running application still says where
to look.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath, PurePosixPath
from typing import Any

from sparkseal import __version__
from sparkseal.rules.model import RULES, Finding, Rule, Tool

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

_SECURITY_FAMILIES = frozenset({"security-conf", "sealing", "protection"})
# GitHub ranks security results by ``security-severity`` (CVSS-like, 0.0-10.0).
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}


def rule_name(rule: Rule) -> str:
    """SARIF's ``name``: an identifier made of the title's words (``RpcAuthenticationIsOff``)."""
    words = re.findall(r"[A-Za-z0-9]+", rule.title)
    return "".join(w[:1].upper() + w[1:] for w in words) or rule.code


def help_markdown(rule: Rule) -> str:
    """The help a code-scanning tool shows beside a result: why, then how to fix."""
    head = f"**{rule.title}** ({rule.code}, {rule.family})"
    return f"{head}\n\n{rule.rationale}\n\n**Fix:** {rule.fix}\n"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """``reportingDescriptor`` for one rule (``tool.driver.rules[]``)."""
    tags = [rule.family, rule.tool]
    properties: dict[str, Any] = {"tags": tags}
    if rule.family in _SECURITY_FAMILIES:
        tags.append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.code,
        "name": rule_name(rule),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\n\nFix: {rule.fix}", "markdown": help_markdown(rule)},
        "defaultConfiguration": {"level": rule.severity},
        "properties": properties,
    }


def _artifact(path: str) -> dict[str, Any]:
    p = PurePath(path)
    if p.is_absolute():
        # file:// URIs for absolute paths (no base to be relative to).
        return {"uri": PurePosixPath(p.as_posix()).as_uri()}
    return {"uri": p.as_posix(), "uriBaseId": "%SRCROOT%"}


def _location(f: Finding) -> dict[str, Any] | None:
    loc: dict[str, Any] = {}
    if f.path is not None:
        physical: dict[str, Any] = {"artifactLocation": _artifact(f.path)}
        if f.line is not None and f.line >= 1:
            region: dict[str, Any] = {"startLine": f.line}
            if f.column is not None and f.column >= 1:
                region["startColumn"] = f.column
            physical["region"] = region
        loc["physicalLocation"] = physical
    if f.conf_key is not None:
        loc["logicalLocations"] = [{"name": f.conf_key, "kind": "property"}]
    return loc or None


def _fingerprint(f: Finding) -> str:
    """Stable across runs and line moves: the rule, the file and the key (never a value)."""
    basis = "\x00".join(
        [f.code, f.path or "", f.conf_key or "", f.message if f.conf_key is None else ""]
    )
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def to_sarif(findings: list[Finding], tool: Tool) -> dict[str, Any]:
    """One SARIF 2.1.0 log with one run: every ``tool`` rule as metadata, then the results."""
    rules = sorted((r for r in RULES.values() if r.tool == tool), key=lambda r: r.code)
    # A finding of another tool's rule (never expected) still gets its descriptor.
    extra = sorted({f.code for f in findings} - {r.code for r in rules})
    rules += [RULES[c] for c in extra]
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity,
            "message": {"text": f.message},
            "partialFingerprints": {"sparksealFindingHash/v1": _fingerprint(f)},
        }
        loc = _location(f)
        if loc is not None:
            result["locations"] = [loc]
        if f.extra:
            result["properties"] = dict(f.extra)
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": f"sparkseal-{tool}",
                        "semanticVersion": __version__,
                        "version": __version__,
                        "rules": [rule_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "the directory the tool ran in"}}
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
