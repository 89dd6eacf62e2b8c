"""PII discovery: ``sparkseal.discover`` vs Presidio and scrubadub, speed and accuracy.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/discover.py [--rows 1000000] [--baseline-rows 20000]

Data: the labelled synthetic set of :mod:`sparkseal.discovery.synthetic` (Faker,
seeded: emails, card numbers, SSNs, IBANs, IPv4 addresses, phone numbers as whole
values and inside sentences, plus as many near-misses), in one string column.

* accuracy: precision and recall per entity of each tool on the labelled set;
* speed, in one Spark application (``local[*]``): ``discover()`` over ``--rows`` values
  (the set repeated), and each baseline over ``--baseline-rows`` values through a pandas
  UDF -- Presidio's AnalyzerEngine with its predefined pattern recognizers and a *blank*
  spaCy pipeline (no model weights can be downloaded here, so there is no NER), and
  scrubadub's default Scrubber. Rows/s are compared; the baselines run on fewer rows only
  because they are slow.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import pandas as pd  # module level: pandas_udf resolves the type hints here

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

PRESIDIO = {
    "EMAIL_ADDRESS": "email",
    "CREDIT_CARD": "card",
    "US_SSN": "ssn",
    "IBAN_CODE": "iban",
    "IP_ADDRESS": "ipv4",
    "PHONE_NUMBER": "phone",
}
SCRUBADUB = {
    "email": "email",
    "credit_card": "card",
    "social_security_number": "ssn",
    "phone": "phone",
}
_analyzer = None
_scrubber = None


def presidio_entities(value: str) -> list[str]:
    """Presidio's pattern recognizers on one value, with a blank spaCy pipeline (no NER)."""
    global _analyzer
    if _analyzer is None:
        import spacy
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        class BlankSpacy(SpacyNlpEngine):
            def load(self) -> None:
                self.nlp = {"en": spacy.blank("en")}

        logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # offline: uses its snapshot
        engine = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank"}])
        engine.load()
        registry = RecognizerRegistry()
        registry.load_predefined_recognizers(nlp_engine=engine, languages=["en"])
        _analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])
    found = _analyzer.analyze(value, language="en", entities=list(PRESIDIO))
    return sorted({PRESIDIO[r.entity_type] for r in found})


def scrubadub_entities(value: str) -> list[str]:
    global _scrubber
    if _scrubber is None:
        import scrubadub

        _scrubber = scrubadub.Scrubber()
    return sorted({SCRUBADUB[f.type] for f in _scrubber.iter_filth(value) if f.type in SCRUBADUB})


def as_pandas_udf(fn):
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("array<string>")
    def classify(values: pd.Series) -> pd.Series:
        return values.map(fn)

    return classify


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=1_000_000, help="values for discover()")
    p.add_argument("--baseline-rows", type=int, default=20_000, help="values for each baseline")
    p.add_argument("--per-entity", type=int, default=1000, help="labelled positives per entity")
    args = p.parse_args()

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    import sparkseal
    from sparkseal.conf import classpath_conf
    from sparkseal.discovery.discover import entities, register_detectors
    from sparkseal.discovery.synthetic import STRUCTURED, labelled_values, precision_recall

    rows = labelled_values(args.per_entity)
    builder = SparkSession.builder.master("local[*]").appName("bench-discover")
    for key, value in classpath_conf({}).items():
        builder = builder.config(key, value)
    spark = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    register_detectors(spark)
    labelled = spark.createDataFrame(
        [(i, v) for i, (v, _) in enumerate(rows)], "i long, value string"
    )
    labelled = labelled.repartition(os.cpu_count() or 2).cache()
    labelled.count()

    def repeated(n: int):
        copies = -(-n // len(rows))
        df = labelled.select("value", F.explode(F.sequence(F.lit(1), F.lit(copies))).alias("_"))
        return df.select("value").limit(n).cache()

    tools = {
        "sparkseal": lambda col: entities(col),
        "presidio": as_pandas_udf(presidio_entities),
        "scrubadub": as_pandas_udf(scrubadub_entities),
    }
    accuracy = {}
    for name, classify in tools.items():
        out = labelled.select("i", classify(F.col("value")).alias("e")).orderBy("i").collect()
        accuracy[name] = precision_recall(rows, [set(r.e) for r in out])

    speed = {}
    big = repeated(args.rows)
    big.count()
    sparkseal.discover(big.limit(10_000), sample=None)  # warm-up
    start = time.perf_counter()
    report = sparkseal.discover(big, sample=None)
    speed["sparkseal"] = (args.rows, time.perf_counter() - start)
    small = repeated(args.baseline_rows)
    small.count()
    for name in ("presidio", "scrubadub"):
        start = time.perf_counter()
        counts = (
            small.select(F.explode(tools[name](F.col("value"))).alias("e"))
            .groupBy("e")
            .count()
            .collect()
        )
        speed[name] = (args.baseline_rows, time.perf_counter() - start)
        assert counts, f"{name} found nothing"
    spark.stop()

    print(f"\nAccuracy on {len(rows):,} labelled values (precision / recall):")
    print(f"  {'entity':<8}" + "".join(f"{name:>22}" for name in tools))
    for entity in STRUCTURED:
        cells = []
        for name in tools:
            s = accuracy[name][entity]
            cells.append(
                f"{s['precision']:.3f} / {s['recall']:.3f}" if s["tp"] else "   not detected"
            )
        print(f"  {entity:<8}" + "".join(f"{c:>22}" for c in cells))
    print(f"\nSpeed ({os.cpu_count()} cores):")
    for name, (n, t) in speed.items():
        print(f"  {name:<10} {n:>10,} values {t:8.1f} s {n / t:>12,.0f} values/s")
    ours = speed["sparkseal"][0] / speed["sparkseal"][1]
    for name in ("presidio", "scrubadub"):
        theirs = speed[name][0] / speed[name][1]
        goal = " (goal >= 50)" if name == "presidio" else ""
        print(f"discover() vs {name}: {ours / theirs:.0f}x faster{goal}")
    print(f"(discover found: {', '.join(sorted({f.entity for f in report.findings}))})")


if __name__ == "__main__":
    main()
