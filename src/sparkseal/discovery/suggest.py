"""A ``[protect]`` policy snippet that protects what ``discover`` found; a start to review."""

from __future__ import annotations

import json

from sparkseal.discovery.discover import Finding, Report

# Per entity: a rule for an "analyst" role (joins, no plaintext) and a "support" role
# (enough to recognise a value on the phone). Free text can only be redacted.
_RULES: dict[str, dict[str, str]] = {
    "email": {
        "analyst": '"hash"',
        "support": '{ rule = "partial", keep_first = 1, keep_last = 4 }',
    },
    "card": {"analyst": '"tokenize"', "support": '{ rule = "partial", keep_last = 4 }'},
    "ssn": {"analyst": '"hash"', "support": '{ rule = "partial", keep_last = 4 }'},
    "iban": {
        "analyst": '"tokenize"',
        "support": '{ rule = "partial", keep_first = 2, keep_last = 4 }',
    },
    "ipv4": {"analyst": '"hash"', "support": '"redact"'},
    "phone": {"analyst": '"hash"', "support": '{ rule = "partial", keep_last = 4 }'},
    "date_of_birth": {"analyst": '{ rule = "generalize", to = "year" }', "support": '"redact"'},
    "person": {"analyst": '"hash"', "support": '{ rule = "partial", keep_first = 1 }'},
    "address": {
        "analyst": '{ rule = "generalize", to = "prefix", size = 3 }',
        "support": '"redact"',
    },
}
_FREE_TEXT = {"analyst": '"redact"', "support": '"redact"'}
HEADER = """\
# Suggested by `sparkseal discover`: review before use. Roles "analyst" and "support"
# are examples; roles without a rule get the default (drop). Secrets are references:
# set them first (e.g. `export SPARKSEAL_PEPPER=$(head -c 32 /dev/urandom | base64)`).
[protect]
default = "drop"
pepper = "env:SPARKSEAL_PEPPER"
token_key = "env:SPARKSEAL_TOKEN_KEY"
unprotect_roles = []
"""


def _describe(f: Finding) -> str:
    if f.where == "name":
        return f"{f.entity}: only the column name suggests it"
    return f"{f.entity}: {f.where}, {f.share:.1%} of {f.values} sampled values"


def suggest_policy(report: Report, min_confidence: float = 0.3) -> str:
    """TOML for ``[protect]``: one ``[[protect.columns]]`` per column with findings."""
    parts = [HEADER]
    for column, findings in report.columns().items():
        kept = [f for f in findings if f.confidence >= min_confidence]
        if not kept:
            continue
        best = kept[0]  # findings are sorted by confidence
        free_text = any(f.where == "embedded" for f in kept)
        rules = _FREE_TEXT if free_text else _RULES[best.entity]
        lines = [f"# {_describe(f)} (confidence {f.confidence})" for f in kept]
        lines += ["[[protect.columns]]", f"match = [{json.dumps(column)}]"]
        lines += [f"rules.{role} = {rule}" for role, rule in rules.items()]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
