"""SS550: ``collect()``/``toPandas()`` on a DataFrame or RDD with no ``limit`` before it.

Why: both bring every row to the driver. Without a ``limit`` (or ``take``/``head``,
an aggregation, or data that came from the driver in the first place) the
result grows with the data, and one day the driver runs out of memory.
Variables are followed back through simple assignments in the same scope.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, call_chain, lint_rule, method_name
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
rows = spark.read.parquet("events").filter("country = 'NL'").collect()
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS550",
    tool="lint",
    family="performance",
    title="collect() or toPandas() without a limit brings every row to the driver",
    severity="warning",
    rationale=(
        "`collect()` and `toPandas()` materialise the whole result in the driver's memory. "
        "Unbounded, they work in development and fail (driver OOM, or a long GC stall that "
        "loses executors) when production data grows."
    ),
    fix=(
        "Bound it: `df.limit(n).collect()`, `df.take(n)`, aggregate first, or write the result "
        "out with `df.write` instead of collecting it."
    ),
    example=EXAMPLE,
)

_BOUNDING = {
    "limit",
    "take",
    "head",
    "tail",
    "first",
    "agg",
    "count",
    "describe",
    "summary",
    "parallelize",
    "createDataFrame",
    "range",
    "offset",
}
_SINKS = {"collect", "toPandas", "collectAsMap"}


def _bounded(mod: Module, node: ast.AST, at: ast.AST, depth: int = 0) -> bool:
    chain = call_chain(node)
    if any(method_name(c) in _BOUNDING for c in chain):
        return True
    if any(isinstance(c.func, ast.Name) and c.func.id in ("range",) for c in chain):
        return True
    base = node
    while isinstance(base, ast.Call | ast.Attribute | ast.Subscript):
        base = base.func if isinstance(base, ast.Call) else base.value
    if isinstance(base, ast.Name) and depth < 5:
        value = _last_assignment(mod, base.id, at)
        if value is not None:
            return _bounded(mod, value, value, depth + 1)
    return False


def _last_assignment(mod: Module, name: str, at: ast.AST) -> ast.AST | None:
    scope = mod.enclosing_function(at)
    line = getattr(at, "lineno", 0)
    best: ast.Assign | None = None
    for n in mod.of(ast.Assign):
        if (
            n.lineno < line
            and (best is None or n.lineno > best.lineno)
            and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
            and mod.enclosing_function(n) is scope
        ):
            best = n
    return best.value if best is not None else None


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for node in mod.of(ast.Call):
        if method_name(node) not in _SINKS or node.args:
            continue
        receiver = node.func.value  # type: ignore[union-attr]
        if mod.dotted(receiver) in ("gc",):
            continue
        if not _bounded(mod, receiver, node):
            yield mod.finding(
                RULE, node, f"`{method_name(node)}()` with no limit before it in the chain"
            )
