"""A labelled synthetic PII dataset (Faker, seeded) to measure detectors honestly.

Each row is ``(value, label)``: a structured entity as a whole value, the same
embedded in a sentence, or a near-miss labelled ``none`` -- Luhn-invalid card
numbers, SSNs with area 000/666/9xx, IBANs with wrong check digits, octets over
255, emails without a domain, 7-digit phone numbers, dates, ids and prices.
Needs ``faker`` (``pip install 'sparkseal[test]'``).
"""

from __future__ import annotations

import random
from collections.abc import Callable

STRUCTURED = ("email", "card", "ssn", "iban", "ipv4", "phone")
SENTENCES = (
    "Please contact {} about the refund.",
    "customer note: value={} (verified)",
    "Forwarded from {}; see ticket #4821",
    "{} was updated on 2024-03-02 by ops",
)


def _flip_last_digit(value: str) -> str:
    i = max(i for i, c in enumerate(value) if c.isdigit())
    return value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :]


def _near_misses(fake, rng: random.Random) -> list[Callable[[], str]]:
    def bad_ssn() -> str:
        area, group, serial = rng.randint(1, 899), rng.randint(1, 99), rng.randint(1, 9999)
        kind = rng.randrange(5)
        area = (0, 666, rng.randint(900, 999), area, area)[kind]
        group = 0 if kind == 3 else group
        serial = 0 if kind == 4 else serial
        return f"{area:03d}-{group:02d}-{serial:04d}"

    def bad_iban() -> str:
        iban = fake.iban()
        check = (int(iban[2:4]) + rng.randint(1, 96)) % 97
        return f"{iban[:2]}{max(check, 2):02d}{iban[4:]}"

    def bad_ip() -> str:
        octets = [str(rng.randint(0, 255)) for _ in range(4)]
        kind = rng.randrange(3)
        if kind == 0:
            octets[rng.randrange(4)] = str(rng.randint(256, 999))
        elif kind == 1:
            octets = octets[:3]
        else:
            octets.append(str(rng.randint(0, 9)))
        return ".".join(octets)

    def bad_email() -> str:
        user = fake.user_name()
        return rng.choice(
            [
                f"{user}@localhost",
                f"{user}@",
                f"@{fake.domain_name()}",
                f"{user} at example dot com",
            ]
        )

    def bad_phone() -> str:
        def part(first: int, last: int, digits: int) -> str:
            return f"{rng.randint(first, last)}" + "".join(
                str(rng.randint(0, 9)) for _ in range(digits - 1)
            )

        seven = f"{part(2, 9, 3)}-{part(0, 9, 4)}"
        area_0_1 = f"{part(0, 1, 3)}-{part(2, 9, 3)}-{part(0, 9, 4)}"
        exchange_0_1 = f"{part(2, 9, 3)}-{part(0, 1, 3)}-{part(0, 9, 4)}"
        return rng.choice([seven, area_0_1, exchange_0_1])

    return [
        lambda: _flip_last_digit(fake.credit_card_number()),
        bad_ssn,
        bad_iban,
        bad_ip,
        bad_email,
        bad_phone,
        lambda: fake.date(),
        lambda: fake.uuid4(),
        lambda: f"ORD-{rng.randint(10000, 99999)}",
        lambda: f"${rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
        lambda: fake.zipcode(),
        lambda: str(rng.randint(1_600_000_000_000, 1_800_000_000_000)),  # epoch ms
        lambda: fake.sentence(),
        lambda: fake.name(),
    ]


def labelled_values(n_per_entity: int = 2000, seed: int = 5) -> list[tuple[str, str]]:
    """``(value, label)`` pairs: per entity ``n`` whole values and ``n/2`` in sentences,
    plus as many near-misses (whole and in sentences) as all positives together."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    make = {
        "email": fake.email,
        "card": fake.credit_card_number,
        "ssn": fake.ssn,
        "iban": fake.iban,
        "ipv4": fake.ipv4,
        "phone": fake.phone_number,
    }
    rows: list[tuple[str, str]] = []
    for label in STRUCTURED:
        rows += [(make[label](), label) for _ in range(n_per_entity)]
        rows += [
            (rng.choice(SENTENCES).format(make[label]()), label) for _ in range(n_per_entity // 2)
        ]
    misses = _near_misses(fake, rng)
    for i in range(len(rows)):
        value = misses[i % len(misses)]()
        rows.append((rng.choice(SENTENCES).format(value) if i % 3 == 0 else value, "none"))
    rng.shuffle(rows)
    return rows


def precision_recall(
    rows: list[tuple[str, str]], predicted: list[set[str]]
) -> dict[str, dict[str, float]]:
    """Per entity: precision, recall and counts, from ground-truth labels and predicted sets."""
    out = {}
    for entity in STRUCTURED:
        tp = sum(
            1
            for (_, label), p in zip(rows, predicted, strict=True)
            if label == entity and entity in p
        )
        fp = sum(
            1
            for (_, label), p in zip(rows, predicted, strict=True)
            if label != entity and entity in p
        )
        positives = sum(1 for _, label in rows if label == entity)
        out[entity] = {
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / positives if positives else 0.0,
            "tp": tp,
            "fp": fp,
            "fn": positives - tp,
        }
    return out
