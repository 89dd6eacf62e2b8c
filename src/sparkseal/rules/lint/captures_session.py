"""SS560: a function Spark runs on executors captures the SparkSession, SparkContext or a
DataFrame.

Why: Spark pickles the function with everything it refers to and ships it to the
executors; the SparkSession, SparkContext and DataFrames live only on the driver
(they wrap py4j handles to the driver JVM). Referring to one from a UDF, an RDD
function or a foreach sink fails the job (``PicklingError``,
``CONTEXT_ONLY_VALID_ON_DRIVER``) or, pulled into a nested object, drags driver
state into every task. The usual intent — look up another dataset per record —
is a join or a broadcast variable.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import FunctionNode, Module, lint_rule, method_name
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
names = spark.read.parquet("names")

def lookup(row):
    return names.filter(names.id == row.id).first()

spark.read.parquet("ids").rdd.map(lookup).count()
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS560",
    tool="lint",
    family="resilience",
    title="a function run on executors refers to the SparkSession, SparkContext or a DataFrame",
    severity="warning",
    rationale=(
        "Functions given to Spark are pickled with what they capture and run on executors. "
        "The SparkSession, SparkContext and DataFrames exist only on the driver: capturing "
        "one fails the job at serialisation (CONTEXT_ONLY_VALID_ON_DRIVER) or at run time, "
        "typically only once the code path is first exercised in production."
    ),
    fix=(
        "Do driver work on the driver: join with the other DataFrame, or collect a small "
        "lookup and `spark.sparkContext.broadcast(...)` it, then read `bc.value` inside the "
        "function."
    ),
    example=EXAMPLE,
)

_SESSION_NAMES = {
    "spark",
    "sc",
    "spark_session",
    "sparkSession",
    "spark_context",
    "sqlContext",
    "sql_context",
    "ssc",
}
_SESSION_ATTRS = {"sparkContext", "sparkSession", "_jvm", "_jsc", "_jsparkSession"}
_DF_SOURCES = {"read", "table", "sql", "createDataFrame", "range", "readStream"}


_LOCAL_RESULTS = {
    "collect",
    "toPandas",
    "count",
    "first",
    "take",
    "head",
    "tail",
    "collectAsMap",
    "broadcast",
    "accumulator",
    "toLocalIterator",
    "show",
    "asDict",
    "toJSON",
    "isEmpty",
}


def _is_session_expr(mod: Module, value: ast.AST) -> str | None:
    """What driver-only object ``value`` evaluates to, judged by its outermost step."""
    if isinstance(value, ast.Attribute) and value.attr in ("sparkContext", "sparkSession"):
        return "the SparkContext" if value.attr == "sparkContext" else "the SparkSession"
    if isinstance(value, ast.Call):
        last = method_name(value) or (mod.dotted(value.func) or "").rsplit(".", 1)[-1]
        if last in ("getOrCreate", "newSession", "getActiveSession", "active", "SparkSession"):
            return (
                "the SparkSession"
                if "SparkContext" not in (mod.dotted(value) or ast.unparse(value))
                else "the SparkContext"
            )
        if last == "SparkContext":
            return "the SparkContext"
        if last in _LOCAL_RESULTS or last is None:
            return None
        attrs = {n.attr for n in ast.walk(value) if isinstance(n, ast.Attribute)}
        names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        # spark.read..., self.spark.table(...): a DataFrame from the session
        if attrs & _DF_SOURCES and (names | attrs) & _SESSION_NAMES:
            return "a DataFrame"
    return None


def _bindings(mod: Module, scope: ast.AST) -> dict[str, str]:
    """Names in ``scope`` (not nested functions) bound to driver-only objects."""
    out: dict[str, str] = {}
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        n = todo.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(n, ast.Assign):
            what = _is_session_expr(mod, n.value)
            if what:
                for t in n.targets:
                    if isinstance(t, ast.Name):
                        out[t.id] = what
        todo.extend(ast.iter_child_nodes(n))
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        for a in [*scope.args.args, *scope.args.kwonlyargs]:
            ann = mod.dotted(a.annotation) if a.annotation is not None else None
            if ann and ann.endswith("SparkSession"):
                out[a.arg] = "the SparkSession"
            elif ann and ann.endswith("SparkContext"):
                out[a.arg] = "the SparkContext"
            elif ann and ann.endswith("DataFrame") and "pandas" not in ann:
                out[a.arg] = "a DataFrame"
    return out


def _local_names(fn: FunctionNode) -> set[str]:
    a = fn.args
    names = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
    if a.vararg:
        names.add(a.vararg.arg)
    if a.kwarg:
        names.add(a.kwarg.arg)
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n is not fn:
            names.add(n.name)
        elif isinstance(n, ast.alias):
            names.add((n.asname or n.name).split(".")[0])
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
    return names


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for sf in mod.spark_functions:
        if not sf.on_executor:
            continue
        local = _local_names(sf.node)
        outer: dict[str, str] = {}
        for scope in reversed(
            [
                a
                for a in mod.ancestors(sf.node)
                if isinstance(a, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef)
            ]
        ):
            outer.update(_bindings(mod, scope))
        reported: set[str] = set()
        for n in ast.walk(sf.node):
            what = None
            label = ""
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
                what = outer.get(n.id) or (
                    "the SparkSession or SparkContext" if n.id in _SESSION_NAMES else None
                )
                label = n.id
            elif (
                isinstance(n, ast.Attribute)
                and n.attr in _SESSION_ATTRS | _SESSION_NAMES
                and isinstance(n.value, ast.Name)
                and (n.value.id == "self" or n.attr in _SESSION_ATTRS)
            ):
                what = "the SparkSession or SparkContext"
                label = f"{n.value.id}.{n.attr}"
            elif isinstance(n, ast.Attribute | ast.Name):
                name = mod.dotted(n) or ""
                if name.endswith(
                    (
                        "SparkSession.builder",
                        "SparkSession.getActiveSession",
                        "SparkContext.getOrCreate",
                    )
                ):
                    what, label = (
                        "the SparkSession or SparkContext",
                        name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1],
                    )
            if what and label not in reported:
                reported.add(label)
                yield mod.finding(
                    RULE,
                    n,
                    f"`{sf.name}` (run by Spark via {sf.via}) refers to `{label}`, {what}, "
                    "which exists only on the driver",
                )
