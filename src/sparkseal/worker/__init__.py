"""Worker hooks: seal exception text inside PySpark's Python workers.

Kept import-free on purpose: ``python -m sparkseal.worker.daemon`` must not run
anything before it has pointed stdout away from the JVM's port channel.
"""
