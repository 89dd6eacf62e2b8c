"""SS551: a Python UDF whose body a built-in Spark function does.

Why: a Python UDF ships every row to a Python worker and back (serialisation,
no codegen, no predicate pushdown); ``x.lower()`` as a UDF is ``F.lower(col)``
in the JVM. Only bodies that are one expression over the UDF's parameters are
matched (optionally guarded by ``if x is None``), and the native function is named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import functions as F
lower = F.udf(lambda s: s.lower() if s is not None else None, "string")
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS551",
    tool="lint",
    family="performance",
    title="a Python UDF does what a built-in Spark function does",
    severity="note",
    rationale=(
        "Every row goes through a Python worker for a Python UDF: pickled or Arrow-encoded, "
        "sent over a socket, decoded, and back. A built-in function runs in the JVM with "
        "whole-stage codegen and lets the optimizer push filters down; it is often 10x faster."
    ),
    fix="Use the named built-in function from `pyspark.sql.functions` (or a Column operator).",
    example=EXAMPLE,
)

_METHODS = {
    "lower": "F.lower",
    "upper": "F.upper",
    "strip": "F.trim",
    "lstrip": "F.ltrim",
    "rstrip": "F.rtrim",
    "title": "F.initcap",
    "replace": "F.replace / F.regexp_replace",
    "split": "F.split",
    "startswith": "Column.startswith / F.startswith",
    "endswith": "Column.endswith / F.endswith",
    "zfill": "F.lpad",
    "ljust": "F.rpad",
    "rjust": "F.lpad",
    "find": "F.instr / F.locate",
    "count": "F.regexp_count",
    "isdigit": "Column.rlike",
    "capitalize": "F.initcap",
    "join": "F.concat_ws / F.array_join",
    "encode": "F.encode",
}
_FUNCS = {
    "len": "F.length / F.size",
    "abs": "F.abs",
    "round": "F.round",
    "str": 'Column.cast("string")',
    "int": 'Column.cast("int")',
    "float": 'Column.cast("double")',
    "bool": 'Column.cast("boolean")',
    "max": "F.greatest",
    "min": "F.least",
    "sorted": "F.array_sort",
    "sum": "F.aggregate / F.array_sum",
}


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    a = fn.args
    return {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}


def _body_expr(fn: ast.AST) -> ast.AST | None:
    if isinstance(fn, ast.Lambda):
        return fn.body
    body = [
        s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]  # type: ignore[attr-defined]
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        return body[0].value
    # if x is None: return None / return <expr>
    if (
        len(body) == 2
        and isinstance(body[0], ast.If)
        and not body[0].orelse
        and len(body[0].body) == 1
        and isinstance(body[0].body[0], ast.Return)
        and _is_none(body[0].body[0].value)
        and isinstance(body[1], ast.Return)
        and body[1].value is not None
    ):
        return body[1].value
    return None


def _is_none(node: ast.AST | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _unguard(expr: ast.AST) -> ast.AST:
    """``None if x is None else x.lower()`` -> ``x.lower()``."""
    if isinstance(expr, ast.IfExp):
        if _is_none(expr.body):
            return _unguard(expr.orelse)
        if _is_none(expr.orelse):
            return _unguard(expr.body)
    return expr


def native_for(expr: ast.AST, params: set[str]) -> str | None:
    """The built-in that does ``expr`` when it only uses ``params`` and literals."""
    expr = _unguard(expr)
    used = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
    if not used & params:
        return None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        allowed = params
        ok = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)} <= allowed
        if ok and expr.func.attr in _METHODS and _is_param_expr(expr.func.value, params):
            return _METHODS[expr.func.attr]
        return None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _FUNCS:
        if used - {expr.func.id} <= params:
            return _FUNCS[expr.func.id]
        return None
    operators = ast.BinOp | ast.UnaryOp | ast.Compare | ast.BoolOp
    if isinstance(expr, operators) and used <= params and _only_simple(expr):
        return "Column arithmetic/comparison operators (+, -, *, /, %, ==, <, &, |)"
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice) and used <= params:
        return "F.substring"
    return None


def _is_param_expr(node: ast.AST, params: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in params
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in _METHODS and _is_param_expr(node.func.value, params)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)  # ", ".join(xs)
    return False


def _only_simple(expr: ast.AST) -> bool:
    return all(
        isinstance(
            n,
            ast.Name
            | ast.Constant
            | ast.BinOp
            | ast.UnaryOp
            | ast.Compare
            | ast.BoolOp
            | ast.operator
            | ast.unaryop
            | ast.cmpop
            | ast.boolop
            | ast.expr_context,
        )
        for n in ast.walk(expr)
    )


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for sf in mod.spark_functions:
        if sf.kind != "udf" or sf.via.startswith("called from"):
            continue
        expr = _body_expr(sf.node)
        if expr is None:
            continue
        native = native_for(expr, _params(sf.node))
        if native:
            yield mod.finding(
                RULE, sf.node, f"Python UDF `{sf.name}` ({sf.via}) can be replaced by {native}"
            )
