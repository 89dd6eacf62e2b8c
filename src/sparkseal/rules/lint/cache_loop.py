"""SS553: ``cache()``/``persist()`` in a loop without ``unpersist()`` in the same loop.

Why: each iteration caches a new DataFrame and the old ones stay in executor
memory (and spill to disk) until the application ends or memory pressure
evicts them, so iterative jobs slow down and spill more with every round.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule, method_name
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("x")
for i in range(10):
    df = df.filter(f"score > {i}").cache()
    df.count()
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS553",
    tool="lint",
    family="performance",
    title="cache()/persist() in a loop without unpersist() keeps every iteration's data cached",
    severity="warning",
    rationale=(
        "A DataFrame cached in each iteration of a loop stays in executor storage memory "
        "until it is unpersisted. Nothing unpersists it, so the cached blocks of every past "
        "iteration compete with execution memory, spill to local disk, and slow each round."
    ),
    fix=(
        "Unpersist the previous iteration's DataFrame once the new one is materialised "
        "(`prev.unpersist()`), or use `checkpoint()`/`localCheckpoint()` to cut the lineage."
    ),
    example=EXAMPLE,
)

_CACHING = {"cache", "persist"}


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    unpersisting: dict[int, bool] = {}
    for c in mod.of(ast.Call):
        if method_name(c) not in _CACHING:
            continue
        loop = mod.in_loop(c)
        if not isinstance(loop, ast.For | ast.AsyncFor | ast.While):
            continue
        if id(loop) not in unpersisting:
            body = ast.Module(body=[*loop.body, *loop.orelse], type_ignores=[])
            unpersisting[id(loop)] = any(
                isinstance(n, ast.Call) and method_name(n) == "unpersist" for n in ast.walk(body)
            )
        if not unpersisting[id(loop)]:
            yield mod.finding(
                RULE, c, f"`{method_name(c)}()` in a loop with no `unpersist()` in it"
            )
