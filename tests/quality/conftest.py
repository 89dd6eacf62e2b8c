"""One Spark session for the quality tests.

``local[2,3]`` lets a failed task retry when this module starts the session. When the
full suite already runs the shared ``local[2]`` session (tests/conftest.py), that one is
reused: one JVM per process; the retry and speculation tests run in their own process.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def qspark():
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    from sparkseal.conf import classpath_conf

    if SparkContext._active_spark_context is not None:
        yield SparkSession.builder.getOrCreate()
        return
    builder = SparkSession.builder.master("local[2,3]").appName("sparkseal-quality-tests")
    for key, value in classpath_conf({}).items():
        builder = builder.config(key, value)
    session = (
        builder.config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()
