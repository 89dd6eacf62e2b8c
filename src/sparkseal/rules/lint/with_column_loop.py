"""SS552: ``df = df.withColumn(...)`` repeated in a loop.

Why: each ``withColumn`` adds a projection to the plan; a loop over many columns
builds a plan hundreds of nodes deep, and analysis time grows with every step
(Spark's own docs warn: "calling it multiple times, for instance, via loops in
order to add multiple columns can generate big plans which can cause
performance issues and even StackOverflowException"). Matched: the loop
reassigns the same name from its own ``withColumn`` (or ``withColumnRenamed``), or
``functools.reduce`` folds a lambda that does.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, call_chain, lint_rule, method_name
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession, functions as F
df = SparkSession.builder.getOrCreate().read.parquet("x")
for c in df.columns:
    df = df.withColumn(c, F.trim(F.col(c)))
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS552",
    tool="lint",
    family="performance",
    title="withColumn in a loop builds a deep plan; add the columns in one withColumns/select",
    severity="note",
    rationale=(
        "Every `withColumn` call is a new projection and a new round of analysis. In a loop "
        "over N columns the plan is N projections deep; analysis time grows quadratically "
        "and large N ends in a StackOverflowError on the driver."
    ),
    fix=(
        "Build the columns first and add them at once: "
        "`df = df.withColumns({c: F.trim(c) for c in cols})` or one `select`; "
        "`withColumnsRenamed` for renames."
    ),
    example=EXAMPLE,
)

_METHODS = {"withColumn", "withColumnRenamed"}


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for node in mod.of(ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Call):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            calls = [c for c in call_chain(node.value) if method_name(c) in _METHODS]
            if not calls or _base_name(node.value) not in names:
                continue
            loop = mod.in_loop(node)
            if loop is not None:
                yield mod.finding(
                    RULE,
                    calls[0],
                    f"`{method_name(calls[0])}` reassigned in a loop grows the plan each iteration",
                )
        elif (
            isinstance(node, ast.Call)
            and (mod.dotted(node.func) or "").rsplit(".", 1)[-1] == "reduce"
            and node.args
            and isinstance(node.args[0], ast.Lambda)
        ):
            lam = node.args[0]
            first = lam.args.args[0].arg if lam.args.args else None
            calls = [c for c in call_chain(lam.body) if method_name(c) in _METHODS]
            if calls and _base_name(lam.body) == first:
                yield mod.finding(
                    RULE,
                    calls[0],
                    f"`{method_name(calls[0])}` in a reduce grows the plan per item",
                )
