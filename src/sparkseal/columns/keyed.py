"""Keyed column expressions, built in the JVM as unregistered Catalyst expressions.

Each rule is ``io.sparkseal.protect.KeyedExpression``: generated code that works on the
string's UTF-8 bytes, with the secret in a broadcast (never a literal, never in a plan).
Nothing is put in the session's function registry, so SQL cannot call a keyed function
by name (no ``sparkseal_hash('guess')``, no opening a token in a role view). Python sends
the JVM secret *references* (``env:``/``file:``), never secrets: the JVM reads them itself
(``io.sparkseal.protect.Secrets``), so py4j's DEBUG log has nothing to print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyspark.sql import Column

from sparkseal.core.errors import PolicyError
from sparkseal.core.protection import ProtectPolicy
from sparkseal.core.secrets import explain_jvm_error, jvm_reference
from sparkseal.jvm.functions import java_column, jvm_classes, python_column

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class KeyedColumns:
    """The keyed rules of one policy in one session, as Spark columns."""

    def __init__(self, spark: SparkSession, policy: ProtectPolicy) -> None:
        self._spark = spark
        self._pepper = jvm_reference(policy.pepper, "protect.pepper") if policy.pepper else None
        self._token_key = (
            jvm_reference(policy.token_key, "protect.token_key") if policy.token_key else None
        )

    def hash(self, col: Column) -> Column:
        """HMAC-SHA256 with the pepper, hex."""
        return self._call("hash", col, self._pepper, "protect.pepper")

    def tokenize(self, col: Column, domain: str) -> Column:
        """A deterministic ``tok2.`` token bound to ``domain``."""
        return self._call("tokenize", col, self._token_key, "protect.token_key", domain)

    def encrypt(self, col: Column, domain: str) -> Column:
        """A randomized ``enc2.`` ciphertext bound to ``domain``."""
        return self._call("encrypt", col, self._token_key, "protect.token_key", domain)

    def open(self, col: Column, domain: str, accept_v1: bool) -> Column:
        """``col``'s value opened; the caller gives it prefixed values only."""
        return self._call("open", col, self._token_key, "protect.token_key", domain, accept_v1)

    def _call(self, name: str, col: Column, reference: str | None, what: str, *args: Any) -> Column:
        if reference is None:  # the policy model refuses keyed rules without their secret
            raise PolicyError(f"{what} is not set")
        functions = jvm_classes(self._spark).protect.Functions
        jcol = java_column(col)
        try:
            built = getattr(functions, name)(self._spark._jsparkSession, jcol, reference, *args)
        except Exception as exc:
            message = _jvm_message(exc)
            if message.startswith("SS2"):
                raise PolicyError(explain_jvm_error(message)) from None
            raise
        return python_column(built)


def _jvm_message(exc: Exception) -> str:
    """The JVM exception's own message, whether PySpark converted the error or py4j did not."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors.exceptions.captured import CapturedException

    if isinstance(exc, Py4JJavaError):
        return str(exc.java_exception.getMessage() or "")
    if isinstance(exc, CapturedException):  # its str() may append the JVM stack trace
        return str(exc).split("\n", 1)[0]
    return ""
