"""``sparkseal lint``: static checks of PySpark code (``ast`` only; no code is run).

Importing this package registers every lint rule (one module per rule, SS540-SS589;
SS595/SS596 are the linter's own findings for files it cannot read or parse).
Families: ``code`` (security of the code: data in exceptions SS540, exceptions
stringified before logging SS541, print on executors SS542, secrets in conf SS543),
``performance`` (SS550-SS553) and ``resilience`` (SS560-SS562).
"""

from __future__ import annotations

from sparkseal.rules.lint import (  # noqa: F401  (imported to register the rules)
    cache_loop,
    captures_session,
    collect_unbounded,
    conf_secret,
    exception_string,
    foreach_batch_idempotent,
    native_udf,
    per_record_connection,
    print_in_spark,
    raise_data,
    with_column_loop,
)
from sparkseal.rules.lint.config import LintConfig, LintConfigError, load_config
from sparkseal.rules.lint.engine import CHECKS
from sparkseal.rules.lint.runner import iter_python_files, lint_file, lint_paths, lint_source

__all__ = [
    "CHECKS",
    "LintConfig",
    "LintConfigError",
    "iter_python_files",
    "lint_file",
    "lint_paths",
    "lint_source",
    "load_config",
]
