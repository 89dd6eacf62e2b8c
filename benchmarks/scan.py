"""``sparkseal scan`` throughput: Hyperscan engine, RE2 engine and ``grep -E``, side by side.

    .venv/bin/python benchmarks/scan.py [--mb 100] [--rounds 3] [--log FILE]

Scans the synthetic IP-dense Spark log of ``benchmarks/seal.py`` (same
generator, same seed; or ``--log``) with all detectors and one canary, on one
process (``jobs=1``), in interleaved rounds: the one-pass Hyperscan engine, the
RE2 engine (the fallback, and the scanner before issue 17), and GNU ``grep -E``
with the same patterns, as close as POSIX ERE allows:

* ``(?:...)`` becomes ``(...)``; ``\\b`` is GNU grep's extension.
* IPv4's lookbehind and lookahead cannot be written in ERE: the pattern consumes
  the separator before and the byte(s) after instead, so two addresses sharing
  one separator count once; grep's leftmost-longest matching may also pick other
  spans than RE2's leftmost-first.
* grep does no validation (Luhn, mod-97, SSN and phone rules, octet range), no
  counting of distinct values and no skipping of sealed tokens: it does less.

``grep -E -o`` prints every match (the scanner's work: every occurrence), into a
file; ``grep -E -c`` only counts matching lines (it may stop at a line's first
match) and is shown for reference. ``LC_ALL=C``: bytes, as the scanner reads.
Rates are MB/s of wall time and of CPU time (the machine may be shared: CPU
time moves less); per-round ratios are taken within a round.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seal import synthetic_log  # the log benchmarks/seal.py scanned

from sparkseal.scan import prefilter
from sparkseal.scan.detectors import KINDS
from sparkseal.scan.scanner import Scanner

CANARY = "alan.turing@example.net"
ERE = [
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    r"\b([2-6][0-9]{3}|1800|0604)([ -]?[0-9]){8,15}\b",
    r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b",
    r"(\+[0-9]{1,3}[ .-]?)?(\([0-9]{3}\)|\b[0-9]{3})[ .-][0-9]{3}[ .-][0-9]{4}\b",
    r"\+[0-9]{1,3}([ .-][0-9]{1,4}){2,5}\b",
    r"\b[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,3})?\b",
    r"(^|[^0-9.A-Za-z_-])[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}([^0-9.]|\.[^0-9A-Za-z]|\.?$)",
    r"alan\.turing@example\.net",
]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_scanner(log: Path, engine: str) -> tuple[float, float, int]:
    """(wall s, CPU s, findings) of one single-process scan."""
    scanner = Scanner(canaries=[CANARY], kinds=KINDS, jobs=1, engine=engine)
    w, c = time.perf_counter(), time.process_time()
    report = scanner.scan([log])
    return time.perf_counter() - w, time.process_time() - c, len(report.findings)


def run_grep(log: Path, mode: str, out: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, output lines) of ``grep -E -o`` or ``-c`` into a file."""
    cmd = ["grep", "-E", mode, *(a for p in ERE for a in ("-e", p)), str(log)]
    env = {**os.environ, "LC_ALL": "C"}
    c = _children_cpu()
    w = time.perf_counter()
    with out.open("wb") as fh:
        subprocess.run(cmd, stdout=fh, env=env, check=False)
    wall = time.perf_counter() - w
    cpu = _children_cpu() - c
    with out.open("rb") as fh:
        lines = sum(1 for _ in fh) if mode == "-o" else int(fh.read() or 0)
    return wall, cpu, lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--mb", type=int, default=100, help="size of the synthetic log")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    p.add_argument("--log", type=Path, help="scan this file instead of a synthetic log")
    args = p.parse_args()
    if not prefilter.available():
        sys.exit("the hyperscan wheel is not installed: nothing to compare")
    with tempfile.TemporaryDirectory() as tmp:
        log = args.log or Path(tmp) / "spark.log"
        if args.log is None:
            synthetic_log(log, args.mb)
        size = log.stat().st_size
        out = Path(tmp) / "grep.out"
        runs = {
            "hyperscan": lambda: run_scanner(log, "hyperscan"),
            "re2": lambda: run_scanner(log, "re2"),
            "grep -E -o": lambda: run_grep(log, "-o", out),
            "grep -E -c": lambda: run_grep(log, "-c", out),
        }
        runs["hyperscan"]()  # compile and warm the page cache
        res: dict[str, list[tuple[float, float, int]]] = {k: [] for k in runs}
        for _ in range(args.rounds):
            for name, fn in runs.items():
                res[name].append(fn())
        print(f"scan of {size / 1e6:.0f} MB ({log.name}), one process, all detectors + 1 canary")
        head = f"{'MB/s wall: median (min-max)':>30}{'MB/s CPU: median (min-max)':>30}"
        print(f"{'':<12}{head}  found")
        for name, rs in res.items():
            ws = [size / w / 1e6 for w, _, _ in rs]
            cs = [size / c / 1e6 for _, c, _ in rs]
            print(
                f"{name:<12}{statistics.median(ws):>12,.0f} ({min(ws):,.0f}-{max(ws):,.0f})"
                f"{statistics.median(cs):>16,.0f} ({min(cs):,.0f}-{max(cs):,.0f})  {rs[-1][2]:,}"
            )
        print("per-round ratios (wall; CPU), median (min-max):")
        a = "hyperscan"
        for b in ("re2", "grep -E -o", "grep -E -c"):
            for i, what in ((0, "wall"), (1, "CPU")):
                r = [y[i] / x[i] for x, y in zip(res[a], res[b], strict=True)]
                print(
                    f"  {a} / {b} ({what}): {statistics.median(r):.2f} ({min(r):.2f}-{max(r):.2f})"
                )
        print(
            f"findings (distinct values) by the scanner: {res['hyperscan'][-1][2]} (hyperscan), "
            f"{res['re2'][-1][2]} (re2); grep -o lines: {res['grep -E -o'][-1][2]:,}"
        )


if __name__ == "__main__":
    main()
