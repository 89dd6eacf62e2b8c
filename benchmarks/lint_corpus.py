"""``sparkseal lint`` on its labelled corpus: precision and recall per rule family.

    .venv/bin/python benchmarks/lint_corpus.py [tests/rules/corpus]

The corpus (``tests/rules/corpus/*.py``) is small PySpark snippets written for the tests,
half with a problem and half clean (near-misses of the same rules). Each file's first
line names the codes it must get, ``# expect: SS541`` (several: ``SS541, SS550``) or
``# expect: none``. Per family (``code`` = security of the code, ``performance``,
``resilience``): a true positive is an expected code reported in its file, a false
positive a reported code the file does not expect, a false negative an expected code not
reported. ``tests/rules/lint/test_corpus.py`` asserts >= 0.9 for each.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sparkseal.rules.lint import lint_file
from sparkseal.rules.model import RULES

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "rules" / "corpus"
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>.+)")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def expected_codes(path: Path) -> set[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = _EXPECT.match(first)
    if m is None:
        raise ValueError(f"{path.name}: first line must be '# expect: SSnnn[, ...]' or 'none'")
    text = m.group("codes").strip()
    return set() if text == "none" else {c.strip() for c in text.split(",")}


def score(corpus: Path = CORPUS) -> tuple[dict[str, Score], int, int]:
    """Scores per family, the number of files and how many of them expect a problem."""
    scores: dict[str, Score] = {}
    files = sorted(corpus.glob("*.py"))
    positives = 0
    for path in files:
        want = expected_codes(path)
        positives += bool(want)
        got = {f.code for f in lint_file(path)}
        for code in want | got:
            s = scores.setdefault(RULES[code].family, Score())
            if code in want and code in got:
                s.tp += 1
            elif code in got:
                s.fp += 1
                s.misses.append(f"{path.name}: unexpected {code}")
            else:
                s.fn += 1
                s.misses.append(f"{path.name}: missed {code}")
    return scores, len(files), positives


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else CORPUS
    scores, n, positives = score(corpus)
    print(f"corpus: {n} files, {positives} with a problem, {n - positives} clean")
    print(f"{'family':<12} {'TP':>3} {'FP':>3} {'FN':>3} {'precision':>9} {'recall':>6}")
    for family, s in sorted(scores.items()):
        print(f"{family:<12} {s.tp:>3} {s.fp:>3} {s.fn:>3} {s.precision:>9.2f} {s.recall:>6.2f}")
    for family, s in sorted(scores.items()):
        for miss in s.misses:
            print(f"  {family}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
