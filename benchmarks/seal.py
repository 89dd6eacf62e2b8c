"""Sealing, opening and scanning throughput, measured side by side in one run.

    .venv/bin/python benchmarks/seal.py [--seconds 2] [--scan-mb 100]

* tokens sealed and opened per second on one core, through sparkseal's API and
  through ``cryptography``'s HPKE single-shot calls directly (the anchor), with
  the ratio between them;
* ``sparkseal scan`` throughput on a synthetic Spark log of ``--scan-mb`` MB
  (driver INFO lines, event-log JSON with host IPs and epoch-ms timestamps,
  stack frames), with one worker process and with one per CPU.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sparkseal.core import keys
from sparkseal.core.token import Opener, Sealer
from sparkseal.scan.scanner import Scanner

MESSAGE = "ValueError: alan.turing@example.net is not a valid customer email (row 1234)"


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second: the median of 5 timed rounds of about ``seconds / 5`` each."""
    n = 200
    while True:  # calibrate
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t > 0.05:
            break
        n *= 2
    per_round = max(1, int(n * (seconds / 5) / (time.perf_counter() - t)))
    rates = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(per_round):
            fn()
        rates.append(per_round / (time.perf_counter() - t))
    return statistics.median(rates)


def bench_tokens(seconds: float) -> None:
    print(f"{'suite':<16}{'operation':<10}{'sparkseal/s':>14}{'raw HPKE/s':>14}{'ratio':>8}")
    data, info = MESSAGE.encode(), b"bench"
    for suite in ("x25519", "mlkem768-x25519"):
        key = keys.generate(suite)
        sealer, opener = Sealer(key.public), Opener([key])
        hpke, pub, priv = key.suite.hpke_suite, key.public.hpke_key(), key.hpke_key()
        token = sealer.seal(MESSAGE)
        ct = hpke.encrypt(data, pub, info=info)
        ours_seal = rate(lambda s=sealer: s.seal(MESSAGE), seconds)
        raw_seal = rate(lambda h=hpke, p=pub: h.encrypt(data, p, info=info), seconds)
        ours_open = rate(lambda o=opener, t=token: o.open(t), seconds)
        raw_open = rate(lambda h=hpke, k=priv, c=ct: h.decrypt(c, k, info=info), seconds)
        for op, ours, raw in (("seal", ours_seal, raw_seal), ("open", ours_open, raw_open)):
            print(f"{suite:<16}{op:<10}{ours:>14,.0f}{raw:>14,.0f}{ours / raw:>8.2f}")


def synthetic_log(path: Path, megabytes: int) -> None:
    rng = random.Random(7)
    lines = [
        "26/11/22 05:47:11 INFO TaskSetManager: Starting task {i}.0 in stage 3.0 (TID {t}) "
        "(10.0.{a}.{b}, executor {e}, partition {i}, PROCESS_LOCAL, 9340 bytes)",
        "26/11/22 05:47:11 INFO BlockManagerInfo: Added broadcast_{i}_piece0 in memory on "
        "10.0.{a}.{b}:40321 (size: 6.2 KiB, free: 434.4 MiB)",
        '{{"Event":"SparkListenerTaskEnd","Stage ID":{e},"Task Info":{{"Task ID":{t},'
        '"Launch Time":1795326425742,"Executor ID":"{e}","Host":"10.0.{a}.{b}",'
        '"Locality":"PROCESS_LOCAL","Finish Time":17953264{i:05d}}}}}',
        "\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:{i})",
        "26/11/22 05:47:12 WARN TaskSetManager: Lost task {i}.0 (TID {t}): ValueError: "
        "[SEALED:1:X:21660fd763baa070:kxjzVcJw_0dXI8nKthAw3K7cBS9HUGrboCLJhSCfSE2TasieitoylzRD5rQ]",
    ]
    target = megabytes * 1_000_000
    with path.open("w") as fh:
        written = 0
        i = 0
        while written < target:
            line = rng.choice(lines).format(
                i=i % 99999, t=i * 3, e=i % 8, a=rng.randrange(4), b=rng.randrange(1, 30)
            )
            written += fh.write(line + "\n")
            i += 1


def bench_scan(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "spark.log"
        synthetic_log(log, megabytes)
        size = log.stat().st_size
        cpus = os.cpu_count() or 1
        print(f"\nscan of a {size / 1e6:.0f} MB synthetic Spark log ({cpus} CPUs)")
        kinds_all = ("email", "card", "ssn", "phone", "iban", "ipv4")
        variants = [(jobs, kinds_all) for jobs in sorted({1, cpus})] + [(1, kinds_all[:-1])]
        for jobs, kinds in variants:
            times = []
            for _ in range(3):
                scanner = Scanner(canaries=["alan.turing@example.net"], kinds=kinds, jobs=jobs)
                t = time.perf_counter()
                report = scanner.scan([log])
                times.append(time.perf_counter() - t)
            best = min(times)
            label = "all detectors" if "ipv4" in kinds else "--skip ipv4"
            found = sorted({f.kind for f in report.findings})
            print(
                f"  jobs={jobs}, {label}: {size / best / 1e6:,.0f} MB/s (best of 3; found {found})"
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    p.add_argument("--scan-mb", type=int, default=100, help="size of the synthetic log")
    args = p.parse_args()
    bench_tokens(args.seconds)
    bench_scan(args.scan_mb)


if __name__ == "__main__":
    main()
