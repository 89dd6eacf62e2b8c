"""SS500: RPC authentication (``spark.authenticate``)."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

KEY = "spark.authenticate"

AUTH_OFF = Rule(
    code="SS500",
    tool="doctor",
    family="security-conf",
    title="RPC authentication is off",
    severity="error",
    rationale=(
        "With spark.authenticate off (Spark's default) any process that can reach the "
        "driver's or an executor's ports can join the application: fetch shuffle and "
        "cached blocks, read broadcast variables and submit work. Network and I/O "
        "encryption also need it."
    ),
    fix=(
        "Set spark.authenticate=true (sparkseal's preset does; on a standalone cluster "
        "give every process the shared secret through _SPARK_AUTH_SECRET, see docs/preset.md)."
    ),
)


@check(AUTH_OFF, example="spark.authenticate false")
def authentication_off(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.flag(KEY, False):
        state = "is false" if KEY in conf.settings else "is not set (Spark's default is false)"
        yield conf.finding(AUTH_OFF.code, f"{KEY} {state}", KEY)
