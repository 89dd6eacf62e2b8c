"""SS543: a secret-bearing Spark/Hadoop/JDBC setting is given a literal value in code.

Why: the key says it holds a secret (``spark.authenticate.secret``,
``spark.ssl.keyStorePassword``, ``spark.hadoop.fs.s3a.secret.key``, a JDBC
``password`` option ...), so a literal there is a secret in the repository. The
check goes by an allow-list of secret-bearing keys, never by what the value looks
like; a ``${env:NAME}`` reference (Spark's own substitution) is not a literal secret.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterator

from sparkseal.rules.lint.engine import Module, lint_rule
from sparkseal.rules.model import Finding, Rule

EXAMPLE = """\
from pyspark.sql import SparkSession
spark = (SparkSession.builder
         .config("spark.hadoop.fs.s3a.secret.key", "AKIA-not-a-real-one")
         .getOrCreate())
"""
"""What the rule reports, shown in docs/rules.md and tested."""

RULE = Rule(
    code="SS543",
    tool="lint",
    family="code",
    title="a secret-bearing Spark setting is hard-coded in the code",
    severity="error",
    rationale=(
        "Keys such as `spark.authenticate.secret`, `spark.ssl.*Password`, "
        "`spark.hadoop.fs.s3a.secret.key`, `*.token` or a JDBC `password` option hold "
        "credentials. A literal value puts the credential in the repository, in every copy "
        "of it, and (for builder settings) on the spark-submit command line."
    ),
    fix=(
        "Read the secret at run time: from the environment (`os.environ[...]`), a secret "
        "manager, a file readable only by the job, or Spark's `${env:NAME}` substitution; "
        "for the authentication secret let sparkseal make one per application."
    ),
    example=EXAMPLE,
)

SECRET_KEY_PATTERNS: tuple[str, ...] = (
    "*.secret",
    "*.secret.key",
    "*secretkey*",
    "*secret.access.key*",
    "*password*",
    "*passwd*",
    "*.token",
    "*.token.*",
    "*sas.token*",
    "*.client.secret",
    "*.oauth2.client.secret*",
    "*api.key",
    "*apikey*",
    "fs.azure.account.key*",
    "*fs.azure.account.key*",
    "*.credentials",
    "*private.key*",
    "password",
    "user.password",
    "token",
    "secret",
)
"""Secret-bearing keys (lower-cased, fnmatch). Allow-listed by name, never by value."""

_CONF_METHODS = {"config", "set", "setIfMissing", "option", "setExecutorEnv"}


def is_secret_key(key: str) -> bool:
    k = key.lower()
    return any(fnmatch.fnmatchcase(k, p) for p in SECRET_KEY_PATTERNS)


def _literal_secret(value: ast.AST) -> bool:
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str | bytes):
        return False
    text = value.value if isinstance(value.value, str) else value.value.decode("latin-1")
    return bool(text.strip()) and not text.strip().startswith("${")


def _str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


@lint_rule(RULE)
def check(mod: Module) -> Iterator[Finding]:
    for node in mod.of(ast.Call, ast.Dict):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            m = node.func.attr
            if m in _CONF_METHODS and len(node.args) >= 2:
                key = _str(node.args[0])
                if key and is_secret_key(key) and _literal_secret(node.args[1]):
                    yield mod.finding(
                        RULE, node, f"`.{m}(...)` sets secret-bearing key `{key}` to a literal"
                    )
            if m in ("options", "config") or m == "setAll":
                for kw in node.keywords:
                    if kw.arg and is_secret_key(kw.arg) and _literal_secret(kw.value):
                        yield mod.finding(
                            RULE,
                            node,
                            f"`.{m}(...)` sets secret-bearing option `{kw.arg}` to a literal",
                        )
            if m == "setAll" and node.args and isinstance(node.args[0], ast.List | ast.Tuple):
                for elt in node.args[0].elts:
                    if isinstance(elt, ast.Tuple) and len(elt.elts) == 2:
                        key = _str(elt.elts[0])
                        if key and is_secret_key(key) and _literal_secret(elt.elts[1]):
                            yield mod.finding(
                                RULE, elt, f"`setAll` sets secret-bearing key `{key}` to a literal"
                            )
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                key = _str(k) if k is not None else None
                # dicts: only keys that look like Spark/Hadoop settings or JDBC options
                if (
                    key
                    and is_secret_key(key)
                    and _literal_secret(v)
                    and ("." in key or _is_options_dict(mod, node))
                ):
                    yield mod.finding(
                        RULE, k or node, f"conf dict sets secret-bearing key `{key}` to a literal"
                    )


def _is_options_dict(mod: Module, node: ast.Dict) -> bool:
    """A dict handed to ``.options(**d)``, ``.jdbc(properties=d)`` or named like options."""
    parent = mod.parent(node)
    if isinstance(parent, ast.keyword | ast.Call):
        return True
    if isinstance(parent, ast.Assign):
        names = [t.id.lower() for t in parent.targets if isinstance(t, ast.Name)]
        return any(w in n for n in names for w in ("conf", "option", "prop", "jdbc", "setting"))
    return False
