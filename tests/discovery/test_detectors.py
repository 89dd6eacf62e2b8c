"""The JVM detectors: the same verdicts as the Python scanner's validators, and the
precision/recall goal on a labelled synthetic dataset with near-misses."""

from __future__ import annotations

import random

import pytest
from pyspark.sql import functions as F

from sparkseal.discovery.discover import detect, entities, register_detectors
from sparkseal.discovery.synthetic import STRUCTURED, labelled_values, precision_recall
from sparkseal.scan import validators


@pytest.fixture(scope="module")
def spark_with_detectors(spark):
    register_detectors(spark)
    return spark


def _verdicts(spark, values: list[str]) -> list[list[str]]:
    df = spark.createDataFrame(list(enumerate(values)), "i int, v string")
    return [r.d for r in df.select("i", detect(F.col("v")).alias("d")).orderBy("i").collect()]


def _digit_strings(rng: random.Random, n: int) -> list[str]:
    prefixes = ["4", "34", "37", "51", "55", "2221", "2720", "6011", "65", "644", "35", "36",
                "300", "5018", "0604", "56", "6759", "2131", "1800", "3"]  # fmt: skip
    out = []
    for _ in range(n):
        p = rng.choice(prefixes)
        length = rng.randint(max(12, len(p) + 1), 19)
        body = p + "".join(str(rng.randint(0, 9)) for _ in range(length - len(p)))
        # half the numbers get a valid Luhn digit, so both verdicts are exercised
        if rng.random() < 0.5:
            for last in "0123456789":
                if validators.luhn_ok((body[:-1] + last).encode()):
                    body = body[:-1] + last
                    break
        out.append(body)
    return out


def test_jvm_validators_agree_with_the_scanner(spark_with_detectors):
    from faker import Faker

    rng = random.Random(11)
    fake = Faker("en_US")
    fake.seed_instance(11)
    cards = _digit_strings(rng, 600)
    ssns = [
        f"{rng.randint(0, 999):03d}-{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d}"
        for _ in range(400)
    ]
    ibans = [fake.iban() for _ in range(100)]
    ibans += [i[:2] + f"{(int(i[2:4]) + 1) % 100:02d}" + i[4:] for i in ibans]

    def digits(n: int) -> str:
        return "".join(str(rng.randint(0, 9)) for _ in range(n))

    phones = [f"({digits(3)}){digits(3)}-{digits(4)}" for _ in range(300)]
    cases = [("card", v, validators.card_ok) for v in cards]
    cases += [("ssn", v, validators.ssn_ok) for v in ssns]
    cases += [("iban", v, validators.iban_ok) for v in ibans]
    cases += [("phone", v, validators.phone_ok) for v in phones]
    verdicts = _verdicts(spark_with_detectors, [v for _, v, _ in cases])
    disagree = [
        (entity, value)
        for (entity, value, check), found in zip(cases, verdicts, strict=True)
        if (f"={entity}" in found) != check(value.encode())
    ]
    assert disagree == []
    # both verdicts occur for every entity, so agreement is not vacuous
    for entity in ("card", "ssn", "iban", "phone"):
        results = {
            f"={entity}" in d for (e, _, _), d in zip(cases, verdicts, strict=True) if e == entity
        }
        assert results == {True, False}, entity


def test_precision_and_recall_on_labelled_synthetic_data(spark_with_detectors):
    rows = labelled_values(n_per_entity=1000, seed=5)
    df = spark_with_detectors.createDataFrame(
        [(i, v) for i, (v, _) in enumerate(rows)], "i int, value string"
    )
    predicted = [
        set(r.e) for r in df.select("i", entities(F.col("value")).alias("e")).orderBy("i").collect()
    ]
    scores = precision_recall(rows, predicted)
    assert set(scores) == set(STRUCTURED)
    for entity, s in scores.items():
        assert s["precision"] >= 0.95, (entity, s)
        assert s["recall"] >= 0.95, (entity, s)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("born on 1980-05-17 in Leeds", {"date_of_birth"}),
        ("shipped on 1980-05-17", set()),
        ("mail jo@example.com or call (415)555-2671x12", {"email", "phone"}),
        ("card 4111 1111 1111 1111, ssn 123-45-6789", {"card", "ssn"}),
        ("IBAN GB82 WEST 1234 5698 7654 32 from 10.0.0.1", {"iban", "ipv4"}),
        ("version 1.2.3.4.5, build 4111111111111112, 000-12-3456", set()),
        ("", set()),
    ],
)
def test_free_text(spark_with_detectors, text, expected):
    [found] = _verdicts(spark_with_detectors, [text])
    assert {x for x in found if not x.startswith("=")} == expected


def test_null_stays_null(spark_with_detectors):
    df = spark_with_detectors.createDataFrame([(None,)], "v string")
    assert df.select(detect(F.col("v")).alias("d")).first().d is None
