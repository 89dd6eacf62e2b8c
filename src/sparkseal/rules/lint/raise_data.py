"""SS540: data values formatted into an exception message inside a function Spark runs.

Why: an exception raised in a UDF or an RDD function travels back to the driver as
text in ``PythonException``, the task failure in the event log and the UI. sparkseal
seals it, but only where its hooks run; a message built from the row is the one
place a customer value enters an error, so the safe habit is to leave it out.
Allow-listed as readable: literals (and containers of them), ``len(...)``, ``type(x)``,
``x.__name__`` and the caught exception object (chaining), also inside ``%``, ``+`` and
``"...".format``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql.functions import udf

@udf("string")
def parse(email):
    if "@" not in email:
        raise ValueError(f"not an email: {email}")
    return email
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS540",
    tool="lint",
    family="code",
    title="a data value is formatted into an exception message in code Spark runs on executors",
    severity="error",
    rationale=(
        "The message of an exception raised in a UDF, an RDD function, foreach or mapInPandas "
        "is shipped to the driver inside the task failure and lands in driver logs, the event "
        "log and the Spark UI. Formatting a row's value into it (f-string, %, .format, +) puts "
        "customer data in every one of them."
    ),
    fix=(
        "Raise with a fixed message that names the field and the problem, not the value "
        '(`raise ValueError("email: not a valid address")`); count or tag bad rows with a '
        "quality check instead."
    ),
    example=EXAMPLE,
)

_READABLE_CALLS = {"len", "type", "isinstance"}


def _readable(node: ast.AST, caught: set[str]) -> bool:
    """Is ``node`` allow-listed as carrying no data?"""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_readable(v, caught) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _readable(node.value, caught)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _READABLE_CALLS
    ):
        return True
    if isinstance(node, ast.Attribute) and node.attr == "__name__":
        return True
    if isinstance(node, ast.Name) and node.id in caught:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _readable(node.left, caught) and _readable(node.right, caught)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_readable(e, caught) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_readable(e, caught) for e in [*node.keys, *node.values] if e is not None)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
    ):  # "...".format(type(x)): readable when every argument is
        args = [*node.args, *(k.value for k in node.keywords)]
        return all(_readable(a, caught) for a in args)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("str", "repr")
    ):
        return all(_readable(a, caught) for a in node.args)
    return False


def _caught_names(mod: Module, node: ast.AST) -> set[str]:
    return {a.name for a in mod.ancestors(node) if isinstance(a, ast.ExceptHandler) and a.name}


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for sf in mod.spark_functions:
        if not sf.on_executor:
            continue
        for node in ast.walk(sf.node):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                args = [*node.exc.args, *(k.value for k in node.exc.keywords)]
            elif isinstance(node, ast.Assert) and node.msg is not None:
                args = [node.msg]
            else:
                continue
            if mod.spark_function_of(node) is not sf:
                continue
            caught = _caught_names(mod, node)
            if any(not _readable(a, caught) for a in args):
                what = "assert message" if isinstance(node, ast.Assert) else "exception message"
                yield mod.finding(
                    RULE,
                    node,
                    f"{what} in `{sf.name}` (run by Spark via {sf.via}) is built from a value; "
                    "name the field, not its content",
                )
