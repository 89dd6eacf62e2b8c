"""SS562: a ``foreachBatch`` function appends without making the write idempotent.

Why: Structured Streaming gives ``foreachBatch`` at-least-once delivery: after a
failure (and with ``spark.speculation``, a task run twice) the same micro-batch
is handed to the function again, so a plain ``mode("append")``/``insertInto``
writes it twice. Counted as idempotent: the batch id used to key the write
(``txnVersion``/``txnAppId`` options, a check against the last committed id, a
path or table per batch), a ``MERGE``, or an overwrite. Reported as a warning
always; the message says when the same file also turns speculation on.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, call_chain, lint_rule, method_name
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession
spark = SparkSession.builder.config("spark.speculation", "true").getOrCreate()

def sink(batch, batch_id):
    batch.write.mode("append").parquet("out")

spark.readStream.format("rate").load().writeStream.foreachBatch(sink).start()
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS562",
    tool="lint",
    family="resilience",
    title="a foreachBatch sink appends with no batch-id key, so a replayed batch is written twice",
    severity="warning",
    rationale=(
        "foreachBatch is at-least-once: a micro-batch is replayed after a failure or restart, "
        'and speculation can run its tasks twice. A plain append (`mode("append")`, '
        "`insertInto`, `writeTo(...).append()`, JDBC append) then duplicates rows downstream."
    ),
    fix=(
        "Key the write by the batch id: Delta `txnAppId`/`txnVersion` options, a `MERGE` on a "
        "business key, `replaceWhere`/overwrite of the batch's partition, or skip batch ids "
        "already committed (`if batch_id <= last_done: return`)."
    ),
    example=EXAMPLE,
)

_WRITES = {
    "save",
    "saveAsTable",
    "parquet",
    "json",
    "csv",
    "orc",
    "text",
    "jdbc",
    "insertInto",
    "append",
}
_IDEMPOTENT_METHODS = {"merge", "overwritePartitions", "overwrite", "createOrReplace", "replace"}


def _speculation_on(mod: Module) -> bool:
    for n in mod.of(ast.Constant):
        if n.value == "spark.speculation":
            parent = mod.parent(n)
            if isinstance(parent, ast.Call) and len(parent.args) >= 2:
                v = parent.args[1]
                if isinstance(v, ast.Constant) and str(v.value).lower() == "true":
                    return True
            if isinstance(parent, ast.Dict):
                v = parent.values[parent.keys.index(n)]
                if isinstance(v, ast.Constant) and str(v.value).lower() == "true":
                    return True
    return False


def _mode(chain: list[ast.Call]) -> str | None:
    for c in chain:
        if method_name(c) == "mode" and c.args and isinstance(c.args[0], ast.Constant):
            return str(c.args[0].value).lower()
        if method_name(c) in (
            "save",
            "saveAsTable",
            "parquet",
            "json",
            "csv",
            "orc",
            "text",
            "jdbc",
        ):
            for kw in c.keywords:
                if kw.arg == "mode" and isinstance(kw.value, ast.Constant):
                    return str(kw.value.value).lower()
    return None


def _is_append(chain: list[ast.Call]) -> bool:
    names = [method_name(c) for c in chain]
    last = names[-1] if names else None
    if last == "insertInto":
        ins = chain[-1]
        overwrite = any(kw.arg == "overwrite" for kw in ins.keywords) or len(ins.args) >= 2
        return not overwrite
    if last == "append" and "writeTo" in names:
        return True
    if last in _WRITES and ("write" in _attrs(chain[-1])):
        return _mode(chain) == "append"
    return False


def _attrs(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def _keyed(mod: Module, fn: ast.AST, batch_id: str | None) -> bool:
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and method_name(n) in _IDEMPOTENT_METHODS:
            return True
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            v = n.value.lower()
            if (
                "merge into" in v
                or v in ("txnversion", "txnappid", "replacewhere")
                or "insert overwrite" in v
            ):
                return True
        if batch_id and isinstance(n, ast.Name) and n.id == batch_id:
            # the batch id used for anything but printing/logging
            call = next((a for a in mod.ancestors(n) if isinstance(a, ast.Call)), None)
            callee = (mod.dotted(call.func) or "") if call is not None else ""
            if not (callee == "print" or "log" in callee.lower()):
                return True
    return False


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    speculation = None
    for sf in mod.spark_functions:
        if sf.kind != "foreach_batch":
            continue
        params = [a.arg for a in sf.node.args.args]
        batch_id = params[1] if len(params) >= 2 else None
        if _keyed(mod, sf.node, batch_id):
            continue
        for n in ast.walk(sf.node):
            if (
                isinstance(n, ast.Call)
                and mod.spark_function_of(n) is sf
                and _is_append(call_chain(n))
            ):
                if speculation is None:
                    speculation = _speculation_on(mod)
                extra = " and this file turns spark.speculation on" if speculation else ""
                yield mod.finding(
                    RULE,
                    n,
                    f"`{sf.name}` (foreachBatch) appends with no batch-id key, MERGE or "
                    f"overwrite; a replayed batch is written twice{extra}",
                )
