"""sparkseal's JVM functions in a SparkSession, registered once per session and content.

Column protection and discovery run as JVM UDFs from sparkseal's jar (no Python per
row). Registering again on every call would re-broadcast keys and log a warning per
function, so a registration is remembered by (application, session, family, digest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sparkseal.core.errors import SparkSealError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_registered: dict[tuple[str, int, str], bytes] = {}


def jvm_classes(spark: SparkSession) -> Any:
    """The py4j view of the ``io.sparkseal`` package; a clear error if the jar is absent."""
    from py4j.java_gateway import JavaClass

    package = spark.sparkContext._jvm.io.sparkseal
    if not isinstance(package.Status, JavaClass):
        raise SparkSealError(
            "sparkseal's JVM functions are not on the driver's classpath: create the session "
            "with sparkseal.harden() or sparkseal.session(), or launch it with sparkseal submit"
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
