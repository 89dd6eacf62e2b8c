"""SS517: dynamic allocation that removes executors still holding shuffle files."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

ENABLED = "spark.dynamicAllocation.enabled"
TRACKING = "spark.dynamicAllocation.shuffleTracking.enabled"
SERVICE = "spark.shuffle.service.enabled"

UNTRACKED = Rule(
    code="SS517",
    tool="doctor",
    family="resilience",
    title="dynamic allocation without shuffle tracking or an external shuffle service",
    severity="warning",
    rationale=(
        "When dynamic allocation removes an idle executor its shuffle files go with it, "
        "unless shuffle tracking keeps it alive or an external shuffle service serves "
        "them: later stages then fail to fetch and whole stages are recomputed."
    ),
    fix=f"Leave {TRACKING}=true (Spark's default) "
    f"or set {SERVICE}=true with the service running on every node.",
)


@check(
    UNTRACKED,
    example=(
        "spark.dynamicAllocation.enabled true\n"
        "spark.dynamicAllocation.shuffleTracking.enabled false"
    ),
)
def untracked(conf: EffectiveConf) -> Iterator[Finding]:
    if (
        conf.flag(ENABLED, False)
        and not conf.flag(TRACKING, True)
        and not conf.flag(SERVICE, False)
    ):
        yield conf.finding(
            UNTRACKED.code,
            f"{ENABLED} is true, {TRACKING} is false and {SERVICE} is not true",
            TRACKING,
        )
