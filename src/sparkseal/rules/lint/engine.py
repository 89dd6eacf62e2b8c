"""The lint engine: parse a file with :mod:`ast` (no code is run), work out what runs
where, and hand every registered check the same :class:`Module` context.

Why one shared context: every rule needs to know the same few things — which
functions Spark runs on executors (UDFs, functions given to ``rdd.map``,
``df.foreach``, ``mapInPandas`` ...), which run on the driver per micro-batch
(``foreachBatch``), what ``F`` or ``udf`` stands for after the imports, and which
names hold the SparkSession. Working that out once keeps each rule a short
function over the tree, and keeps linting fast.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sparkseal.rules.model import Finding, Rule, register

SparkKind = Literal[
    "udf", "pandas_udf", "rdd", "foreach", "foreach_partition", "arrow", "foreach_batch"
]
"""How Spark calls a function: per value (``udf``), per batch of values (``pandas_udf``,
``arrow`` for ``mapInPandas``/``applyInPandas``), per record or partition of an RDD
(``rdd``), as a sink (``foreach``, ``foreach_partition``), or on the driver once per
micro-batch (``foreach_batch``)."""

EXECUTOR_KINDS: frozenset[str] = frozenset(
    {"udf", "pandas_udf", "rdd", "foreach", "foreach_partition", "arrow"}
)

# method name -> kind, for methods that take a function as their first argument
_METHOD_KINDS: dict[str, SparkKind] = {
    "map": "rdd",
    "flatMap": "rdd",
    "filter": "rdd",
    "mapPartitions": "rdd",
    "mapPartitionsWithIndex": "rdd",
    "mapValues": "rdd",
    "flatMapValues": "rdd",
    "reduceByKey": "rdd",
    "combineByKey": "rdd",
    "aggregateByKey": "rdd",
    "groupBy": "rdd",
    "keyBy": "rdd",
    "sortBy": "rdd",
    "reduce": "rdd",
    "fold": "rdd",
    "foreach": "foreach",
    "foreachPartition": "foreach_partition",
    "foreachBatch": "foreach_batch",
    "mapInPandas": "arrow",
    "mapInArrow": "arrow",
    "applyInPandas": "arrow",
    "applyInArrow": "arrow",
    "applyInPandasWithState": "arrow",
    "transformWithStateInPandas": "arrow",
}
# arguments after the first that are functions too (aggregateByKey(zero, seqOp, combOp))
_MORE_FUNCTION_ARGS = {"combineByKey": 3, "aggregateByKey": 3, "fold": 2, "reduceByKey": 1}

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass
class SparkFunction:
    """A function Spark calls, with how it calls it and where it is handed over."""

    node: FunctionNode
    kind: SparkKind
    via: str
    """The construct that hands it to Spark (``@udf``, ``rdd.map``, ``foreachBatch``)."""
    call: ast.AST | None = None
    """The call that hands it over (for ``foreachBatch``: the ``writeStream`` chain)."""

    @property
    def on_executor(self) -> bool:
        return self.kind in EXECUTOR_KINDS

    @property
    def name(self) -> str:
        return "lambda" if isinstance(self.node, ast.Lambda) else self.node.name


@dataclass
class Module:
    """One parsed file and what the rules need to know about it."""

    path: str
    source: str
    tree: ast.Module
    lines: list[str]
    aliases: dict[str, str] = field(default_factory=dict)
    """Local name -> dotted name it was imported as (``F`` -> ``pyspark.sql.functions``)."""
    imports_pyspark: bool = False
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    spark_functions: list[SparkFunction] = field(default_factory=list)
    defs: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    spark_index: dict[int, SparkFunction] = field(default_factory=dict)
    by_type: dict[type, list[ast.AST]] = field(default_factory=dict)

    def of(self, *types: type) -> list[Any]:
        """Every node of these types in the file (one pass at parse time; rules use this
        instead of walking the tree again)."""
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return [n for t in types for n in self.by_type.get(t, [])]

    # -- names ------------------------------------------------------------------------
    def dotted(self, node: ast.AST) -> str | None:
        """``F.col`` -> ``pyspark.sql.functions.col`` after imports; ``None`` for calls etc."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        p = self.parents.get(node)
        while p is not None:
            yield p
            p = self.parents.get(p)

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        for a in self.ancestors(node):
            if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return a
        return None

    def spark_function_of(self, node: ast.AST) -> SparkFunction | None:
        """The innermost Spark function that ``node`` is inside, if any."""
        for a in [node, *self.ancestors(node)]:
            sf = self.spark_index.get(id(a))
            if sf is not None:
                return sf
        return None

    def in_loop(
        self, node: ast.AST, *, stop_at_function: bool = True
    ) -> ast.For | ast.While | None:
        """The nearest ``for``/``while`` whose body holds ``node`` (not its iterable)."""
        child = node
        for a in self.ancestors(node):
            if stop_at_function and isinstance(
                a, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                return None
            in_header = child is getattr(a, "iter", None) or child is getattr(a, "test", None)
            if isinstance(a, ast.For | ast.AsyncFor | ast.While) and not in_header:
                return a  # type: ignore[return-value]
            if isinstance(
                a, ast.comprehension | ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
            ):
                return a  # type: ignore[return-value]
            child = a
        return None

    def finding(self, rule: Rule, node: ast.AST, message: str) -> Finding:
        return Finding(
            code=rule.code,
            message=message,
            path=self.path,
            line=getattr(node, "lineno", None),
            column=(getattr(node, "col_offset", 0) or 0) + 1,
        )


Check = Callable[[Module], Iterator[Finding]]
CHECKS: dict[str, Check] = {}


def lint_rule(rule: Rule) -> Callable[[Check], Check]:
    """Register ``rule`` and its check function: ``@lint_rule(Rule(...))``."""
    register(rule)

    def deco(fn: Check) -> Check:
        CHECKS[rule.code] = fn
        return fn

    return deco


# -- building the context ---------------------------------------------------------------


def _collect_aliases(mod: Module) -> tuple[dict[str, str], bool]:
    aliases: dict[str, str] = {}
    pyspark = False
    for node in mod.of(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "pyspark":
                    pyspark = True
                if a.asname:
                    aliases[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "pyspark":
                pyspark = True
            for a in node.names:
                if a.name != "*":
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases, pyspark


def _is_udf_factory(mod: Module, node: ast.AST) -> SparkKind | None:
    """``udf``/``F.udf``/``pandas_udf``/``F.pandas_udf`` (called or not)."""
    if isinstance(node, ast.Call):
        node = node.func
    name = mod.dotted(node)
    if name is None:
        return None
    last = name.rsplit(".", 1)[-1]
    if last == "udf" and (name == "udf" or name.startswith("pyspark")):
        return "udf"
    if last in ("pandas_udf", "arrow_udf") and (name == last or name.startswith("pyspark")):
        return "pandas_udf"
    if last == "udtf" and (name == "udtf" or name.startswith("pyspark")):
        return "udf"
    return None


def _resolve_function(mod: Module, arg: ast.AST, at: ast.AST) -> FunctionNode | None:
    """The lambda or ``def`` an argument stands for (``fn``, ``partial(fn, x)``)."""
    if isinstance(arg, ast.Lambda):
        return arg
    if isinstance(arg, ast.Call) and arg.args:
        name = mod.dotted(arg.func) or ""
        if name.rsplit(".", 1)[-1] == "partial":
            return _resolve_function(mod, arg.args[0], at)
        kind = _is_udf_factory(mod, arg.func)
        if kind is not None:
            return _resolve_function(mod, arg.args[0], at)
    if isinstance(arg, ast.Name):
        candidates = mod.defs.get(arg.id, [])
        if not candidates:
            return None
        # prefer a def in the same or an enclosing scope, defined before the use
        scopes = [
            a
            for a in mod.ancestors(at)
            if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module)
        ]
        for scope in scopes:
            for c in candidates:
                if mod.parents.get(c) is scope:
                    return c
        return candidates[-1]
    return None


def _foreach_writer_class(mod: Module, arg: ast.AST) -> ast.ClassDef | None:
    """``Writer()`` (a class of this file with a ``process`` method), for
    ``writeStream.foreach``."""
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name):
        for cls in mod.of(ast.ClassDef):
            if cls.name == arg.func.id and any(
                isinstance(m, ast.FunctionDef) and m.name == "process" for m in cls.body
            ):
                return cls
    return None


def _find_spark_functions(mod: Module) -> None:
    found: dict[int, SparkFunction] = {}

    def add(fn: FunctionNode | None, kind: SparkKind, via: str, call: ast.AST | None) -> None:
        if fn is not None and id(fn) not in found:
            found[id(fn)] = SparkFunction(fn, kind, via, call)

    for node in mod.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.Call):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for dec in node.decorator_list:
                kind = _is_udf_factory(mod, dec)
                if kind is not None:
                    add(node, kind, f"@{'pandas_udf' if kind == 'pandas_udf' else 'udf'}", dec)
        elif isinstance(node, ast.Call):
            kind = _is_udf_factory(mod, node.func)
            if kind is not None and node.args:
                add(_resolve_function(mod, node.args[0], node), kind, kind, node)
                continue
            if not isinstance(node.func, ast.Attribute):
                continue
            attr = node.func.attr
            if (
                attr == "register"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr
                in (
                    "udf",
                    "udtf",
                )
            ):
                if len(node.args) >= 2:
                    add(
                        _resolve_function(mod, node.args[1], node),
                        "udf",
                        "spark.udf.register",
                        node,
                    )
                continue
            mkind = _METHOD_KINDS.get(attr)
            if mkind is None or not node.args:
                continue
            writer = _foreach_writer_class(mod, node.args[0]) if attr == "foreach" else None
            if writer is not None:  # writeStream.foreach(Writer()): process() runs per row
                for method in writer.body:
                    if isinstance(method, ast.FunctionDef) and method.name == "process":
                        add(method, "foreach", "writeStream.foreach (ForeachWriter.process)", node)
                    elif isinstance(method, ast.FunctionDef) and method.name in ("open", "close"):
                        add(method, "foreach_partition", "writeStream.foreach", node)
                continue
            fn = _resolve_function(mod, node.args[0], node)
            if fn is None and mkind == "rdd":
                continue
            add(fn, mkind, attr, node)
            for extra in node.args[1 : _MORE_FUNCTION_ARGS.get(attr, 1)]:
                add(_resolve_function(mod, extra, node), mkind, attr, node)

    # Functions a Spark function calls by name run where it runs (transitively).
    work = [sf for sf in found.values()]
    while work:
        sf = work.pop()
        for sub in ast.walk(sf.node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                target = _resolve_function(mod, sub.func, sub)
                if (
                    target is not None
                    and id(target) not in found
                    and not isinstance(target, ast.Lambda)
                ):
                    callee = SparkFunction(target, sf.kind, f"called from {sf.name}", sf.call)
                    found[id(target)] = callee
                    work.append(callee)
    mod.spark_functions = list(found.values())
    mod.spark_index = found


# Fields that never hold child nodes (and ``ctx``: Load/Store are shared singletons).
_SCALAR_FIELDS = frozenset(
    {
        "ctx",
        "id",
        "attr",
        "name",
        "arg",
        "asname",
        "module",
        "level",
        "kind",
        "n",
        "s",
        "conversion",
        "is_async",
        "type_comment",
        "simple",
        "tag",
    }
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def build_module(path: str, source: str) -> Module:
    """Parse ``source``; raises :class:`SyntaxError` (or ``ValueError`` for NUL bytes)."""
    tree = ast.parse(source, filename=path)
    mod = Module(path=path, source=source, tree=tree, lines=source.splitlines())
    by_type: dict[type, list[ast.AST]] = {}
    parents = mod.parents
    stack: list[ast.AST] = [tree]
    fields_of = _CHILD_FIELDS
    while stack:  # one pass: parents and nodes by type
        node = stack.pop()
        cls = type(node)
        by_type.setdefault(cls, []).append(node)
        names = fields_of.get(cls)
        if names is None:
            names = fields_of[cls] = tuple(f for f in cls._fields if f not in _SCALAR_FIELDS)
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        parents[item] = node
                        stack.append(item)
            elif isinstance(value, ast.AST):
                parents[value] = node
                stack.append(value)
    mod.by_type = by_type
    mod.aliases, mod.imports_pyspark = _collect_aliases(mod)
    if not mod.imports_pyspark:
        return mod
    for fn in sorted(mod.of(ast.FunctionDef, ast.AsyncFunctionDef), key=lambda f: f.lineno):
        mod.defs.setdefault(fn.name, []).append(fn)
    _find_spark_functions(mod)
    return mod


# -- small helpers the rules share ----------------------------------------------------


def call_chain(node: ast.AST) -> list[ast.Call]:
    """The calls of a method chain, innermost first: ``a.b().c().d()`` -> [b(), c(), d()]."""
    calls: list[ast.Call] = []
    while True:
        if isinstance(node, ast.Call):
            calls.append(node)
            node = node.func
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            break
    calls.reverse()
    return calls


def method_name(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def is_constant_text(node: ast.AST) -> bool:
    """A literal (or f-string with only literal parts): nothing from data in it."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    return False


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
