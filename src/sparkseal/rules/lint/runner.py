"""Run the lint checks over files and directories, with ``# noqa`` and config applied.

A file that cannot be read or parsed is a finding (SS595, SS596), never a
traceback, so one bad file does not hide the findings of the others.
"""

from __future__ import annotations

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
    """``*.py`` files under ``paths`` in a stable order; named files are always linted."""
    config = config or LintConfig()
    for root in paths:
        if root.is_file():
            yield root
            continue
        stack = [root]
        while stack:
            d = stack.pop()
            try:
                entries = sorted(d.iterdir(), key=lambda e: e.name, reverse=True)
            except OSError:
                continue
            for e in entries:
                if e.name.startswith(".") or config.excluded(e):
                    continue
                if e.is_dir() and not e.is_symlink():
                    if e.name not in DEFAULT_EXCLUDE:
                        stack.append(e)
                elif e.suffix == ".py" and e.is_file():
                    yield e


def lint_paths(
    paths: Iterable[Path], config: LintConfig | None = None
) -> tuple[list[Finding], int]:
    """Findings over every file under ``paths``, and how many files were linted."""
    findings: list[Finding] = []
    n = 0
    for f in iter_python_files(paths, config):
        n += 1
        findings.extend(lint_file(f, config))
    return findings, n
