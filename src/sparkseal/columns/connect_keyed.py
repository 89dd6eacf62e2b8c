"""Keyed column rules under Spark Connect, applied by the server with the server's secrets.

A Connect client has no JVM, and must not hold the pepper or token key: each keyed rule
becomes an expression extension (``rules.json``: ``connect_keyed_rule``) that the server's
``io.sparkseal.connect.KeyedRulesPlugin`` turns into the same expression a classic session
builds, with the secret references ``sparkseal connect-server`` gave it. Opening values is
never sent: the server would refuse it, and the client says so first (SS208).
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import Column

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.rules import CONNECT_KEYED_RULE


def is_connect_session(spark: Any) -> bool:
    """Whether ``spark`` is a Spark Connect session (no JVM in this process)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def refuse_under_connect(spark: Any, what: str) -> None:
    """SS208 for what needs the classic session's JVM."""
    if is_connect_session(spark):
        raise SparkSealError(
            coded(
                "SS208",
                f"{what} is not served over Spark Connect: opening values stays out of a "
                "server every client can reach. Run it in a classic session (a batch job "
                "started with `sparkseal submit`); see docs/deploy.md, Spark Connect.",
            )
        )


def _keyed_rule(rule: str, col: Column, domain: str | None) -> Column:
    from pyspark.sql.connect import proto
    from pyspark.sql.connect.column import Column as ConnectColumn
    from pyspark.sql.connect.expressions import Expression

    child = col._expr  # type: ignore[attr-defined]

    class KeyedRule(Expression):
        """``sparkseal_<rule>(child)``: planned on the server by KeyedRulesPlugin."""

        @property
        def children(self) -> list[Expression]:
            return [child]

        def to_plan(self, session: Any) -> proto.Expression:
            call = proto.Expression()
            call.unresolved_function.function_name = rule
            call.unresolved_function.arguments.append(child.to_plan(session))
            if domain is not None:
                call.unresolved_function.arguments.add().literal.string = domain
            plan = self._create_proto_expression()
            plan.extension.type_url = CONNECT_KEYED_RULE
            plan.extension.value = call.SerializeToString()
            return plan

        def __repr__(self) -> str:
            return f"sparkseal_{rule}({child})"

    return ConnectColumn(KeyedRule())


class ConnectKeyedColumns:
    """The keyed rules, as :class:`~sparkseal.columns.keyed.KeyedColumns` offers them, for a
    Connect session: the policy's secret references are the server's business."""

    def hash(self, col: Column) -> Column:
        return _keyed_rule("hash", col, None)

    def tokenize(self, col: Column, domain: str) -> Column:
        return _keyed_rule("tokenize", col, domain)

    def encrypt(self, col: Column, domain: str) -> Column:
        return _keyed_rule("encrypt", col, domain)
