"""The JVM side, measured side by side in one run.

    .venv/bin/python benchmarks/jvm_seal.py [--seconds 3] [--skip-spark]

* tokens sealed and opened per second on one core by the Java sealer (JDK XDH +
  AES-GCM): single-shot HPKE per token (format 2, the raw anchor) next to format 3
  (one HPKE context seals many tokens), interleaved rounds with the spread; and
  the Python format-2 sealer on the same key;
* log4j2 cost for an ordinary (non-failure) INFO event on a JVM configured with a
  key: Spark's default pattern vs sparkseal's filter + %sm/%sex pattern, layout only
  and written out as the console appender does, and for a message no allow-list
  shape matches (sealed whole; median of 3 JVM runs, ``--log4j-only`` for just these);
* readability of a failing job's logs: the share of log lines that stay fully
  plaintext, and the plaintext canary copies, on stock PySpark and with sparkseal
  (the end-to-end leak application on local-cluster[2,1,1024], all cases).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sparkseal.core import keys
from sparkseal.core.token import Sealer
from sparkseal.jvm import jar_path, pyspark_jars

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def java(*args: str) -> str:
    cp = f"{jar_path()}:{pyspark_jars()}/*"
    proc = subprocess.run(
        ["java", "-cp", cp, "io.sparkseal.SealTool", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def _spread(num: list[float], den: list[float]) -> str:
    ratios = sorted(a / b for a, b in zip(num, den, strict=True))
    return f"{statistics.median(ratios):.1f}x ({ratios[0]:.1f}-{ratios[-1]:.1f})"


def bench_tokens(seconds: float) -> None:
    """Java: format 3 vs format 2 (single-shot HPKE, the raw anchor) in interleaved rounds."""
    key = keys.generate()
    with tempfile.TemporaryDirectory() as tmp:
        pub, priv = Path(tmp) / "pub.txt", Path(tmp) / "key.txt"
        pub.write_text(key.public.to_text())
        priv.write_text(key.to_text())
        out = java("bench-formats", str(pub), str(priv), str(seconds))
    rows: dict[str, tuple[list[float], list[float]]] = {"seal": ([], []), "open": ([], [])}
    for line in out.splitlines():
        op, f2, f3 = line.split()
        rows[op][0].append(float(f2))
        rows[op][1].append(float(f3))
    print("Java tokens/s on one thread (median of 5 interleaved rounds; ratio median (min-max)):")
    for op, (f2, f3) in rows.items():
        print(
            f"  {op}: single-shot HPKE (format 2) {statistics.median(f2):,.0f}, "
            f"format 3 {statistics.median(f3):,.0f}, format 3 / single-shot {_spread(f3, f2)}"
        )
    sealer, msg = Sealer(key.public), "[CAST_INVALID_INPUT] The value 'alan.turing@example.net'"
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 3:
        for _ in range(100):
            sealer.seal(msg)
        n += 100
    py_rate = n / (time.perf_counter() - start)
    print(
        f"  Python format 2 on the same key: {py_rate:,.0f} tokens/s "
        f"(Java format 2 / Python format 2 {statistics.median(rows['seal'][0]) / py_rate:.2f})"
    )


LOG4J_CASES = {
    "ordinary": "ordinary INFO event (allow-listed, printed readable), layout only",
    "written": "ordinary INFO event, written per event like the console appender",
    "unlisted": "INFO event no shape matches (sealed whole, one token), layout only",
}


def bench_log4j(seconds: float, runs: int = 3) -> None:
    """Spark's pattern vs sparkseal's on a JVM configured with a key, ``runs`` JVMs."""
    key = keys.generate()
    rows: dict[str, list[tuple[float, float]]] = {mode: [] for mode in LOG4J_CASES}
    with tempfile.TemporaryDirectory() as tmp:
        pub = Path(tmp) / "pub.txt"
        pub.write_text(key.public.to_text())
        for _ in range(runs):
            for line in java("layout-bench", str(seconds), str(pub)).splitlines():
                mode, spark, sealed = line.split()
                rows[mode].append((float(spark), float(sealed)))
    for mode, pairs in rows.items():
        ratios = [sealed / spark for spark, sealed in pairs]
        med = statistics.median(ratios)
        print(
            f"log4j2, {LOG4J_CASES[mode]}: Spark {statistics.median(a for a, _ in pairs):,.0f}/s, "
            f"sparkseal {statistics.median(b for _, b in pairs):,.0f}/s; sparkseal/Spark "
            f"{med:.4f} (overhead {100 * (1 / med - 1):+.1f}%; "
            f"runs {[f'{r:.4f}' for r in ratios]})"
        )


def _shares(run: Path, app_id: str) -> dict[str, tuple[int, int, int]]:
    from tests.e2e.artifacts import SPARK_HOME

    manifest = json.loads((run / "manifest.json").read_text())
    canaries = list(manifest["cases"].values())
    surfaces = {
        "driver stderr": (run / "driver.stderr").read_text(errors="replace"),
        "executor stderr": "".join(
            Path(p).read_text(errors="replace")
            for p in glob.glob(f"{SPARK_HOME}/work/{app_id}/*/stderr")
        ),
    }
    out = {}
    for name, text in surfaces.items():
        lines = text.splitlines()
        plain = sum("[SEALED:" not in ln and "[WITHHELD" not in ln for ln in lines)
        leaks = sum(text.count(c) for c in canaries)
        out[name] = (len(lines), plain, leaks)
    return out


def bench_readability(policy: Path) -> None:
    from tests.e2e.artifacts import run_app

    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("stock PySpark", ("--no-seal",)), ("sparkseal", ())):
            run = run_app(
                Path(tmp) / label.replace(" ", "-"),
                policy,
                "local-cluster[2,1,1024]",
                "all",
                *extra,
            )
            for surface, (total, plain, leaks) in _shares(run.out, run.manifest["app_id"]).items():
                share = 100 * plain / total
                print(
                    f"{label:14s} {surface:16s} {total:6d} lines, {share:5.1f}% fully plaintext, "
                    f"{leaks} plaintext canary copies"
                )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--skip-spark", action="store_true", help="skip the readability runs (~3 min)")
    p.add_argument("--tokens-only", action="store_true", help="only the token measurements")
    p.add_argument("--log4j-only", action="store_true", help="only the log4j2 layout runs")
    p.add_argument("--runs", type=int, default=3, help="log4j2 layout JVM runs (median)")
    args = p.parse_args()
    if args.log4j_only:
        bench_log4j(args.seconds, args.runs)
        return
    bench_tokens(args.seconds)
    if args.tokens_only:
        return
    bench_log4j(args.seconds, args.runs)
    if not args.skip_spark:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        with tempfile.TemporaryDirectory() as tmp:
            key = keys.generate()
            keys.write_pair(key, tmp)
            policy = Path(tmp) / "sparkseal.toml"
            policy.write_text('[seal]\npublic_key = "sparkseal.pub"\n')
            bench_readability(policy)


if __name__ == "__main__":
    main()
