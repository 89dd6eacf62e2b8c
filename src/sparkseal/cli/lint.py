"""``sparkseal lint PATH...``: static security and pitfall checks of PySpark code."""

from __future__ import annotations

from pathlib import Path

import click

from sparkseal.core.codes import coded
from sparkseal.rules.lint import LintConfigError, lint_paths, load_config
from sparkseal.rules.lint.config import check_codes
from sparkseal.rules.model import RULES, Finding
from sparkseal.rules.output import emit, exit_code, filter_findings, output_options, parse_codes


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes to lint with. One is usually fastest: a file takes milliseconds, "
    "so process start-up and result transfer cost more than they save on small machines.",
)
@output_options
def lint(
    paths: tuple[Path, ...],
    jobs: int,
    fmt: str,
    output: str | None,
    fail_on: str,
    select: str | None,
    ignore: str | None,
) -> None:
    """Check PySpark code for leaks and pitfalls (Python's ast; no code is run).

    PATHS are files or directories (``*.py`` found recursively; .venv, build, dist
    and hidden directories are skipped). Rules: `sparkseal rules` lists them; the
    lint codes are SS540-SS589. Security rules (data in exception messages,
    exceptions stringified before logging, print on executors, secrets in conf)
    are errors; pitfalls warnings; performance advice notes.

    \b
    Suppress one finding with a comment on its line:  # noqa: SS541
    (several: # noqa: SS541,SS542; a bare "# noqa" suppresses nothing here).
    Per project, in the nearest pyproject.toml:
      [tool.sparkseal.lint]
      ignore = ["SS552"]
      per-file-ignores = { "tests/*" = ["SS550"] }
      exclude = ["notebooks/*"]

    \b
    Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
    2 bad usage: a PATH that does not exist (SS598), an invalid
    [tool.sparkseal.lint] (SS597), unknown codes in --select/--ignore (SS599).
    """
    known = {code for code, rule in RULES.items() if rule.tool == "lint"}
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.UsageError(coded("SS598", f"no such file or directory: {missing[0]}"))
    sel, ign = parse_codes(select), parse_codes(ignore)
    try:
        check_codes(set(sel), known, "--select")
        check_codes(set(ign), known, "--ignore")
    except LintConfigError as exc:
        raise click.UsageError(str(exc)) from None
    findings: list[Finding] = []
    for root in paths:
        try:
            config = load_config(root, known)
        except LintConfigError as exc:
            raise click.UsageError(str(exc)) from None
        found, _ = lint_paths([root], config, jobs=jobs)
        findings.extend(found)
    findings = filter_findings(findings, select=sel, ignore=ign)
    emit(findings, fmt, tool="lint", output=output)  # type: ignore[arg-type]
    raise SystemExit(exit_code(findings, fail_on))  # type: ignore[arg-type]
