"""SS541: an exception is turned into a string before it is logged.

Why: sparkseal seals exceptions it is given as objects (``logger.exception(...)``,
``exc_info=``); its log hooks cannot tell a message that was built from an
exception's text — ``f"{e}"``, ``str(e)``, ``repr(e)``, ``"%s" % e``,
``logger.error("... %s", e)``, ``traceback.format_exc()`` — from any other text, so the
exception's message (which may hold data) is logged in the clear.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
import logging
from pyspark.sql import SparkSession
log = logging.getLogger(__name__)
try:
    SparkSession.builder.getOrCreate().read.parquet("in").count()
except Exception as e:
    log.error(f"job failed: {e}")
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS541",
    tool="lint",
    family="code",
    title="a caught exception is made a string before logging, where sealing cannot reach it",
    severity="error",
    rationale=(
        "sparkseal seals exception objects handed to logging (`logger.exception`, `exc_info=`). "
        '`logger.error(f"{e}")`, `str(e)`, `repr(e)`, `"%s" % e`, `logger.error("%s", e)` '
        "and `traceback.format_exc()` make a plain string first, so the exception's message — "
        "often holding the value that failed — is logged as ordinary text."
    ),
    fix=(
        'Log the exception object: `logger.exception("loading batch failed")` inside the '
        '`except`, or `logger.error("loading batch failed", exc_info=e)`.'
    ),
    example=EXAMPLE,
)

_LOG_METHODS = {
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
}
_FORMAT_TB = {"format_exc", "format_exception", "format_exception_only", "format_tb"}


def _is_logging_call(mod: Module, call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in _LOG_METHODS:
        return False
    receiver = mod.dotted(call.func.value) or ""
    if isinstance(call.func.value, ast.Call):  # logging.getLogger(__name__).error(...)
        receiver = mod.dotted(call.func.value.func) or ""
    return "log" in receiver.lower()


def _stringifies(mod: Module, node: ast.AST, exc: str, tainted: set[str]) -> bool:
    """Does ``node`` build text from the exception ``exc`` (or a name holding such text)?"""
    for sub in ast.walk(node):
        if isinstance(sub, ast.FormattedValue) and exc in _names(sub.value):
            return True
        if isinstance(sub, ast.Call):
            fname = mod.dotted(sub.func) or ""
            if fname in ("str", "repr", "format") and any(exc in _names(a) for a in sub.args):
                return True
            if fname.rsplit(".", 1)[-1] in _FORMAT_TB and fname.startswith("traceback"):
                return True
            fmt_args = [*sub.args, *(k.value for k in sub.keywords)]
            if (
                isinstance(sub.func, ast.Attribute)
                and sub.func.attr == "format"
                and any(exc in _names(a) for a in fmt_args)
            ):
                return True
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Mod) and exc in _names(sub.right):
            return True
        if isinstance(sub, ast.Name) and sub.id in tainted:
            return True
    return False


def _names(node: ast.AST) -> set[str]:
    """Names ``node`` reads, leaving out allow-listed readable uses of an exception:
    its type name (``type(e).__name__``, ``e.__class__.__name__``) and its ``errno``."""
    skip: set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr in ("__name__", "__qualname__", "errno"):
            skip.update(id(x) for x in ast.walk(n))
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in skip}


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for handler in mod.of(ast.ExceptHandler):
        if not handler.name:
            continue
        exc = handler.name
        tainted: set[str] = set()
        body = ast.Module(body=handler.body, type_ignores=[])
        # names assigned text built from the exception: msg = f"failed: {e}"
        for node in ast.walk(body):
            if isinstance(node, ast.Assign) and _stringifies(mod, node.value, exc, tainted):
                tainted |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(body):
            if not isinstance(node, ast.Call) or not _is_logging_call(mod, node) or not node.args:
                continue
            first = 1 if node.func.attr == "log" else 0  # type: ignore[union-attr]
            msg_args = node.args[first:]
            if not msg_args:
                continue
            how = None
            if _stringifies(mod, msg_args[0], exc, tainted):
                how = "its message is built from the exception's text"
            elif any(exc in _names(a) or _stringifies(mod, a, exc, tainted) for a in msg_args[1:]):
                how = "the exception is a %-format argument, so logging formats it as text"
            if how:
                yield mod.finding(
                    RULE,
                    node,
                    f"logging call in `except ... as {exc}`: {how}; pass the exception object "
                    "(logger.exception / exc_info=) so it is sealed",
                )
