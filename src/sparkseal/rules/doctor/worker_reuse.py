"""SS518: ``spark.python.worker.reuse`` off (performance)."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

KEY = "spark.python.worker.reuse"

NO_REUSE = Rule(
    code="SS518",
    tool="doctor",
    family="performance",
    title="Python workers are not reused",
    severity="note",
    rationale=(
        "With reuse off every task forks a new Python worker, which imports PySpark, "
        "installs sparkseal's hooks and deserializes broadcasts again: seconds per task "
        "on short tasks. Advice: correctness does not depend on it."
    ),
    fix=f"Leave {KEY}=true (Spark's default) unless a library leaks state between tasks.",
)


@check(NO_REUSE, example="spark.python.worker.reuse false")
def no_reuse(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.flag(KEY, True):
        yield conf.finding(NO_REUSE.code, f"{KEY} is false", KEY)
