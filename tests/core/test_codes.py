"""Every registered code has a doc section (docs/codes.md, or docs/rules.md for the readiness
rules), every section a registered code, and codes are used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sparkseal.core.codes import CODES, coded
from sparkseal.rules.docs import all_rules

ROOT = Path(__file__).parents[2]


def test_registry_and_docs_list_the_same_codes():
    """A code is documented once: in docs/codes.md, or (doctor and lint rules) in the
    generated docs/rules.md."""
    all_rules()  # registers every doctor and lint rule's code
    documented = [
        code
        for doc in ("codes.md", "rules.md")
        for code in re.findall(r"^## (SS\d{3})$", (ROOT / "docs" / doc).read_text(), re.M)
    ]
    assert len(documented) == len(set(documented))
    assert sorted(documented) == sorted(CODES)


def test_every_code_is_used_somewhere_outside_the_registry():
    sources = [
        p.read_text()
        for p in [*ROOT.glob("src/**/*.py"), *ROOT.glob("jvm/src/**/*.java")]
        if p.name != "codes.py"
    ]
    unused = [code for code in CODES if not any(code in text for text in sources)]
    assert unused == []


def test_coded_refuses_unknown_codes():
    assert coded("SS001", "x") == "SS001: x"
    with pytest.raises(KeyError):
        coded("SS999", "x")
