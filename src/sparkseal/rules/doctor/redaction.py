"""SS505-SS506: redaction regexes (``spark.redaction.regex``,
``spark.sql.redaction.string.regex``), grouped: both decide what Spark hides.

Strength is not judged by reading the regex: it is run against a fixed list of key names
that sparkseal's own regex (:data:`sparkseal.core.rules.REDACTION_REGEX`) covers, and
every name it misses is reported by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

KEY = "spark.redaction.regex"
SQL_KEY = "spark.sql.redaction.string.regex"
REDACTED = "*********(redacted)"
"""What Spark's REST API shows for a value its redaction regex matched."""
SPARK_DEFAULT = "(?i)secret|password|token|access[.]?key|credential"
"""Spark 4.3's default for ``spark.redaction.regex`` (``SECRET_REDACTION_PATTERN`` in
``org.apache.spark.internal.config``, read from the pyspark 4.3.0 spark-core jar)."""

MUST_REDACT: tuple[str, ...] = (
    "spark.authenticate.secret",
    "spark.ssl.keyStorePassword",
    "spark.hadoop.fs.s3a.access.key",
    "spark.hadoop.fs.s3a.secret.key",
    "spark.hadoop.fs.s3a.session.token",
    "spark.hadoop.fs.azure.account.oauth2.client.secret",
    "spark.hadoop.javax.jdo.option.ConnectionPassword",
    "spark.kubernetes.authenticate.submission.oauthToken",
    "spark.hadoop.parquet.encryption.key.list",
    "spark.io.encryption.key",
    "spark.sql.catalog.lake.credential",
    "spark.hadoop.fs.gs.auth.service.account.private.key",
)
"""Conf key names whose values are key material or credentials: the values Spark shows
in the UI's environment page, the event log and its logs unless the regex matches."""

WEAK = Rule(
    code="SS505",
    tool="doctor",
    family="security-conf",
    title="the redaction regex misses credential keys",
    severity="warning",
    rationale=(
        "Spark shows every conf value in the UI's environment page, the REST API, the "
        "event log and its logs, except those whose key or value matches "
        "spark.redaction.regex. Spark's default misses Parquet modular-encryption key "
        "lists, private keys and the I/O encryption key."
    ),
    fix=(
        f"Use sparkseal's preset (it sets {KEY} to Spark's default plus the missing names) "
        "or extend your regex until doctor names no key."
    ),
)

NO_SQL = Rule(
    code="SS506",
    tool="doctor",
    family="security-conf",
    title="SQL text in plan strings is not redacted",
    severity="note",
    rationale=(
        "Without spark.sql.redaction.string.regex, literals in SQL and plan strings "
        "(WHERE email = '...') reach the UI, the event log and explain output. sparkseal "
        "seals plan strings in the event log and UI it writes, so this is advice for "
        "what it does not write (explain output, third-party listeners)."
    ),
    fix=f"Set {SQL_KEY} (the policy's [preset] sql_redaction_regex) to the literals to hide.",
)


def missed_keys(regex: str) -> list[str] | None:
    """Names of :data:`MUST_REDACT` the regex does not match; ``None`` if it does not compile."""
    try:
        compiled = re.compile(regex)
    except re.error:
        return None
    return [name for name in MUST_REDACT if not compiled.search(name)]


@check(WEAK, example="spark.redaction.regex (?i)secret|password|token|access[.]?key")
def weak_redaction(conf: EffectiveConf) -> Iterator[Finding]:
    regex = conf.get(KEY)
    if regex == REDACTED:
        return  # a running application shows its own regex redacted: it matched itself
    missed = missed_keys(regex if regex is not None else SPARK_DEFAULT)
    source = f"{KEY}" if regex is not None else f"{KEY} (Spark's default)"
    if missed is None:
        yield conf.finding(
            WEAK.code, f"{KEY} could not be checked (not a Python-compatible regex)", KEY
        )
    elif missed:
        yield conf.finding(WEAK.code, f"{source} does not match {', '.join(missed)}", KEY)


@check(NO_SQL, example="# spark.sql.redaction.string.regex not set")
def no_sql_redaction(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.get(SQL_KEY):
        yield conf.finding(NO_SQL.code, f"{SQL_KEY} is not set", SQL_KEY)
