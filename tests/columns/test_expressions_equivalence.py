"""Masking expressions give byte-identical output to the formulation they replaced.

``_reference_partial`` is a frozen copy of the first ``partial`` expression (``overlay`` of
the middle, ``mask()`` of the middle's substring for ``by_class``). Every rewrite of
:func:`sparkseal.columns.expressions._partial` for speed must agree with it on nulls, empty
strings, strings no longer than what is kept, non-ASCII and multibyte text, digits only and
mixed character classes, for every keep and mask character.
"""

from __future__ import annotations

import random

import pytest

from sparkseal.core import protection as p

FIXED = [
    None,
    "",
    "a",
    "ab",
    "abcd",
    "abcde",
    "0123456789",
    "4111111111111111",
    "user42@example.com",
    "(415)555-0134",
    "Ab1 -_.@",
    "\u00e9l\u00e8ve@\u00e9cole.fr",
    "\u6f22\u5b57\u304b\u306a\u30ab\u30ca",
    "\U0001f389\U0001f38a\U0001f38b\U0001f38c\U0001f38d",
    "e\u0301e\u0301e\u0301e\u0301",  # combining accents: one code point each
    "\u0130stanbul \u00df \u0391\u03b2\u03b3 \u0663\u0664",
    " \t\n ",
]
ALPHABET = "aZ09 -@.\u00e9\u00c9\u6f22\U0001f389\u0663_#"


def _reference_partial(rule: p.Partial, col):
    from pyspark.sql import functions as F

    s = col.cast("string")
    n = F.char_length(s)
    keep = rule.keep_first + rule.keep_last
    if rule.by_class:
        middle = F.mask(F.substring(s, F.lit(rule.keep_first + 1), n - keep))
        whole = F.mask(s)
    else:
        middle = F.repeat(F.lit(rule.mask_char), n - keep)
        whole = F.repeat(F.lit(rule.mask_char), n)
    return F.when(n > keep, F.overlay(s, middle, F.lit(rule.keep_first + 1), n - keep)).otherwise(
        whole
    )


@pytest.fixture(scope="module")
def values(spark):
    rng = random.Random()
    generated = ["".join(rng.choices(ALPHABET, k=rng.randrange(12))) for _ in range(400)]
    rows = [(i, v) for i, v in enumerate(FIXED + generated)]
    return spark.createDataFrame(rows, "i int, v string").cache()


RULES = [
    p.Partial(keep_first=kf, keep_last=kl, by_class=bc, mask_char=mc)
    for kf, kl in [(0, 0), (0, 4), (1, 4), (2, 0), (3, 3), (0, 1)]
    for bc in (False, True)
    for mc in ("*", "\u2022")
    if not (bc and mc != "*")
]


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_partial_is_byte_identical_to_the_reference(values, rule):
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    from sparkseal.columns.expressions import _partial

    v = F.col("v")
    out = values.select(
        "i",
        "v",
        _partial(rule, v, StringType()).alias("new"),
        _reference_partial(rule, v).alias("old"),
    ).collect()
    differ = [(r.v, r.new, r.old) for r in out if r.new != r.old]
    assert not differ, differ[:5]
    # Controls: nulls stay null, and the rule masks something (the comparison is not vacuous).
    assert all(r.new is None for r in out if r.v is None)
    assert sum(r.new != r.v for r in out if r.v) > len(out) // 2
