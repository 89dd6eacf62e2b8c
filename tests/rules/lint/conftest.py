"""Helpers for the lint rule tests: lint a snippet, get the codes that fired."""

from __future__ import annotations

from textwrap import dedent

import pytest

from sparkseal.rules.lint import lint_source
from sparkseal.rules.model import Finding


def lint(src: str) -> list[Finding]:
    return lint_source(dedent(src), "snippet.py")


@pytest.fixture
def codes():
    def run(src: str) -> list[str]:
        return [f.code for f in lint(src)]

    return run
