"""Run the lint checks over files and directories, with ``# noqa`` and config applied.

A file that cannot be read or parsed is a finding (SS595, SS596), never a
traceback, so one bad file does not hide the findings of the others.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sparkseal.rules.lint.config import DEFAULT_EXCLUDE, LintConfig
from sparkseal.rules.lint.engine import CHECKS, build_module
from sparkseal.rules.model import Finding, Rule, register

UNPARSABLE = register(
    Rule(
        code="SS595",
        tool="lint",
        family="code",
        title="a file does not parse as Python, so it was not checked",
        severity="error",
        rationale=(
            "sparkseal lint reads code with Python's own parser (no code is run). A file it "
            "cannot parse gets no other check, so a gate that skipped it silently would pass "
            "code nobody looked at."
        ),
        fix="Fix the syntax error (run `python -m py_compile FILE`), or exclude the file in "
        "`[tool.sparkseal.lint] exclude`.",
        example='df = spark.read.parquet("orders"\ndf.show()\n',
    )
)
UNREADABLE = register(
    Rule(
        code="SS596",
        tool="lint",
        family="code",
        title="a file cannot be read (permissions, not UTF-8), so it was not checked",
        severity="error",
        rationale="As for SS595: a file the linter cannot read gets no check at all.",
        fix="Make the file readable and UTF-8 (PEP 3120), or exclude it.",
    )
)

_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>SS\d{3}(?:\s*,\s*SS\d{3})*)", re.IGNORECASE)


def noqa_codes(line: str) -> set[str]:
    """Codes a ``# noqa: SS541,SS542`` comment on ``line`` suppresses. A bare ``# noqa``
    suppresses nothing here: those are usually meant for ruff or flake8."""
    return {c.strip().upper() for m in _NOQA.finditer(line) for c in m.group("codes").split(",")}


def lint_source(
    source: str, path: str = "<string>", config: LintConfig | None = None
) -> list[Finding]:
    """Every enabled rule's findings in ``source``, minus those suppressed by ``# noqa``."""
    config = config or LintConfig()
    p = Path(path)
    if "pyspark" not in source:  # no import of pyspark possible: nothing to check
        try:
            compile(source, path, "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
        except (SyntaxError, ValueError):
            pass
        else:
            return []
    try:
        mod = build_module(path, source)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        f = Finding(
            code=UNPARSABLE.code,
            message=f"the file does not parse ({type(exc).__name__}); no rule checked it",
            path=path,
            line=line,
            column=getattr(exc, "offset", None),
        )
        return [f] if config.enabled(f.code, p) else []
    if not mod.imports_pyspark:
        return []
    findings: list[Finding] = []
    for code, check in CHECKS.items():
        if not config.enabled(code, p):
            continue
        for f in check(mod):
            if (
                f.line is not None
                and 0 < f.line <= len(mod.lines)
                and f.code in noqa_codes(mod.lines[f.line - 1])
            ):
                continue
            findings.append(f)
    findings.sort(key=lambda f: (f.line or 0, f.column or 0, f.code))
    return findings


def lint_file(
    path: Path, config: LintConfig | None = None, display: str | None = None
) -> list[Finding]:
    config = config or LintConfig()
    name = display or str(path)
    try:
        raw = path.read_bytes()
        source = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        f = Finding(UNREADABLE.code, f"the file cannot be read ({type(exc).__name__})", path=name)
        return [f] if config.enabled(f.code, path) else []
    return lint_source(source, name, config)


def iter_python_files(paths: Iterable[Path], config: LintConfig | None = None) -> Iterator[Path]:
    """``*.py`` files under ``paths`` in a stable order; named files are always linted.
    (``os.scandir``: a directory tree such as the pyspark package has 40,000 directories.)"""
    config = config or LintConfig()
    patterns = bool(config.exclude)
    for root in paths:
        if root.is_file():
            yield root
            continue
        stack = [str(root)]
        while stack:
            d = stack.pop()
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            subdirs = []
            for e in entries:
                if e.name.startswith(".") or (patterns and config.excluded(Path(e.path))):
                    continue
                try:
                    if e.is_dir(follow_symlinks=False):
                        if e.name not in DEFAULT_EXCLUDE:
                            subdirs.append(e.path)
                    elif e.name.endswith(".py") and e.is_file():
                        yield Path(e.path)
                except OSError:
                    continue
            stack.extend(reversed(subdirs))


def _lint_one(args: tuple[Path, LintConfig]) -> list[Finding]:
    return lint_file(*args)


def lint_paths(
    paths: Iterable[Path], config: LintConfig | None = None, *, jobs: int = 1
) -> tuple[list[Finding], int]:
    """Findings over every file under ``paths``, and how many files were linted.
    ``jobs > 1`` lints in that many processes (files are independent)."""
    config = config or LintConfig()
    files = list(iter_python_files(paths, config))
    findings: list[Finding] = []
    if jobs > 1 and len(files) > 64:
        ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ctx.Pool(jobs) as pool:
            for part in pool.imap(_lint_one, [(f, config) for f in files], chunksize=16):
                findings.extend(part)
    else:
        for f in files:
            findings.extend(lint_file(f, config))
    return findings, len(files)
