"""sparkseal's JVM functions in a SparkSession.

Column protection and discovery run in the JVM from sparkseal's jar (no Python per
row). Keyed protection is never registered (SQL could call it by name): the JVM builds
columns from an unregistered Catalyst expression, and :func:`java_column`/:func:`python_column`
carry columns across py4j. Discovery's detectors (no key) are registered once per
session and content, remembered by (application, session, family, digest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

if TYPE_CHECKING:
    from pyspark.sql import Column, SparkSession

_registered: dict[tuple[str, int, str], bytes] = {}


def jvm_classes(spark: SparkSession) -> Any:
    """The py4j view of the ``io.sparkseal`` package; a clear error if the jar is absent."""
    from py4j.java_gateway import JavaClass

    package = spark.sparkContext._jvm.io.sparkseal
    if not isinstance(package.Status, JavaClass):
        raise SparkSealError(
            coded(
                "SS406",
                "sparkseal's JVM functions are not on the driver's classpath: create the "
                "session with sparkseal.harden() or sparkseal.session(), or launch it with "
                "sparkseal submit",
            )
        )
    return package


def register_once(
    spark: SparkSession, family: str, digest: bytes, register: Callable[[Any], None]
) -> None:
    """Call ``register(io.sparkseal)`` unless ``family`` was registered with ``digest``."""
    key = (spark.sparkContext.applicationId, id(spark._jsparkSession), family)
    if _registered.get(key) == digest:
        return
    register(jvm_classes(spark))
    _registered[key] = digest


def java_column(col: Column) -> Any:
    """The JVM column behind a (classic) PySpark column."""
    from pyspark.sql.classic.column import _to_java_column

    return _to_java_column(col)


def python_column(jcol: Any) -> Column:
    """A PySpark column for a JVM ``org.apache.spark.sql.Column``."""
    from pyspark.sql.classic.column import Column as ClassicColumn

    return ClassicColumn(jcol)
