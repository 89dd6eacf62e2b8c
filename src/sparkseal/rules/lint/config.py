"""``[tool.sparkseal.lint]`` in ``pyproject.toml``: which rules run, and where.

Why in ``pyproject.toml``: it is where ruff and bandit already keep theirs, so a
project's suppressions live in one reviewed file. The nearest ``pyproject.toml``
walking up from the linted path is used (like ruff); patterns in
``per-file-ignores`` and ``exclude`` are relative to that file's directory.

.. code-block:: toml

    [tool.sparkseal.lint]
    select = ["SS540", "SS541"]          # default: every lint rule
    ignore = ["SS552"]
    per-file-ignores = { "tests/*" = ["SS550"] }
    exclude = ["notebooks/*"]            # on top of .venv, build, dist, hidden dirs
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

DEFAULT_EXCLUDE: tuple[str, ...] = (".venv", "venv", "build", "dist", "__pycache__", "node_modules")
"""Directory names never walked into (hidden directories are skipped too)."""


class LintConfigError(SparkSealError):
    """``[tool.sparkseal.lint]`` is not what the linter understands (SS597/SS599)."""


@dataclass
class LintConfig:
    """Resolved settings: ``root`` is the directory of the ``pyproject.toml`` (if any)."""

    root: Path | None = None
    select: set[str] | None = None
    ignore: set[str] = field(default_factory=set)
    per_file_ignores: dict[str, set[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)

    def enabled(self, code: str, path: Path) -> bool:
        if self.select is not None and not code.startswith(tuple(self.select)):
            return False
        if self.ignore and code.startswith(tuple(self.ignore)):
            return False
        rel = self.relative(path)
        return not any(
            code.startswith(tuple(codes))
            and (fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat))
            for pat, codes in self.per_file_ignores.items()
        )

    def excluded(self, path: Path) -> bool:
        rel = self.relative(path)
        return any(fnmatch.fnmatch(rel, pat) for pat in self.exclude)

    def relative(self, path: Path) -> str:
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                pass
        return path.as_posix()


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` (if a directory) or its parents."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for d in [here, *here.parents]:
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _codes(value: object, where: str, known: set[str]) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LintConfigError(
            coded("SS597", f'{where} must be a list of codes or prefixes such as ["SS541", "SS55"]')
        )
    check_codes(value, known, where)
    return set(value)


def check_codes(codes: list[str] | set[str], known: set[str], where: str) -> None:
    unknown = sorted(c for c in codes if not any(k.startswith(c) for k in known))
    if unknown:
        raise LintConfigError(
            coded(
                "SS599",
                f"{where} names codes that are not lint rules: {', '.join(unknown)}"
                " (`sparkseal rules` lists them)",
            )
        )


def load_config(start: Path, known: set[str]) -> LintConfig:
    """Settings for linting ``start``; an empty config when there is no ``pyproject.toml``."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return LintConfig()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LintConfigError(
            coded("SS597", f"{pyproject} cannot be read as TOML ({type(exc).__name__})")
        ) from None
    section = data.get("tool", {}).get("sparkseal", {}).get("lint", {})
    if not isinstance(section, dict):
        raise LintConfigError(coded("SS597", f"{pyproject}: [tool.sparkseal.lint] must be a table"))
    allowed = {"select", "ignore", "per-file-ignores", "exclude"}
    extra = sorted(set(section) - allowed)
    if extra:
        raise LintConfigError(
            coded(
                "SS597",
                f"{pyproject}: unknown keys in [tool.sparkseal.lint]: {', '.join(extra)}"
                f" (known: {', '.join(sorted(allowed))})",
            )
        )
    cfg = LintConfig(root=pyproject.parent.resolve())
    where = f"{pyproject} [tool.sparkseal.lint]"
    if "select" in section:
        cfg.select = _codes(section["select"], f"{where} select", known)
    if "ignore" in section:
        cfg.ignore = _codes(section["ignore"], f"{where} ignore", known)
    pfi = section.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise LintConfigError(coded("SS597", f"{where} per-file-ignores must be a table of lists"))
    for pattern, codes in pfi.items():
        cfg.per_file_ignores[pattern] = _codes(
            codes, f"{where} per-file-ignores {pattern!r}", known
        )
    exclude = section.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        raise LintConfigError(coded("SS597", f"{where} exclude must be a list of glob patterns"))
    cfg.exclude = list(exclude)
    return cfg
