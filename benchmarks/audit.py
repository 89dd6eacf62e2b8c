"""Audit trail throughput: appends per second on SQLite and PostgreSQL (batched and one
entry per append, each append signing a checkpoint), and the time to verify 1 M entries.

Goals (issue 12): >= 2,000 appends/s on SQLite with batching; verify 1 M entries in <= 30 s.

    python benchmarks/audit.py                    # everything (PostgreSQL if initdb exists)
    python benchmarks/audit.py --entries 200000   # a smaller verify run
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.postgres

from sparkseal.audit import AuditTrail, signing
from sparkseal.audit.verify import verify_trail


def entry(i: int) -> dict:
    """An AU-3-shaped entry of ~350 bytes (what, when, where, source, outcome, identity)."""
    return {
        "what": {
            "action": "query",
            "inputs": [f"s3://lake/sales/part-{i % 97}.parquet"],
            "outputs": ["crm.daily_totals"],
            "rows_written": i % 10007,
        },
        "when": f"2026-11-30T12:{(i // 60) % 60:02d}:{i % 60:02d}Z",
        "where": {"app_id": f"app-20261130120000-{i % 13:04d}", "host": "worker-3"},
        "source": "listener",
        "outcome": "success",
        "who": {"user": "etl", "policy": "9f2c41d0a7"},
    }


def appends_per_second(url: str, key: Path, batch: int, total: int) -> float:
    with AuditTrail.open(url, signing_key=key, origin="bench/audit") as trail:
        start = time.perf_counter()
        for i in range(0, total, batch):
            trail.append([entry(j) for j in range(i, min(i + batch, total))])
        return total / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000, help="verify run size")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sparkseal-bench-audit-"))
    pub, key = signing.write_pair(signing.generate("bench/audit"), tmp / "keys")
    verifier = signing.load_verifier(pub)

    stores = {"sqlite": lambda name: f"sqlite:///{tmp / name}.db"}
    cluster = None
    if not args.no_postgres:
        from tests.postgres import Cluster, binaries_missing, new_database

        if binaries_missing() is None:
            cluster = Cluster(fsync=True)  # durable commits, as a real server
            stores["postgresql"] = lambda _name: new_database(cluster.url)
        else:
            print("postgresql: skipped,", binaries_missing())
    try:
        print("appends/s (each append signs a checkpoint; SQLite WAL, synchronous=NORMAL;")
        print("PostgreSQL 15 local, fsync on)")
        for kind, make in stores.items():
            for batch, total in ((1, 2000), (10, 10000), (100, 50000), (1000, 100000)):
                rate = appends_per_second(make(f"{kind}-{batch}"), key, batch, total)
                print(f"  {kind:10s} batch {batch:5d}: {rate:10,.0f} entries/s")

        n = args.entries
        url = stores["sqlite"]("verify")
        start = time.perf_counter()
        rate = appends_per_second(url, key, 1000, n)
        print(
            f"\nbuilt {n:,} entries on SQLite in {time.perf_counter() - start:.1f} s "
            f"({rate:,.0f}/s, batches of 1000, {n // 1000} checkpoints)"
        )
        with AuditTrail.open(url, read_only=True) as trail:
            start = time.perf_counter()
            report = verify_trail(trail, pub=verifier)
            took = time.perf_counter() - start
        assert report.ok and report.size == n, report.problems
        print(
            f"verify {n:,} entries (SQLite): {took:.1f} s "
            f"({report.signatures_checked} checkpoint signatures checked)"
        )
        size = Path(url.removeprefix("sqlite:///")).stat().st_size
        print(f"store file: {size / 1e6:.0f} MB ({size / n:.0f} bytes/entry)")
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
