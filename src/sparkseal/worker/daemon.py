"""``spark.python.daemon.module``: PySpark's daemon, with sealed worker errors.

The hooks are installed once in the daemon; every worker it forks inherits
them, including workers for other entry points (data sources, UDTF analysis)
that the JVM names as the daemon's first argument.
"""

from sparkseal.worker.entry import run_hooked

if __name__ == "__main__":
    run_hooked("pyspark.daemon")
