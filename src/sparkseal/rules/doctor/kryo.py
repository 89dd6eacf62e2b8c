"""SS519: Kryo without ``spark.kryo.registrationRequired``."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

SERIALIZER = "spark.serializer"
KRYO = "org.apache.spark.serializer.KryoSerializer"
REQUIRED = "spark.kryo.registrationRequired"

UNREGISTERED = Rule(
    code="SS519",
    tool="doctor",
    family="security-conf",
    title="Kryo deserializes any class (registration not required)",
    severity="warning",
    rationale=(
        "Without registrationRequired Kryo instantiates whatever class a serialized "
        "stream names, the gadget-chain risk of Java deserialization, in every JVM that "
        "reads shuffle or cached blocks. A warning rather than an error: with "
        "spark.authenticate on only the application's own processes send such streams."
    ),
    fix=f"Set {REQUIRED}=true and register the job's classes (spark.kryo.classesToRegister).",
)


@check(UNREGISTERED, example="spark.serializer org.apache.spark.serializer.KryoSerializer")
def unregistered(conf: EffectiveConf) -> Iterator[Finding]:
    if (conf.get(SERIALIZER) or "") == KRYO and not conf.flag(REQUIRED, False):
        state = "is false" if REQUIRED in conf.settings else "is not set (Spark's default is false)"
        yield conf.finding(
            UNREGISTERED.code,
            f"{SERIALIZER} is Kryo and {REQUIRED} {state}",
            REQUIRED if REQUIRED in conf.settings else SERIALIZER,
        )
