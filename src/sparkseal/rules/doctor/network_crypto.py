"""SS501-SS503: RPC encryption (``spark.network.crypto.*``), grouped: three settings of
one feature that are judged together (cipher and fallback only matter when it is on)."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

ENABLED = "spark.network.crypto.enabled"
CIPHER = "spark.network.crypto.cipher"
FALLBACK = "spark.network.crypto.saslFallback"
GCM = "AES/GCM/NoPadding"

CRYPTO_OFF = Rule(
    code="SS501",
    tool="doctor",
    family="security-conf",
    title="RPC encryption is off",
    severity="error",
    rationale=(
        "Shuffle blocks, broadcast variables, cached blocks and task results travel "
        "between driver and executors in plaintext (Spark's default): anyone on the "
        "network path reads the data."
    ),
    fix=f"Set {ENABLED}=true with spark.authenticate=true (sparkseal's preset does both).",
)

CTR = Rule(
    code="SS502",
    tool="doctor",
    family="security-conf",
    title="RPC encryption uses AES-CTR without integrity",
    severity="warning",
    rationale=(
        "Spark's default cipher for network crypto is AES/CTR/NoPadding: it hides the "
        "data but does not authenticate it, so a man in the middle can flip bits of a "
        "shuffle block unnoticed. AES/GCM/NoPadding authenticates every message. A "
        "warning, not an error: confidentiality holds either way."
    ),
    fix=f"Set {CIPHER}={GCM} (sparkseal's preset does).",
)

SASL = Rule(
    code="SS503",
    tool="doctor",
    family="security-conf",
    title="RPC encryption may fall back to SASL",
    severity="warning",
    rationale=(
        "With saslFallback on (Spark's default) a peer that does not speak the AES-based "
        "protocol is served over the older SASL DIGEST-MD5 encryption (3DES or RC4), "
        "a silent downgrade. A warning: the data is still encrypted."
    ),
    fix=f"Set {FALLBACK}=false once every component (e.g. an external shuffle service) "
    "is Spark 2.2 or later.",
)


@check(CRYPTO_OFF, example="spark.network.crypto.enabled false")
def crypto_off(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.flag(ENABLED, False):
        state = "is false" if ENABLED in conf.settings else "is not set (Spark's default is false)"
        yield conf.finding(CRYPTO_OFF.code, f"{ENABLED} {state}", ENABLED)


@check(CTR, example="spark.authenticate true\nspark.network.crypto.enabled true")
def ctr_cipher(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.flag(ENABLED, False) and (conf.get(CIPHER) or "").upper() != GCM.upper():
        state = "is not" if CIPHER in conf.settings else "is not set; Spark's default is not"
        yield conf.finding(CTR.code, f"{CIPHER} {state} {GCM}", CIPHER)


@check(
    SASL,
    example=(
        "spark.authenticate true\n"
        "spark.network.crypto.enabled true\n"
        "spark.network.crypto.cipher AES/GCM/NoPadding"
    ),
)
def sasl_fallback(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.flag(ENABLED, False) and conf.flag(FALLBACK, True):
        state = "is true" if FALLBACK in conf.settings else "is not set (Spark's default is true)"
        yield conf.finding(SASL.code, f"{FALLBACK} {state}", FALLBACK)
