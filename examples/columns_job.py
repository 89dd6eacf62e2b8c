"""Sensitive columns per role: the demo's customers as an analyst, support and fraud see them.

Writes the customers (with SSNs, card numbers and a free-text note) to Parquet for
``sparkseal discover``, then prints ``sparkseal.protect`` per role and
``sparkseal.unprotect`` for the fraud team. The rules come from the policy's
``[protect]`` section; run it through ``sealed_errors_demo.py``, or on its own:

    SPARKSEAL_POLICY=demo-out/sparkseal.toml python examples/columns_job.py OUT.parquet
"""

from __future__ import annotations

import sys

import sparkseal

CUSTOMERS = [
    ("c-001", "ada.lovelace@example.com", "078-05-1120", "4111 1111 1111 1111", "VIP"),
    ("c-002", "grace.hopper@example.org", "219-09-9999", "5555555555554444", "call 415-555-0134"),
    ("c-003", "alan.turing@example.net", "457-55-5462", "378282246310005", "cc ada@example.com"),
]


def main(out: str) -> None:
    spark = sparkseal.session(
        "columns-demo", **{"spark.master": "local[*]", "spark.ui.showConsoleProgress": "false"}
    )
    try:
        df = spark.createDataFrame(
            CUSTOMERS, "id string, email string, ssn string, card string, note string"
        )
        df.write.mode("overwrite").parquet(out)
        for role in ("analyst", "support", "fraud", "intern"):
            print(f"\nsparkseal.protect(df, {role!r}):")
            sparkseal.protect(df, role).show(truncate=28)
        print("sparkseal.unprotect(protect(df, 'fraud'), 'fraud'):")
        sparkseal.unprotect(sparkseal.protect(df, "fraud"), "fraud").show(truncate=28)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo-out/customers.parquet")
