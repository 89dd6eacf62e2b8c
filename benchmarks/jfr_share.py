"""Where a JVM's time went: the share of Java Flight Recorder samples per part of the preset.

    .venv/bin/python benchmarks/jfr_share.py RECORDING.jfr [RECORDING.jfr ...]

Reads the ``jdk.ExecutionSample`` events (``jfr print --json``, the JDK's own tool) of
recordings made by ``benchmarks/terasort.py --jfr DIR`` and prints, per recording, the
share of samples whose stack holds a frame of each part: the JDK's AES, Spark's I/O and
RPC encryption, sparkseal, log4j2; then the most frequent leaf frames.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys

PRINT = ["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample"]
PARTS = {
    "JDK AES (com.sun.crypto.provider)": "com.sun.crypto.provider.",
    "commons-crypto streams (I/O encryption)": "org.apache.commons.crypto.",
    "RPC encryption and auth (spark.network.crypto)": "org.apache.spark.network.crypto.",
    "sparkseal": "io.sparkseal.",
    "log4j2": "org.apache.logging.log4j.",
}


def stacks(recording: str) -> list[list[str]]:
    """Each execution sample's stack, leaf first, as ``package.Class.method`` names."""
    out = subprocess.run(
        [*PRINT, recording],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = []
    for event in json.loads(out)["recording"]["events"]:
        trace = event["values"].get("stackTrace") or {"frames": []}
        result.append(
            [
                f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}"
                for f in trace["frames"]
            ]
        )
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("recordings", nargs="+", metavar="RECORDING.jfr")
    p.add_argument("--top", type=int, default=10, help="leaf frames to list")
    args = p.parse_args()
    if shutil.which("jfr") is None:
        sys.exit("jfr_share: the JDK's `jfr` tool is not on PATH")
    for recording in args.recordings:
        try:
            samples = stacks(recording)
        except (subprocess.CalledProcessError, json.JSONDecodeError, KeyError) as exc:
            sys.exit(f"jfr_share: cannot read {recording}: {type(exc).__name__}")
        n = max(len(samples), 1)
        print(f"{recording}: {len(samples)} execution samples")
        for part, prefix in PARTS.items():
            k = sum(any(name.startswith(prefix) for name in s) for s in samples)
            print(f"  {part:48s} {k:6d}  {100 * k / n:5.2f} %")
        leaves = collections.Counter(s[0] for s in samples if s)
        for name, k in leaves.most_common(args.top):
            print(f"  leaf {100 * k / n:5.2f} %  {name}")


if __name__ == "__main__":
    main()
