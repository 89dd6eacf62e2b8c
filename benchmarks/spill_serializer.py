"""PySpark's spill serializer vs sparkseal's encrypted one, in one process, side by side.

    .venv/bin/python benchmarks/spill_serializer.py [--records 1000000] [--rounds 5]

Writes and reads the same records through PySpark's own spill serializer
(batched, zlib-compressed pickles) and through sparkseal's (the same, each frame
sealed with AES-256-GCM), alternating, and prints the median ratio. This isolates
the cost of the encryption from Spark's scheduling noise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from pyspark.serializers import AutoBatchedSerializer, CompressedSerializer, CPickleSerializer

from sparkseal.worker.spill import EncryptedSpillSerializer, SpillKeys


def round_trip(ser, records, path) -> float:
    start = time.perf_counter()
    with open(path, "wb") as f:
        ser.dump_stream(iter(records), f)
    with open(path, "rb") as f:
        n = sum(1 for _ in ser.load_stream(f))
    assert n == len(records)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    records = [(i % 1000, f"customer-{i:09d}@example.com") for i in range(args.records)]
    plain = AutoBatchedSerializer(CompressedSerializer(CPickleSerializer()))
    sealed = EncryptedSpillSerializer(keys=SpillKeys())
    path = os.path.join(tempfile.mkdtemp(), "spill")
    round_trip(plain, records[:10000], path)  # warm up
    round_trip(sealed, records[:10000], path)
    ratios, pt, st = [], [], []
    for _ in range(args.rounds):
        a = round_trip(plain, records, path)
        b = round_trip(sealed, records, path)
        pt.append(a)
        st.append(b)
        ratios.append(b / a)
    size = os.path.getsize(path) / 1e6
    print(f"{args.records:,} records, {size:.0f} MB on disk per round")
    print(
        f"PySpark plaintext spill: {statistics.median(pt):.2f} s, "
        f"sparkseal encrypted: {statistics.median(st):.2f} s"
    )
    print(
        f"encrypted / plaintext: {statistics.median(ratios):.3f} (rounds: "
        f"{', '.join(f'{r:.3f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
