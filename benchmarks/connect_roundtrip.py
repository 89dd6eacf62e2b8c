"""Spark Connect round trip of a small query, hardened vs stock, side by side in one run.

``python benchmarks/connect_roundtrip.py --policy sparkseal.toml [--rounds 200]``

Starts two local Connect servers (``local[1]`` each): a stock one (Spark's
``SparkConnectServer`` through ``spark-submit``) and a hardened one (``sparkseal
connect-server``). A client session for each runs the same small query (a 100-row
aggregate, ``collect()``) in interleaved rounds after a warm-up; prints the median
latency of each and their ratio. Goal: hardened / stock ≤ 1.05.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pyspark.sql import SparkSession

import sparkseal
from sparkseal.connect import SERVER_CLASS
from sparkseal.submit import spark_submit


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(cmd: list[str], port: int, log: Path):
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; see {log}")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=90)


def _query(spark: SparkSession) -> float:
    start = time.perf_counter()
    spark.range(100).selectExpr("sum(id) AS s", "max(id) AS m").collect()
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--policy", required=True)
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--conf", action="append", default=[], help="KEY=VALUE for both servers")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sparkseal-connect-bench-"))
    stock_port, hardened_port = _free_port(), _free_port()
    common = ["--master", "local[1]", "--conf", "spark.ui.enabled=false"]
    common += [item for kv in args.conf for item in ("--conf", kv)]
    stock_cmd = [spark_submit(), "--class", SERVER_CLASS, *common]
    stock_cmd += ["--conf", f"spark.connect.grpc.binding.port={stock_port}"]
    hardened_cmd = [sys.executable, "-m", "sparkseal.cli.main", "connect-server"]
    hardened_cmd += ["--policy", args.policy, "--port", str(hardened_port), "--", *common]
    with ExitStack() as stack:
        stock_url = stack.enter_context(_server(stock_cmd, stock_port, tmp / "stock.log"))
        hardened_url = stack.enter_context(
            _server(hardened_cmd, hardened_port, tmp / "hardened.log")
        )
        stock = SparkSession.builder.remote(stock_url).create()
        hardened = sparkseal.harden(SparkSession.builder.remote(hardened_url), args.policy)
        hardened = hardened.create()
        for _ in range(args.warmup):
            _query(stock), _query(hardened)
        times: dict[str, list[float]] = {"stock": [], "hardened": []}
        for i in range(args.rounds):
            order = (("stock", stock), ("hardened", hardened))
            for name, session in order if i % 2 == 0 else reversed(order):
                times[name].append(_query(session))
        stock.stop()
        hardened.stop()
    s, h = statistics.median(times["stock"]), statistics.median(times["hardened"])
    print(f"rounds: {args.rounds} interleaved, after {args.warmup} warm-up")
    print(f"stock    median {s * 1000:.2f} ms")
    print(f"hardened median {h * 1000:.2f} ms")
    print(f"ratio hardened/stock: {h / s:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
