"""The cost of sparkseal's metrics on a TeraSort-like 1 GB job: the same hardened job with
and without ``[metrics]`` (the JVM listener, the collector, the endpoint and the push at
the end), side by side; and the number of series each run pushes.

    .venv/bin/python benchmarks/observability.py [--gb 1.0] [--pairs 3]

The job generates ``--gb`` GB of 100-byte records (a random 10-byte key, a 90-byte
value), sorts them by key (a full shuffle) and writes the result to Parquet. Each run is
its own ``local[*]`` application (listeners are fixed when the JVM starts); the two kinds
alternate, ``--pairs`` times. With ``prometheus-pushgateway`` installed, the metrics runs
push to a real one on a loopback port, and the series in it are counted after every push.
Prints wall times, the median ratio with / without metrics (goal <= 1.02) and the series
count per run (goal: the same for every run -- no per-run series).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sparkseal
from sparkseal.core import keys


def job(spark, out: Path, gb: float) -> None:
    from pyspark.sql import functions as F

    n = int(gb * 1e9 / 100)
    rows = spark.range(n, numPartitions=max(8, int(gb * 16))).select(
        F.substring(
            F.sha2(F.concat(F.col("id").cast("string"), F.rand(7).cast("string")), 256), 1, 10
        ).alias("key"),
        F.sha2(F.col("id").cast("string"), 512).substr(1, 90).alias("value"),
    )
    rows.sort("key").write.mode("overwrite").parquet(str(out / "sorted"))


def child(work: Path, measured: bool, gb: float) -> None:
    from prometheus_client import generate_latest

    from sparkseal.metrics import current

    policy = work / ("metrics.toml" if measured else "plain.toml")
    started = time.perf_counter()
    spark = sparkseal.session(
        "terasort", policy=policy, **{"spark.master": "local[*]", "spark.ui.enabled": "false"}
    )
    exporter = current()
    job(spark, work / "data", gb)
    spark.stop()  # the metrics run records its run and pushes here
    seconds = time.perf_counter() - started
    series = None
    if exporter is not None:
        text = generate_latest(exporter.registry).decode()
        series = sum(1 for line in text.splitlines() if line.startswith("sparkseal_"))
    print(json.dumps({"seconds": seconds, "series": series}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pushed_series(url: str | None) -> int | None:
    if url is None:
        return None
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as r:
        text = r.read().decode()
    return sum(1 for line in text.splitlines() if line.startswith("sparkseal_"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--child", choices=["metrics", "plain"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.work, args.child == "metrics", args.gb)
        return
    binary = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
    gateway = None
    proc = None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if binary:
            port = _free_port()
            proc = subprocess.Popen(
                [binary, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file="],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            gateway = f"http://127.0.0.1:{port}"
            time.sleep(1)
        try:
            keys.write_pair(keys.generate(), work)
            seal = f'[seal]\npublic_key = "{work / "sparkseal.pub"}"\n'
            store = f'[audit]\nstore = "sqlite:///{work / "store.db"}"\n'
            push = f'pushgateway = "{gateway}"\n' if gateway else ""
            (work / "plain.toml").write_text(seal + store)
            (work / "metrics.toml").write_text(
                seal + store + f'[metrics]\njob = "terasort"\nport = 0\n{push}'
            )
            times: dict[str, list[float]] = {"metrics": [], "plain": []}
            series: list[tuple[int | None, int | None]] = []
            for i in range(args.pairs):
                order = ["plain", "metrics"] if i % 2 == 0 else ["metrics", "plain"]
                for kind in order:
                    cmd = [sys.executable, __file__, "--child", kind, "--work", str(work)]
                    done = subprocess.run(
                        [*cmd, "--gb", str(args.gb)], capture_output=True, text=True, check=True
                    )
                    result = json.loads(done.stdout.strip().splitlines()[-1])
                    times[kind].append(result["seconds"])
                    if kind == "metrics":
                        series.append((result["series"], _pushed_series(gateway)))
                    print(f"pair {i + 1}: {kind:8s} {result['seconds']:7.1f} s", flush=True)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    ratios = [m / p for m, p in zip(times["metrics"], times["plain"], strict=True)]
    print(
        f"with / without metrics: median {statistics.median(ratios):.3f} (pairs: "
        + ", ".join(f"{r:.3f}" for r in ratios)
        + "); goal <= 1.02"
    )
    print(
        "series per run (exposition, pushgateway): "
        + ", ".join(f"run {i + 1}: {e}, {p}" for i, (e, p) in enumerate(series))
        + "; goal: the same for every run"
    )


if __name__ == "__main__":
    main()
