"""How readable the logs of a normal job stay: the share of fully plaintext lines.

Runs ``normal_job.py`` hardened on ``local-cluster[2,1,1024]`` (separate executor JVMs, INFO
level) and counts, over the driver's stderr and every executor's stderr, the lines that hold
no sealed token. ``--policy`` names the policy (its public key is used); run it at two
commits to compare. Usage::

    python benchmarks/log_readability.py --policy sparkseal.toml
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from pyspark.find_spark_home import _find_spark_home

JOB = Path(__file__).with_name("normal_job.py")


def share(lines: list[str]) -> tuple[int, int]:
    plain = sum("[SEALED:" not in line and "[WITHHELD" not in line for line in lines)
    return plain, len(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--policy", required=True)
    p.add_argument("--master", default="local-cluster[2,1,1024]")
    args = p.parse_args()
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    proc = subprocess.run(
        [sys.executable, str(JOB), args.master, "--policy", args.policy],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=900,
    )
    app = next(ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("APP "))
    work = Path(_find_spark_home()) / "work" / app
    executor = [ln for f in work.rglob("stderr") for ln in f.read_text().splitlines()]
    driver = proc.stderr.splitlines()
    for name, lines in (("driver", driver), ("executors", executor), ("all", driver + executor)):
        plain, total = share(lines)
        print(f"{name}: {plain}/{total} lines fully plaintext ({100 * plain / max(total, 1):.1f}%)")


if __name__ == "__main__":
    main()
