"""The labelled corpus: at least 60 snippets, half with a problem, and precision and
recall >= 0.9 per rule family (scored by ``benchmarks/lint_corpus.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from sparkseal.rules.model import RULES

ROOT = Path(__file__).parents[3]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "lint_corpus", ROOT / "benchmarks" / "lint_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_corpus_precision_and_recall_per_family():
    bench = _bench()
    scores, n, positives = bench.score()
    assert n >= 60
    assert n / 2 - 3 <= positives <= n / 2 + 3  # about half with a problem, half clean
    assert set(scores) == {"code", "performance", "resilience"}
    for family, s in scores.items():
        assert s.tp >= 6, family
        assert s.precision >= 0.9 and s.recall >= 0.9, (family, s.misses)


def test_every_lint_rule_has_corpus_snippets():
    bench = _bench()
    expected = set().union(*(bench.expected_codes(p) for p in bench.CORPUS.glob("*.py")))
    lint_rules = {c for c, r in RULES.items() if r.tool == "lint" and c not in ("SS595", "SS596")}
    assert lint_rules <= expected
