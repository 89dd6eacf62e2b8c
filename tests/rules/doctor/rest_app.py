"""A hardened local[1] application with its UI on, for ``doctor --url`` (run as a script).

argv: policy file. Prints the UI's URL, then waits until standard input closes."""

from __future__ import annotations

import sys

from pyspark.sql import SparkSession

import sparkseal

builder = (
    SparkSession.builder.master("local[1]")
    .appName("sparkseal-doctor-rest")
    .config("spark.ui.port", "0")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.ui.enabled", "true")
)
spark = sparkseal.harden(builder, sys.argv[1]).getOrCreate()
print(spark.sparkContext.uiWebUrl, flush=True)
sys.stdin.read()
spark.stop()
