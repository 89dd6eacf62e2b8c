"""``spark.python.worker.module``: one PySpark worker, with sealed errors.

Used when ``spark.python.use.daemon=false``: the JVM then starts
``python -m sparkseal.worker.module`` for each worker.
"""

from sparkseal.worker.entry import run_hooked

if __name__ == "__main__":
    run_hooked("pyspark.worker")
