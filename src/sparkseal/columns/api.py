"""``protect``, ``unprotect``, role views, and the count of tokens that did not open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkseal.audit import recorder as audit
from sparkseal.columns.connect_keyed import (
    ConnectKeyedColumns,
    is_connect_session,
    refuse_under_connect,
)
from sparkseal.columns.expressions import Keyed, expression, reversal
from sparkseal.columns.keyed import KeyedColumns
from sparkseal.core.codes import coded
from sparkseal.core.errors import PolicyError, SparkSealError
from sparkseal.core.policy import PolicyLike, load_policy
from sparkseal.core.protection import ProtectPolicy
from sparkseal.jvm.functions import jvm_classes

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


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
    keys = ConnectKeyedColumns() if is_connect_session(spark) else KeyedColumns(spark, p)
    columns = []
    applied: dict[str, str] = {}
    for field in df.schema.fields:
        protection = p.column_rule(field.name)
        col = F.col(f"`{field.name}`")
        if protection is None:
            columns.append(col)
            continue
        rule = protection.rule_for(role)
        if rule is None:
            applied[field.name] = p.default
            if p.default == "null":
                columns.append(F.lit(None).cast(field.dataType).alias(field.name))
            continue
        applied[field.name] = rule.rule
        keyed = Keyed(keys, protection.token_domain)
        columns.append(expression(rule, col, field.dataType, keyed).alias(field.name))
    audit.record("protect", {"role": role, "columns": applied})
    return df.select(*columns)


def unprotect(df: DataFrame, role: str | None = None, policy: PolicyLike = None) -> DataFrame:
    """Reverse ``tokenize`` and ``encrypt`` in protected columns, for ``unprotect_roles`` only.

    Each column opens only the values of its own entry's domain; others become null and
    are counted (:func:`rejected_tokens`). The opening function exists only in the
    returned DataFrame's plan: nothing is registered that SQL could call.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    p = load_policy(policy).protect
    spark = df.sparkSession
    refuse_under_connect(spark, "unprotect()")
    if role is None:
        role = current_role(spark, p)
    if role not in p.unprotect_roles:
        audit.record("unprotect", {"role": role, "refused": "SS205"}, "failure")
        raise SparkSealError(
            coded(
                "SS205",
                f"role {role!r} may not unprotect columns; the policy's "
                f"protect.unprotect_roles are {p.unprotect_roles}",
            )
        )
    if p.token_key is None:
        raise PolicyError(
            coded("SS206", "unprotect needs protect.token_key, the key the values were made with")
        )
    keys = KeyedColumns(spark, p)
    columns = []
    opened: dict[str, str] = {}
    for field in df.schema.fields:
        col = F.col(f"`{field.name}`")
        protection = p.column_rule(field.name)
        if protection is not None and isinstance(field.dataType, StringType):
            keyed = Keyed(keys, protection.token_domain)
            col = reversal(col, keyed, protection.accept_v1).alias(field.name)
            opened[field.name] = protection.token_domain
        columns.append(col)
    audit.record("unprotect", {"role": role, "domains": opened})
    return df.select(*columns)


def rejected_tokens(spark: SparkSession) -> dict[str, int]:
    """Values ``unprotect`` could not open, by domain, since the SparkContext started.

    Counted when Spark evaluates them (an action run twice counts twice); also shown in
    the Spark UI's stage pages as the accumulators ``sparkseal.rejected_tokens[<domain>]``.
    """
    refuse_under_connect(spark, "rejected_tokens()")
    counts = jvm_classes(spark).protect.Functions.rejected(spark._jsparkSession)
    return {str(domain): int(counts[domain]) for domain in counts}


def create_role_views(
    spark: SparkSession,
    table_or_df: str | DataFrame,
    roles: list[str],
    name: str | None = None,
    policy: PolicyLike = None,
) -> dict[str, str]:
    """A temporary view ``<name>_<role>`` per role, protected for that role, for SQL users.

    The views hold the keyed functions as an unregistered expression: SQL users read the
    protected columns but cannot call the functions on values of their own.
    """
    df = spark.table(table_or_df) if isinstance(table_or_df, str) else table_or_df
    base = name or (table_or_df if isinstance(table_or_df, str) else "protected")
    base = base.replace(".", "_")
    views = {}
    for role in roles:
        view = f"{base}_{role}"
        protect(df, role, policy).createOrReplaceTempView(view)
        views[role] = view
    audit.record("create_role_views", {"views": views})
    return views
