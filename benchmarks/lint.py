"""``sparkseal lint`` vs ``sparkdoctor`` and ``pyspark-antipattern``: speed and what fires.

    .venv/bin/python benchmarks/lint.py [--target DIR] [--repeat 3] [--baseline-venv DIR]

* speed: files per second over a real PySpark codebase -- by default the installed
  ``pyspark`` package's own Python files (its sources, tests and examples) -- for
  ``sparkseal lint`` in-process and as its CLI (``--format json``, one process, as CI runs
  it), and for each baseline's CLI on the same directory (JSON output where there is one).
  The median of ``--repeat`` runs.
* rules that fire on that codebase: findings per rule id for each tool.
* security: on the labelled corpus (``tests/rules/corpus``), for each place a sparkseal
  security rule (family ``code``) fires, whether either baseline reports anything on that
  same line.

The baselines are installed from PyPI with pip into ``--baseline-venv`` (a throwaway venv,
created when missing): ``sparkdoctor==0.1.8`` (Python) and ``pyspark-antipattern==0.4.1``
(a compiled Rust binary in a wheel). Pass ``--no-baselines`` to skip them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sparkseal.rules.lint import iter_python_files, lint_paths
from sparkseal.rules.model import RULES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TARGET = Path(__import__("pyspark").__file__).parent
CORPUS = ROOT / "tests" / "rules" / "corpus"
BASELINES = {
    "sparkdoctor": "sparkdoctor==0.1.8",
    "pyspark-antipattern": "pyspark-antipattern==0.4.1",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PA_HEAD = re.compile(r"^(?:error|warning)\[(?P<rule>[A-Z]+\d+)\]")
_PA_LOC = re.compile(r"^\s*-->\s*(?P<path>.+?):(?P<line>\d+):(?P<col>\d+)\s*$")


def ensure_baselines(venv: Path) -> dict[str, Path]:
    """The baselines' executables, installing them into ``venv`` first if needed."""
    bins = {name: venv / "bin" / name for name in BASELINES}
    if not all(b.exists() for b in bins.values()):
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", *BASELINES.values()], check=True
        )
    return bins


def run_sparkdoctor(exe: Path, target: Path) -> list[tuple[str, str, int]]:
    out = subprocess.run(
        [str(exe), "lint", "--format", "json", "--no-config", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(out.stdout or "[]")
    return [(d["rule_id"], d["filename"], int(d["line"])) for d in data]


def run_antipattern(exe: Path, target: Path) -> list[tuple[str, str, int]]:
    out = subprocess.run(
        [str(exe), "check", str(target)], capture_output=True, text=True, check=False
    )
    found: list[tuple[str, str, int]] = []
    rule = None
    for raw in (out.stdout + out.stderr).splitlines():
        line = _ANSI.sub("", raw)
        m = _PA_HEAD.match(line)
        if m:
            rule = m.group("rule")
            continue
        loc = _PA_LOC.match(line)
        if loc and rule:
            found.append((rule, str(Path(loc.group("path")).resolve()), int(loc.group("line"))))
            rule = None
    return found


def run_sparkseal_cli(target: Path) -> list[tuple[str, str, int]]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sparkseal.cli.main",
            "lint",
            "--format",
            "json",
            "--fail-on",
            "never",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return [(d["code"], d["path"], d["line"] or 0) for d in json.loads(out.stdout)]


def timed(fn, repeat: int):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-venv", type=Path, default=Path("/tmp/sparkseal-lint-bench-venv"))
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args()
    target = args.target.resolve()
    n_files = sum(1 for _ in iter_python_files([target]))
    print(f"target: {target} ({n_files} Python files)")

    rows: list[tuple[str, float, list[tuple[str, str, int]]]] = []
    secs, (findings, _) = timed(lambda: lint_paths([target]), args.repeat)
    rows.append(
        (
            "sparkseal lint (in-process)",
            secs,
            [(f.code, f.path or "", f.line or 0) for f in findings],
        )
    )
    secs, res = timed(lambda: run_sparkseal_cli(target), args.repeat)
    rows.append(("sparkseal lint (CLI)", secs, res))
    bins: dict[str, Path] = {}
    if not args.no_baselines:
        try:
            bins = ensure_baselines(args.baseline_venv)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"baselines could not be installed ({type(exc).__name__}); skipped")
    if "sparkdoctor" in bins:
        secs, res = timed(lambda: run_sparkdoctor(bins["sparkdoctor"], target), args.repeat)
        rows.append(("sparkdoctor 0.1.8 (CLI)", secs, res))
    if "pyspark-antipattern" in bins:
        secs, res = timed(lambda: run_antipattern(bins["pyspark-antipattern"], target), args.repeat)
        rows.append(("pyspark-antipattern 0.4.1 (CLI)", secs, res))

    print(f"\n{'tool':<34} {'seconds':>8} {'files/s':>9} {'findings':>9} {'rules':>6}")
    for name, secs, res in rows:
        rules = Counter(r for r, _, _ in res)
        print(f"{name:<34} {secs:>8.2f} {n_files / secs:>9.0f} {len(res):>9} {len(rules):>6}")
    for name, _, res in rows[1:]:
        rules = Counter(r for r, _, _ in res)
        top = ", ".join(f"{r} {n}" for r, n in rules.most_common(12))
        print(f"  {name}: {top or '-'}")

    # Security: where sparkseal's code-family rules fire on the corpus, do the others see it?
    ours = [
        (code, str(Path(path).resolve()), line)
        for code, path, line in run_sparkseal_cli(CORPUS)
        if RULES[code].family == "code"
    ]
    print(f"\ncorpus security findings (sparkseal, family code): {len(ours)}")
    for name, exe, runner in (
        ("sparkdoctor", bins.get("sparkdoctor"), run_sparkdoctor),
        ("pyspark-antipattern", bins.get("pyspark-antipattern"), run_antipattern),
    ):
        if exe is None:
            continue
        theirs = runner(exe, CORPUS)
        at = {(p, ln): r for r, p, ln in theirs}
        same_line = [(c, at[(p, ln)]) for c, p, ln in ours if (p, ln) in at]
        by_code = Counter(c for c, _ in same_line)
        print(
            f"  {name}: reports something on {len(same_line)} of those lines"
            + (
                f" ({', '.join(f'{c}: {at_rule}' for c, at_rule in same_line)})"
                if same_line
                else ""
            )
            + (f"; by code {dict(by_code)}" if by_code else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
