"""A Spark Connect client running failure cases against a server, as its own process.

``python connect_client.py --remote sc://HOST:PORT --policy P --out DIR [--no-seal]``
runs the cases named by ``--cases`` (from ``tests/e2e/cases.py``) with fresh canaries
that travel as data, logs each failure with its traceback (as a job would), saves every
page of the server's UI (``--ui``) and writes ``DIR/manifest.json``. With ``--no-seal``
the session is stock PySpark, after checking that ``harden()`` refuses that server.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))

import cases
from leak_app import canary, dump_ui_at
from pyspark import cloudpickle
from pyspark.sql import SparkSession

import sparkseal


def _received(exc: Exception) -> dict:
    """Everything the server sent about an error, as the client's exception object has it."""
    out: dict = {"str": str(exc)}
    for name in ("getMessageParameters", "getQueryContext", "getSqlState", "getCondition"):
        try:
            out[name] = repr(getattr(exc, name)())
        except Exception:  # not every exception has every accessor
            continue
    return out


def _refusal(remote: str, policy: str) -> str:
    """What ``harden()`` says about this server, asked from another process: the hooks it
    installs before it refuses would seal this (stock) client's output otherwise."""
    code = (
        "import sys, sparkseal\n"
        "from pyspark.sql import SparkSession\n"
        "builder = SparkSession.builder.remote(sys.argv[1])\n"
        "try:\n"
        "    sparkseal.harden(builder, sys.argv[2]).getOrCreate()\n"
        "except sparkseal.SparkSealError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, remote, policy], capture_output=True, text=True, check=False
    )
    return proc.stdout.strip()


def _protect(spark: SparkSession, policy: str, canaries: dict[str, str]) -> dict:
    """Every role's view of a table of canary emails, and what unprotect says (SS208)."""
    canaries["protect_email"] = email = canary("protect_email")
    df = spark.createDataFrame([(1, email), (2, None)], "id int, email string")
    out: dict = {
        role: [list(row) for row in sparkseal.protect(df, role, policy).orderBy("id").collect()]
        for role in ("analyst", "support", "fraud", "ops", "nobody")
    }
    try:
        sparkseal.unprotect(df, "fraud", policy)
        out["unprotect"] = ""
    except sparkseal.SparkSealError as exc:
        out["unprotect"] = str(exc)
    # A client that crafts the extension itself to open values: the server refuses.
    from sparkseal.columns.connect_keyed import _keyed_rule

    try:
        df.select(_keyed_rule("open", df.email, "match:email")).collect()
        out["open"] = ""
    except Exception as exc:
        out["open"] = str(exc)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--remote", required=True)
    p.add_argument("--policy", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--ui", required=True, help="the server's UI base URL")
    p.add_argument("--cases", required=True)
    p.add_argument("--no-seal", action="store_true")
    p.add_argument("--other-policy", help="a policy with another key: harden() must refuse")
    p.add_argument("--protect", action="store_true", help="also apply the policy's column rules")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"cases": {}, "outcomes": {}}
    builder = SparkSession.builder.remote(args.remote)
    if args.no_seal:
        manifest["refused"] = _refusal(args.remote, args.policy)
    else:
        builder = sparkseal.harden(builder, args.policy)
    if args.other_policy:
        manifest["refused_other_key"] = _refusal(args.remote, args.other_policy)
    spark = builder.getOrCreate()
    cloudpickle.register_pickle_by_value(cases)  # the server's workers cannot import it
    every = {**cases.CASES, **cases.JVM_CASES}
    log = logging.getLogger("connectclient")
    received: dict[str, dict] = {}
    for name in args.cases.split(","):
        value = canary(name)
        manifest["cases"][name] = value
        try:
            every[name](spark, value)
            manifest["outcomes"][name] = "no error"
        except Exception as exc:  # every case is meant to fail
            manifest["outcomes"][name] = type(exc).__name__
            received[name] = _received(exc)
            log.exception("case %s failed", name)
    if args.protect:
        manifest["protected"] = _protect(spark, args.policy, manifest["cases"])
    # What crossed the network, as the client's exception objects hold it (no hook involved).
    (args.out / "received.json").write_text(json.dumps(received, indent=1))
    app = spark.conf.get("spark.app.id")
    manifest["app_id"] = app
    dump_ui_at(args.ui, app, args.out / "ui")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    spark.stop()
    # The last one is uncaught: the client's excepthook prints it.
    manifest["cases"]["client_uncaught"] = value = canary("client_uncaught")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    cases.fail_with(value)


if __name__ == "__main__":
    main()
