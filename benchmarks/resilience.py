"""The issue's two resilience numbers, side by side in one run:

1. the time to finish a ~1 GB shuffle job with one executor SIGKILLed mid-stage, vs the
   clean run (``resilience_chaos.py``: one ``local-cluster[2,1,1024]`` application;
   after ``--warmup`` untimed clean runs, clean and killed runs interleaved ``--repeats``
   times; median, min and max of the per-pair ratios, and whether every pair's outputs
   were equal);
2. the idempotent PostgreSQL sink's rows per second vs a plain JDBC-like append (batched
   INSERTs) and vs COPY (``resilience_sinks.py``: local[2], a throwaway PostgreSQL
   server; goal >= 0.7x the JDBC-like append).

    .venv/bin/python benchmarks/resilience.py [--gb 1.0] [--repeats 3] [--warmup 1]
                                [--rows 500000] [--batches 3] [--only kill|sink]

Each part is its own Spark application, run one after the other as a subprocess (2
cores: never two applications at once). Prints each part's JSON and then a summary.
Exit code 1 when a part fails or a killed run's output differs from its clean run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _last_json(text: str) -> dict:
    """The last JSON object printed (the parts print one, possibly over several lines)."""
    decoder = json.JSONDecoder()
    found = None
    for i, ch in enumerate(text):
        if ch == "{" and (i == 0 or text[i - 1] == "\n"):
            try:
                found, _ = decoder.raw_decode(text[i:])
            except ValueError:
                continue
    if found is None:
        raise ValueError("no JSON result in the output")
    return found


def _run(script: str, *args: str) -> dict:
    env = {**os.environ, "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    t = time.monotonic()
    proc = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True,
                          text=True, env=env, check=False, cwd=HERE.parent)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"{script} failed (exit code {proc.returncode})")
    result = _last_json(proc.stdout)
    result["wall_s"] = round(time.monotonic() - t, 1)
    return result


def kill_summary(r: dict) -> dict:
    ratios = [f / c for f, c in zip(r["faulted_s"], r["clean_s"], strict=True)]
    return {
        "pairs": len(ratios),
        "clean_s": [round(s, 1) for s in r["clean_s"]],
        "killed_s": [round(s, 1) for s in r["faulted_s"]],
        "ratios": [round(x, 2) for x in ratios],
        "median_ratio": round(statistics.median(ratios), 2),
        "min_ratio": round(min(ratios), 2),
        "max_ratio": round(max(ratios), 2),
        "outputs_equal": all(r["outputs_equal"]),
        "executors_removed": r["executors_removed"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gb", type=float, default=1.0, help="size of the kill benchmark's job")
    ap.add_argument("--repeats", type=int, default=3, help="clean/killed pairs (interleaved)")
    ap.add_argument("--delay", type=float, default=3.0, help="seconds into the map task")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed clean runs before the pairs (the first run pays warm-up)")
    ap.add_argument("--rows", type=int, default=500_000, help="rows per sink batch")
    ap.add_argument("--batches", type=int, default=3, help="sink batches per method")
    ap.add_argument("--only", choices=("kill", "sink"), help="run one part only")
    args = ap.parse_args()

    summary: dict = {}
    failed = False
    if args.only in (None, "kill"):
        r = _run("resilience_chaos.py", "--gb", str(args.gb), "--repeats", str(args.repeats),
                 "--delay", str(args.delay), "--warmup", str(args.warmup))
        print(json.dumps({"kill": r}))
        summary["executor_killed_vs_clean"] = kill_summary(r)
        failed |= not summary["executor_killed_vs_clean"]["outputs_equal"]
    if args.only in (None, "sink"):
        r = _run("resilience_sinks.py", "--rows", str(args.rows), "--batches",
                 str(args.batches))
        print(json.dumps({"sink": r}))
        summary["postgres_sink_vs_append"] = {
            k: r[k] for k in ("rows_per_batch", "batches", "copy_rows_per_s",
                              "jdbc_like_rows_per_s", "sparkseal_rows_per_s",
                              "ratio_to_jdbc_like", "ratio_to_copy", "replay_noop_s")
        }
        summary["postgres_sink_vs_append"]["goal_met"] = r["ratio_to_jdbc_like"] >= 0.7
    print(json.dumps({"summary": summary}, indent=2))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
