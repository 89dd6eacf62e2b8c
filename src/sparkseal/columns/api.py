"""``protect``, ``unprotect`` and role views."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sparkseal.columns.expressions import FUNCTION_PREFIX, expression, reversal
from sparkseal.core.errors import SparkSealError
from sparkseal.core.policy import PolicyLike, load_policy
from sparkseal.core.protection import ProtectPolicy
from sparkseal.core.secrets import resolve
from sparkseal.jvm.functions import register_once

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _register_functions(spark: SparkSession, policy: ProtectPolicy) -> None:
    """Put the keyed functions in the session; keys go to the JVM, never into a plan."""
    pepper = resolve(policy.pepper, "protect.pepper") if policy.pepper else None
    token = resolve(policy.token_key, "protect.token_key") if policy.token_key else None
    digest = hashlib.sha256(repr((pepper, token)).encode()).digest()
    register_once(
        spark,
        "protect",
        digest,
        lambda jvm: jvm.protect.Functions.register(
            spark._jsparkSession,
            FUNCTION_PREFIX,
            bytearray(pepper) if pepper else None,
            bytearray(token) if token else None,
        ),
    )


def current_role(spark: SparkSession, policy: ProtectPolicy) -> str | None:
    """The role the policy gives Spark's ``current_user()``, or None."""
    user = spark.sql("SELECT current_user()").first()[0]
    return policy.users.get(user)


def protect(df: DataFrame, role: str | None = None, policy: PolicyLike = None) -> DataFrame:
    """``df`` as ``role`` may see it: every protected column through its rule for that role.

    Columns no ``[[protect.columns]]`` entry matches pass through. A protected column
    for which the role has no rule -- an unknown role, or no role at all -- gets the
    column's ``default`` rule if it has one, else is dropped (``default = "drop"``) or
    nulled (``default = "null"``): deny by default. Without
    ``role``, the role comes from the policy's mapping of ``current_user()``.
    """
    from pyspark.sql import functions as F

    p = load_policy(policy).protect
    spark = df.sparkSession
    if role is None:
        role = current_role(spark, p)
    _register_functions(spark, p)
    columns = []
    for field in df.schema.fields:
        protection = p.column_rule(field.name)
        col = F.col(f"`{field.name}`")
        if protection is None:
            columns.append(col)
            continue
        rule = protection.rule_for(role)
        if rule is None:
            if p.default == "null":
                columns.append(F.lit(None).cast(field.dataType).alias(field.name))
            continue
        columns.append(expression(rule, col, field.dataType).alias(field.name))
    return df.select(*columns)


def unprotect(df: DataFrame, role: str | None = None, policy: PolicyLike = None) -> DataFrame:
    """Reverse ``tokenize`` and ``encrypt`` in protected columns, for ``unprotect_roles`` only."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    p = load_policy(policy).protect
    spark = df.sparkSession
    if role is None:
        role = current_role(spark, p)
    if role not in p.unprotect_roles:
        raise SparkSealError(
            f"role {role!r} may not unprotect columns; the policy's protect.unprotect_roles "
            f"are {p.unprotect_roles}"
        )
    _register_functions(spark, p)
    columns = []
    for field in df.schema.fields:
        col = F.col(f"`{field.name}`")
        if p.column_rule(field.name) is not None and isinstance(field.dataType, StringType):
            col = reversal(col).alias(field.name)
        columns.append(col)
    return df.select(*columns)


def create_role_views(
    spark: SparkSession,
    table_or_df: str | DataFrame,
    roles: list[str],
    name: str | None = None,
    policy: PolicyLike = None,
) -> dict[str, str]:
    """A temporary view ``<name>_<role>`` per role, protected for that role, for SQL users."""
    df = spark.table(table_or_df) if isinstance(table_or_df, str) else table_or_df
    base = name or (table_or_df if isinstance(table_or_df, str) else "protected")
    base = base.replace(".", "_")
    views = {}
    for role in roles:
        view = f"{base}_{role}"
        protect(df, role, policy).createOrReplaceTempView(view)
        views[role] = view
    return views
