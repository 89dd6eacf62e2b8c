"""Sealing, opening and scanning throughput, measured side by side in one run.

    .venv/bin/python benchmarks/seal.py [--seconds 2] [--scan-mb 100]

* tokens sealed and opened per second on one core: raw single-shot HPKE
  (``cryptography``'s ``Suite.encrypt``/``decrypt``, the anchor), sparkseal's
  token format 2 (one single-shot HPKE per token) and format 3 (one HPKE context
  seals many tokens), in interleaved rounds, with the ratios and their spread;
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


def _calibrated(fn: Callable[[], object]) -> int:
    n = 200
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t > 0.02:
            return n
        n *= 2


def _once(fn: Callable[[], object], n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - t)


def interleaved(fns: dict[str, Callable[[], object]], seconds: float) -> dict[str, list[float]]:
    """Per-round rates of every ``fns`` entry, run one after the other in each of 5 rounds.

    Side by side in the same rounds, so a noisy neighbour on a shared machine hits
    them alike; the ratios per round show the spread.
    """
    sizes = {k: _calibrated(f) for k, f in fns.items()}
    per_round = {k: max(1, int(n * (seconds / 5) / 0.02 / len(fns))) for k, n in sizes.items()}
    rates: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(5):
        for k, f in fns.items():
            rates[k].append(_once(f, per_round[k]))
    return rates


def _spread(num: list[float], den: list[float]) -> str:
    ratios = sorted(a / b for a, b in zip(num, den, strict=True))
    return f"{statistics.median(ratios):6.1f}x  ({ratios[0]:.1f}-{ratios[-1]:.1f})"


def bench_tokens(seconds: float) -> None:
    """Format 3 (one HPKE context, many tokens) vs format 2 vs raw single-shot HPKE."""
    print("tokens per second on one core (median of 5 interleaved rounds; ratio: median (min-max))")
    print(
        f"{'suite':<16}{'op':<6}{'raw HPKE':>11}{'format 2':>11}{'format 3':>11}"
        f"  {'format 3 / raw HPKE':<24}{'format 2 / raw'}"
    )
    data, info = MESSAGE.encode(), b"bench"
    for suite in ("x25519", "mlkem768-x25519"):
        key = keys.generate(suite)
        v2, v3 = Sealer(key.public, version="2"), Sealer(key.public, version="3")
        opener = Opener([key])
        hpke, pub, priv = key.suite.hpke_suite, key.public.hpke_key(), key.hpke_key()
        t2, t3 = v2.seal(MESSAGE), v3.seal(MESSAGE)
        ct = hpke.encrypt(data, pub, info=info)
        r = interleaved(
            {
                "seal raw": lambda h=hpke, p=pub: h.encrypt(data, p, info=info),
                "seal 2": lambda s=v2: s.seal(MESSAGE),
                "seal 3": lambda s=v3: s.seal(MESSAGE),
                "open raw": lambda h=hpke, k=priv, c=ct: h.decrypt(c, k, info=info),
                "open 2": lambda o=opener, t=t2: o.open(t),
                "open 3": lambda o=opener, t=t3: o.open(t),
            },
            seconds,
        )
        for op in ("seal", "open"):
            raw, f2, f3 = r[f"{op} raw"], r[f"{op} 2"], r[f"{op} 3"]
            note = "" if v3.version == "3" else "  (hybrid keys write format 2)"
            print(
                f"{suite:<16}{op:<6}{statistics.median(raw):>11,.0f}{statistics.median(f2):>11,.0f}"
                f"{statistics.median(f3):>11,.0f}  {_spread(f3, raw):<24}{_spread(f2, raw)}{note}"
            )


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
    p.add_argument("--tokens-only", action="store_true", help="skip the scan measurement")
    args = p.parse_args()
    bench_tokens(args.seconds)
    if not args.tokens_only:
        bench_scan(args.scan_mb)


if __name__ == "__main__":
    main()
