"""SS504: local-disk encryption (``spark.io.encryption.enabled``)."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

KEY = "spark.io.encryption.enabled"

IO_OFF = Rule(
    code="SS504",
    tool="doctor",
    family="security-conf",
    title="local-disk (shuffle, spill, cache) encryption is off",
    severity="error",
    rationale=(
        "Shuffle files, spills and disk-cached blocks hold the job's rows in plaintext "
        "under spark.local.dir (Spark's default), readable by anyone who can read the "
        "disk, a backup or a reused volume, long after the job."
    ),
    fix=f"Set {KEY}=true and spark.io.encryption.keySizeBits=256 (sparkseal's preset does).",
)


@check(IO_OFF, example="spark.io.encryption.enabled false")
def io_encryption_off(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.flag(KEY, False):
        state = "is false" if KEY in conf.settings else "is not set (Spark's default is false)"
        yield conf.finding(IO_OFF.code, f"{KEY} {state}", KEY)
