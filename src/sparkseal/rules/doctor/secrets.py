"""SS511: secrets written into the Spark conf in plain text.

Keys are matched by name against a fixed list (never by looking at values); a value that
is only a ``${env:VAR}`` reference, or sparkseal's placeholder for the authentication
secret, is not a secret. The value is never printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sparkseal.auth import AUTH_SECRET_CONF, PLACEHOLDER
from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

SECRET_KEYS: frozenset[str] = frozenset(
    {
        AUTH_SECRET_CONF,
        "spark.hadoop.fs.s3a.access.key",
        "spark.hadoop.fs.s3a.secret.key",
        "spark.hadoop.fs.s3a.session.token",
        "spark.hadoop.fs.s3a.encryption.key",
        "spark.hadoop.fs.s3a.server-side-encryption.key",
        "spark.hadoop.fs.s3.awsSecretAccessKey",
        "spark.hadoop.fs.s3n.awsSecretAccessKey",
        "spark.hadoop.fs.gs.auth.service.account.private.key",
        "spark.hadoop.fs.azure.account.oauth2.client.secret",
        "spark.hadoop.parquet.encryption.key.list",
        "spark.io.encryption.key",
        "spark.kubernetes.authenticate.submission.oauthToken",
        "spark.kubernetes.authenticate.driver.oauthToken",
    }
)
"""Keys whose value is key material or a credential."""

SECRET_SUFFIXES: tuple[str, ...] = (
    "password",
    "Password",
    ".secret",
    ".secret.key",
    ".secretKey",
    ".token",
    ".credential",
    ".credentials",
)
"""Key name endings that hold credentials (``spark.ssl.keyStorePassword``,
``spark.hadoop.javax.jdo.option.ConnectionPassword``, a catalog's ``.credential``)."""

SECRET_PREFIXES: tuple[str, ...] = ("spark.hadoop.fs.azure.account.key.",)
"""Azure storage account keys, one key per account (``...account.key.ACCOUNT.dfs...``)."""

_REFERENCE = re.compile(r"\$\{env:[A-Za-z_][A-Za-z0-9_]*\}")

PLAIN_SECRET = Rule(
    code="SS511",
    tool="doctor",
    family="security-conf",
    title="a secret is written in the Spark conf",
    severity="error",
    rationale=(
        "A conf value travels on spark-submit's and executors' command lines (readable "
        "by every local user), into the UI, the REST API and the event log (unless the "
        "redaction regex catches it) and into files checked into repositories."
    ),
    fix=(
        "Give the value as ${env:VAR} (Spark substitutes it), a Hadoop credential "
        "provider (spark.hadoop.hadoop.security.credential.provider.path) or, for "
        "spark.authenticate.secret, _SPARK_AUTH_SECRET in the environment (docs/preset.md)."
    ),
)


def is_secret_key(key: str) -> bool:
    return key in SECRET_KEYS or key.endswith(SECRET_SUFFIXES) or key.startswith(SECRET_PREFIXES)


@check(PLAIN_SECRET, example="spark.hadoop.fs.s3a.secret.key <the key itself>")
def plain_secret(conf: EffectiveConf) -> Iterator[Finding]:
    for key in sorted(conf.settings):
        if not is_secret_key(key):
            continue
        s = conf.settings[key]
        value = s.value.strip()
        if not value or _REFERENCE.fullmatch(value) or value == PLACEHOLDER:
            continue
        if s.source == "application" and key == AUTH_SECRET_CONF:
            continue  # the REST API shows it redacted: it may be sparkseal's placeholder
        yield conf.finding(PLAIN_SECRET.code, f"{key} holds a value in the conf ({s.source})", key)
