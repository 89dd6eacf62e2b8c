"""SS542: ``print`` in a function Spark runs on executors.

Why: a UDF's or foreach function's ``print`` goes to the executor's stdout, which
Spark keeps as a plain log file next to stderr (and serves in the UI's executor
logs). What is printed there is usually the row being processed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()

def show(row):
    print(row)

spark.read.parquet("x").foreach(show)
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS542",
    tool="lint",
    family="code",
    title="print in a UDF or foreach function writes to the executor's stdout log",
    severity="warning",
    rationale=(
        "Executor stdout is a plain file (`stdout` in the executor's work dir, linked from "
        "the UI's Executors tab), kept as long as the application's logs. A `print` in a "
        "UDF, an RDD function or a foreach sink runs once per record and usually prints the "
        "record."
    ),
    fix=(
        "Drop the print, or use a logger (`logging.getLogger(__name__)`) with a message that "
        "names fields rather than values; for debugging, use a sample and `df.show()` on the "
        "driver under sparkseal."
    ),
    example=EXAMPLE,
)


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for sf in mod.spark_functions:
        if not sf.on_executor:
            continue
        for node in ast.walk(sf.node):
            if not isinstance(node, ast.Call) or mod.spark_function_of(node) is not sf:
                continue
            name = mod.dotted(node.func)
            if name in ("print", "sys.stdout.write", "sys.stderr.write", "pprint.pprint", "pprint"):
                yield mod.finding(
                    RULE,
                    node,
                    f"`{name}` in `{sf.name}` (run by Spark via {sf.via}) writes to executor logs",
                )
