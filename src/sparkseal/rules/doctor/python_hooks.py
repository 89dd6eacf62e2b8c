"""SS512: PySpark's Python workers start through sparkseal's hooks, with the public key.

One rule for three keys that only work together: both module settings and the key the
workers seal with (``spark.executorEnv.SPARKSEAL_PUBLIC_KEY``)."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.conf import DAEMON_MODULE, WORKER_MODULE
from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule
from sparkseal.worker.install import ENV_PUBLIC_KEY

DAEMON = "spark.python.daemon.module"
WORKER = "spark.python.worker.module"
PUBLIC_KEY = f"spark.executorEnv.{ENV_PUBLIC_KEY}"

NO_HOOKS = Rule(
    code="SS512",
    tool="doctor",
    family="sealing",
    title="Python workers do not start through sparkseal's hooks",
    severity="error",
    rationale=(
        "A failing UDF's exception -- the row's values in its message -- goes from the "
        "Python worker to the executor's log, the driver, the UI and the event log. Only "
        f"workers started as {DAEMON_MODULE} / {WORKER_MODULE} with the public key in "
        f"{PUBLIC_KEY} seal it first."
    ),
    fix="Build the session with sparkseal.harden() / sparkseal.session(), or run "
    "sparkseal submit, which set all three.",
)


@check(NO_HOOKS, example="spark.python.daemon.module pyspark.daemon")
def no_hooks(conf: EffectiveConf) -> Iterator[Finding]:
    for key, expected in ((DAEMON, DAEMON_MODULE), (WORKER, WORKER_MODULE)):
        if conf.get(key) != expected:
            state = "is not sparkseal's" if key in conf.settings else "is not set"
            yield conf.finding(NO_HOOKS.code, f"{key} {state}", key)
    if not conf.get(PUBLIC_KEY):
        yield conf.finding(NO_HOOKS.code, f"{PUBLIC_KEY} is not set", PUBLIC_KEY)
