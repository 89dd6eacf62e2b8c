"""Column protection: ``protect()`` vs the same rules as Python UDFs vs no protection.

    .venv/bin/python benchmarks/protect.py [--rows 5000000] [--repeat 2]

One Spark application (``local[*]``), one generated table of customers (email, SSN,
card number, phone, date of birth, amount), each variant written to Parquet in turn:

* ``plain``: the columns as they are (the baseline: writing unprotected columns);
* ``masking``: ``protect()`` with masking-only rules (partial, redact, generalize);
* ``keyed``: ``protect()`` with HMAC, deterministic tokens and AES-GCM (JVM expressions);
* ``python-udf``: the same keyed and masking rules as row-at-a-time Python UDFs (hmac and
  ``cryptography`` AES-GCM on the workers): what a team writes without sparkseal.

Each variant runs into two sinks: Parquet files (what a job pays, I/O included) and
Spark's ``noop`` sink (the same plan, computed and discarded: the rules' own cost).
Variants alternate and repeat ``--repeat`` times; the median wall time counts. Prints
rows/s and the ratios the goals are about.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

MASKING = [
    {"match": "email", "rules": {"r": {"rule": "partial", "keep_first": 1, "keep_last": 4}}},
    {"match": "ssn", "rules": {"r": {"rule": "partial", "keep_last": 4}}},
    {"match": "card", "rules": {"r": {"rule": "partial", "keep_last": 4, "by_class": True}}},
    {"match": "phone", "rules": {"r": "redact"}},
    {"match": "dob", "rules": {"r": {"rule": "generalize", "to": "year"}}},
    {"match": "amount", "rules": {"r": {"rule": "generalize", "to": "bucket", "size": 100}}},
]
KEYED = [
    {"match": "email", "rules": {"r": "hash"}},
    {"match": "ssn", "rules": {"r": "tokenize"}},
    {"match": "card", "rules": {"r": "encrypt"}},
    {"match": "phone", "rules": {"r": "hash"}},
    {"match": "dob", "rules": {"r": {"rule": "generalize", "to": "year"}}},
    {"match": "amount", "rules": {"r": {"rule": "generalize", "to": "bucket", "size": 100}}},
]


def customers(spark, rows: int):
    from pyspark.sql import functions as F

    i = F.col("id")
    return spark.range(rows).select(
        i.alias("id"),
        F.concat(F.lit("user"), i.cast("string"), F.lit("@example.com")).alias("email"),
        F.format_string("%03d-%02d-%04d", 100 + i % 800, 1 + i % 98, 1 + i % 9998).alias("ssn"),
        F.format_string("4%015d", i).alias("card"),
        F.format_string("(415)555-%04d", i % 10000).alias("phone"),
        F.date_add(F.lit("1950-01-01").cast("date"), (i % 20000).cast("int")).alias("dob"),
        ((i % 100000) / 7).alias("amount"),
    )


def python_udf_rules(df, pepper: bytes, token_key: bytes):
    """The keyed rules as Python UDFs, the way they are written without sparkseal."""
    import base64
    import hashlib
    import hmac

    from pyspark.sql.functions import udf

    @udf("string")
    def hash_(v):
        return None if v is None else hmac.new(pepper, v.encode(), hashlib.sha256).hexdigest()

    @udf("string")
    def tokenize(v):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if v is None:
            return None
        data = v.encode()
        iv = hmac.new(token_key, data, hashlib.sha256).digest()[:12]
        return (
            "tok1."
            + base64.urlsafe_b64encode(iv + AESGCM(token_key[:32]).encrypt(iv, data, None)).decode()
        )

    @udf("string")
    def encrypt(v):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if v is None:
            return None
        iv = os.urandom(12)
        return (
            "enc1."
            + base64.urlsafe_b64encode(
                iv + AESGCM(token_key[:32]).encrypt(iv, v.encode(), None)
            ).decode()
        )

    @udf("date")
    def year(d):
        return None if d is None else d.replace(month=1, day=1)

    @udf("double")
    def bucket(x):
        return None if x is None else (x // 100) * 100

    return df.select(
        "id",
        hash_("email").alias("email"),
        tokenize("ssn").alias("ssn"),
        encrypt("card").alias("card"),
        hash_("phone").alias("phone"),
        year("dob").alias("dob"),
        bucket("amount").alias("amount"),
    )


def timed_write(df, sink: str, out: Path) -> float:
    """Run the whole plan into ``sink``: Parquet files, or Spark's ``noop`` (compute only)."""
    start = time.perf_counter()
    writer = df.write.mode("overwrite")
    writer.parquet(str(out)) if sink == "parquet" else writer.format("noop").save()
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=5_000_000)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument(
        "--variants",
        default="plain,masking,keyed,python-udf",
        help="comma-separated subset to run (default: all); ratios need both of their variants",
    )
    p.add_argument("--sinks", default="parquet,noop", help="comma-separated: parquet, noop")
    args = p.parse_args()
    chosen = args.variants.split(",")

    from pyspark.sql import SparkSession

    import sparkseal
    from sparkseal.conf import classpath_conf

    work = Path(tempfile.mkdtemp(prefix="sparkseal-bench-protect-"))
    secrets = {name: work / name for name in ("pepper", "token")}
    for path in secrets.values():
        path.write_bytes(os.urandom(32).hex().encode())
    builder = SparkSession.builder.master("local[*]").appName("bench-protect")
    for key, value in classpath_conf({}).items():
        builder = builder.config(key, value)
    spark = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    pub = sparkseal.generate_key().public.to_text()

    def policy(columns):
        protect = {"pepper": f"file:{secrets['pepper']}", "token_key": f"file:{secrets['token']}"}
        return {"seal": {"public_key": pub}, "protect": {**protect, "columns": columns}}

    source = work / "source"
    customers(spark, args.rows).write.parquet(str(source))
    df = spark.read.parquet(str(source))
    pepper, token = (secrets[n].read_bytes() for n in ("pepper", "token"))
    variants = {
        "plain": lambda: df,
        "masking": lambda: sparkseal.protect(df, "r", policy(MASKING)),
        "keyed": lambda: sparkseal.protect(df, "r", policy(KEYED)),
        "python-udf": lambda: python_udf_rules(df, pepper, token),
    }
    variants = {name: make for name, make in variants.items() if name in chosen}
    for make in variants.values():
        timed_write(make(), "noop", work)  # JIT, function registration
    sinks = tuple(args.sinks.split(","))
    times = {(name, sink): [] for name in variants for sink in sinks}
    for r in range(args.repeat):
        for sink in sinks:
            for name, make in variants.items():
                t = timed_write(make(), sink, work / f"{name}-{r}")
                times[name, sink].append(t)
                print(f"  {name:<11} {sink:<8} run {r + 1}: {t:.1f} s", flush=True)
    spark.stop()

    median = {key: statistics.median(t) for key, t in times.items()}
    print(f"\n{args.rows:,} rows, {os.cpu_count()} cores, median of {args.repeat}")
    for sink in sinks:
        print(f"{sink} sink:")
        for name in variants:
            t = median[name, sink]
            print(f"  {name:<11} {t:7.1f} s  {args.rows / t:>12,.0f} rows/s")

    def ratio(a: str, b: str, sink: str) -> float:
        return median[a, sink] / median[b, sink]

    def have(*names: str) -> bool:
        return all(n in variants for n in names)

    for sink in sinks:
        if have("masking", "plain"):
            print(
                f"masking-only rules vs plain, {sink:<8} sink: "
                f"{ratio('masking', 'plain', sink):.3f}x time (goal <= 1.15 for parquet)"
            )
        if have("keyed", "plain"):
            print(
                f"keyed rules vs plain, {sink:<8} sink:        "
                f"{ratio('keyed', 'plain', sink):.3f}x time"
            )
        if have("python-udf", "keyed"):
            print(
                f"protect() vs Python UDFs, {sink:<8} sink:   "
                f"{ratio('python-udf', 'keyed', sink):.1f}x faster (goal >= 20)"
            )


if __name__ == "__main__":
    main()
