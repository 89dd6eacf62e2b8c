"""The gated write on real Spark: every check kind against a plain-Python oracle, the
quarantine, nothing lost or duplicated, no commit on failure, one read of the source
(Spark's own stage metrics), and samples that never show data in clear."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sparkseal.quality import QualityError, read_quarantine, write_checked

SCHEMA = "id int, name string, email string, amount int, country string, ts timestamp"
REF_CODES = ["DE", "FR"]
EMAIL_RE = r"^[^@ ]+@[^@ ]+\.[^@ ]+$"
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


def _rows() -> list[tuple]:
    """Ordinary, unicode, NULL-sprinkled and skewed rows (80 % of them in one country)."""
    names = ["Ada", "Zoë", "名前", "😀 smile", "Ωmega", None]
    rows = []
    for i in range(120):
        country = "DE" if i % 5 else ["FR", "日本", "XX", None][i // 5 % 4]
        email = None if i % 17 == 0 else (f"ü{i}@例え.jp" if i % 7 == 0 else f"user{i}@x.org")
        if i % 23 == 0:
            email = "not an email"
        amount = None if i % 13 == 0 else (i * 37) % 1300 - 100
        ts = None if i % 11 == 0 else datetime(2026, 5, 1) + timedelta(hours=i)
        rows.append((i // 3 if i % 4 else i + 1000, names[i % 6], email, amount, country, ts))
    rows.append(rows[5])  # an exact duplicate row
    return rows


def _checks(threshold: float = 1.0, severity: str = "error") -> list[dict]:
    common = {"threshold": threshold, "severity": severity}
    return [
        {"kind": "row_count", "name": "rows", "min": 0, "severity": severity},
        {"kind": "completeness", "name": "email_present", "column": "email", **common},
        {"kind": "uniqueness", "name": "id_unique", "key": "id", **common},
        {"kind": "uniqueness", "name": "name_country_unique", "key": ["name", "country"], **common},
        {"kind": "range", "name": "amount_range", "column": "amount", "min": 0, "max": 1000,
         **common},
        {"kind": "allowed_values", "name": "country_known", "column": "country",
         "values": ["DE", "FR", "日本"], **common},
        {"kind": "pattern", "name": "email_shape", "column": "email", "regex": EMAIL_RE, **common},
        {"kind": "referential", "name": "country_ref", "key": "country", "reference": None,
         "reference_key": "code", **common},
        {"kind": "freshness", "name": "fresh", "column": "ts", "max_age": "P60D",
         "severity": "warn"},
        {"kind": "freshness", "name": "stale", "column": "ts", "max_age": "P1D",
         "severity": "warn"},
        {"kind": "sql", "name": "amount_even", "expression": "amount % 2 = 0", **common},
    ]


def _with_ref(checks: list[dict], ref) -> list[dict]:
    return [{**c, "reference": ref} if c["kind"] == "referential" else c for c in checks]


def _oracle(rows: list[tuple]) -> dict[str, list[bool | None]]:
    """Per check, per row: True fails, False passes, None cannot judge (a NULL)."""
    ids = Counter(r[0] for r in rows if r[0] is not None)
    pairs = Counter((r[1], r[4]) for r in rows if r[1] is not None and r[4] is not None)

    def judge(value, fails):
        return None if value is None else fails(value)

    return {
        "email_present": [r[2] is None for r in rows],
        "id_unique": [judge(r[0], lambda v: ids[v] > 1) for r in rows],
        "name_country_unique": [
            None if r[1] is None or r[4] is None else pairs[(r[1], r[4])] > 1 for r in rows
        ],
        "amount_range": [judge(r[3], lambda v: not 0 <= v <= 1000) for r in rows],
        "country_known": [judge(r[4], lambda v: v not in ("DE", "FR", "日本")) for r in rows],
        "email_shape": [judge(r[2], lambda v: re.search(EMAIL_RE, v) is None) for r in rows],
        "country_ref": [judge(r[4], lambda v: v not in REF_CODES) for r in rows],
        "amount_even": [judge(r[3], lambda v: v % 2 != 0) for r in rows],
    }


def _ref(spark):
    return spark.createDataFrame([(c,) for c in REF_CODES], "code string")


def _tuples(df, columns) -> Counter:
    return Counter(tuple(r[c] for c in columns) for r in df.collect())


def test_every_kind_matches_python_and_nothing_is_lost(qspark, tmp_path):
    rows = _rows()
    df = qspark.createDataFrame(rows, SCHEMA).repartition(3)
    result = write_checked(
        df, _with_ref(_checks(), _ref(qspark)), output=str(tmp_path / "out"),
        quarantine=str(tmp_path / "q"), policy=False, as_of=AS_OF,
    )
    oracle = _oracle(rows)
    assert result.committed and result.passed and result.rows == len(rows)
    for name, verdicts in oracle.items():
        got = result.check(name)
        assert got.failing_rows == sum(v is True for v in verdicts), name
        assert got.null_rows == sum(v is None for v in verdicts), name
        assert got.value == pytest.approx(got.failing_rows / len(rows))
        assert got.failing_rows > 0, f"{name}: the data must exercise the check"
    assert result.check("name_country_unique").null_rows > 0  # NULL keys counted apart
    newest = max(r[5] for r in rows if r[5] is not None)
    fresh = result.check("fresh")
    # Naive timestamps are local time to Spark (session time zone) and to Python alike.
    assert fresh.value == pytest.approx((AS_OF - newest.astimezone(UTC)).total_seconds())
    assert fresh.passed and result.check("rows").value == len(rows)
    stale = result.check("stale")
    assert not stale.passed and stale.value == fresh.value  # a check that should fail, fails

    columns = ["id", "name", "email", "amount", "country", "ts"]
    expected_q = Counter()
    expected_valid = Counter()
    for i, row in enumerate(rows):
        failed = tuple(n for n in oracle if oracle[n][i] is True)
        (expected_q if failed else expected_valid)[(*row, failed)] += 1
    quarantine = read_quarantine(qspark, str(tmp_path / "q"))
    got_q = Counter(
        (*(r[c] for c in columns), tuple(r["failed_checks"])) for r in quarantine.collect()
    )
    assert got_q == expected_q
    output = qspark.read.parquet(str(tmp_path / "out"))
    assert output.columns == columns  # no bookkeeping column in the output
    assert Counter({(*k, ()): v for k, v in _tuples(output, columns).items()}) == expected_valid
    assert result.valid_rows == sum(expected_valid.values())
    assert result.quarantined_rows == sum(expected_q.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "q"]  # no staging left


def test_empty_and_all_null_data(qspark, tmp_path):
    empty = qspark.createDataFrame([], SCHEMA)
    checks = _with_ref(_checks(threshold=0.0), _ref(qspark))
    result = write_checked(empty, checks, output=str(tmp_path / "e"),
                           quarantine=str(tmp_path / "eq"), policy=False, as_of=AS_OF)
    assert result.rows == 0 and result.passed and result.committed
    assert all(c.failing_rows in (None, 0) for c in result.checks)
    assert not result.check("fresh").passed and result.check("fresh").value is None  # no data
    assert qspark.read.parquet(str(tmp_path / "e")).columns == empty.columns
    nothing = read_quarantine(qspark, str(tmp_path / "eq"))  # no failing row: still readable
    assert nothing.count() == 0 and nothing.columns == [*empty.columns, "failed_checks"]
    with pytest.raises(QualityError, match=r"SS801.*\brows\b"):
        write_checked(empty, [{"kind": "row_count", "name": "rows", "min": 1}],
                      output=str(tmp_path / "e2"), policy=False)
    assert not (tmp_path / "e2").exists()

    nulls = qspark.createDataFrame([(None,) * 6] * 5, SCHEMA)
    checks = [{**c, "severity": "warn"} if c["name"] == "email_present" else c for c in checks]
    result = write_checked(nulls, checks, output=str(tmp_path / "n"),
                           quarantine=str(tmp_path / "nq"), policy=False, as_of=AS_OF)
    assert result.check("email_present").value == 1.0
    assert [c.name for c in result.failed()] == ["email_present", "fresh", "stale"]
    for name in ("id_unique", "name_country_unique", "amount_range", "country_known",
                 "email_shape", "country_ref", "amount_even"):
        assert (result.check(name).null_rows, result.check(name).failing_rows) == (5, 0), name
    assert qspark.read.parquet(str(tmp_path / "n")).count() == 5  # warn: rows go on


def test_a_failed_error_check_commits_nothing_and_leaks_no_value(
    qspark, tmp_path, key_dir, opener, capfd, caplog
):
    canary = "canary.quality.7f3a@example.net"
    rows = [(1, "Ann", "a@x.org", 5, "DE", None), (2, "Bob", canary, 5000, "DE", None),
            (3, "Cy", None, 7, "FR", None)]
    df = qspark.createDataFrame(rows, SCHEMA)
    policy = {"seal": {"public_key": str(key_dir / "sparkseal.pub")},
              "quality": {"sample_rows": 3}}
    checks = [
        {"kind": "pattern", "name": "email_shape", "column": "email", "regex": "@x\\.org$"},
        {"kind": "range", "name": "amount_range", "column": "amount", "max": 1000},
        {"kind": "completeness", "name": "email_present", "column": "email", "threshold": 0.5},
        {"kind": "sql", "name": "positive", "expression": "amount > 0", "severity": "warn"},
    ]
    caplog.set_level(logging.INFO)
    with pytest.raises(QualityError) as info:
        write_checked(df, checks, output=str(tmp_path / "out"), quarantine=str(tmp_path / "q"),
                      policy=policy)
    message = str(info.value)
    assert message.startswith("SS801") and "email_shape" in message and "amount_range" in message
    assert "email_present" not in message and "positive" not in message
    assert list(tmp_path.iterdir()) == []  # no output, no quarantine, no staging
    result = info.value.result
    assert result is not None and not result.committed and result.samples == "sealed"
    report = result.to_json()
    assert json.loads(report)["passed"] is False
    sample = result.check("email_shape").samples
    assert len(sample) == 1
    assert json.loads(opener.open(sample[0]))["email"] == canary
    (null_email,) = result.check("email_present").samples  # passed, but has a failing row
    assert json.loads(opener.open(null_email))["email"] is None
    assert result.check("amount_range").samples and not result.check("positive").samples
    captured = capfd.readouterr()
    for text in (message, report, captured.out, captured.err, caplog.text, repr(result)):
        assert canary not in text
        assert "5000" not in text


def test_samples_protected_for_a_role_and_warn_goes_on(qspark, tmp_path, key_dir):
    canary = "canary.protect.91bc@example.net"
    df = qspark.createDataFrame([(1, "Ann", canary, -3, "DE", None)], SCHEMA)
    policy = {
        "seal": {"public_key": str(key_dir / "sparkseal.pub")},
        "protect": {"columns": [{"match": "email", "rules": {"qa": "redact"}}]},
        "quality": {"sample_role": "qa"},
    }
    result = write_checked(
        df, [{"kind": "range", "name": "amount_range", "column": "amount", "min": 0,
              "severity": "warn"}], output=str(tmp_path / "out"), policy=policy,
    )
    assert result.committed and result.passed and result.samples == "protected:qa"
    (sample,) = result.check("amount_range").samples
    assert sample["amount"] == -3 and sample["email"] != canary
    assert canary not in result.to_json()
    assert qspark.read.parquet(str(tmp_path / "out")).count() == 1  # a warn check keeps the row


def test_modes(qspark, tmp_path):
    df = qspark.createDataFrame([(1, "a", None, 5, "DE", None), (2, "b", None, -5, "DE", None)],
                                SCHEMA)
    checks = [{"kind": "range", "name": "r", "column": "amount", "min": 0, "threshold": 0.5}]
    out, q = str(tmp_path / "o"), str(tmp_path / "q")
    out2, q2 = str(tmp_path / "o2"), str(tmp_path / "q2")
    write_checked(df.where("amount > 0"), checks, output=out2, quarantine=q2, policy=False)
    assert read_quarantine(qspark, q2).count() == 0  # an empty quarantine, then appended to
    write_checked(df, checks, output=out2, quarantine=q2, policy=False, mode="append")
    assert read_quarantine(qspark, q2).count() == 1 and qspark.read.parquet(out2).count() == 2
    write_checked(df, checks, output=out, quarantine=q, policy=False)
    with pytest.raises(QualityError, match="SS804"):
        write_checked(df, checks, output=out, quarantine=q, policy=False)
    with pytest.raises(QualityError, match="SS804"):
        write_checked(df, checks, output=out, policy=False, mode="ignore")
    write_checked(df, checks, output=out, quarantine=q, policy=False, mode="append")
    assert qspark.read.parquet(out).count() == 2 and read_quarantine(qspark, q).count() == 2
    write_checked(df, checks, output=out, quarantine=q, policy=False, mode="overwrite")
    assert qspark.read.parquet(out).count() == 1 and read_quarantine(qspark, q).count() == 1
    with pytest.raises(QualityError, match="SS803"):
        write_checked(df, [{"kind": "completeness", "name": "c", "column": "nope"}],
                      output=str(tmp_path / "x"), policy=False)
    with pytest.raises(QualityError, match="SS803"):
        write_checked(df, [{"kind": "sql", "name": "s", "expression": "amount + 1"}],
                      output=str(tmp_path / "x"), policy=False)
    assert not (tmp_path / "x").exists()


def _stage_input(spark) -> dict[tuple[int, int], tuple[int, int]]:
    """(stage, attempt) -> (input bytes, input records), from Spark's own status store."""
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(30_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    out = {}
    for i in range(stages.size()):
        s = stages.apply(i)
        out[(s.stageId(), s.attemptId())] = (s.inputBytes(), s.inputRecords())
    return out


def _read_since(spark, before) -> tuple[int, int]:
    after = _stage_input(spark)
    new = [v for k, v in after.items() if k not in before]
    return sum(b for b, _ in new), sum(r for _, r in new)


def test_the_source_is_read_once(qspark, tmp_path):
    n = 40_000
    source = str(tmp_path / "source")
    (qspark.range(n, numPartitions=4)
        .selectExpr("id", "cast(id % 9973 as int) as k", "cast(id % 1000 as int) as amount",
                    "if(id % 50 = 0, null, concat('u', id, '@x.org')) as email")
        .write.parquet(source))
    ref = qspark.createDataFrame([(i,) for i in range(9000)], "k int")

    before = _stage_input(qspark)
    qspark.read.parquet(source).write.parquet(str(tmp_path / "plain"))
    plain_bytes, plain_records = _read_since(qspark, before)
    assert plain_records == n and plain_bytes > 0

    checks = [
        {"kind": "row_count", "name": "rows", "min": 1},
        {"kind": "uniqueness", "name": "id_unique", "key": "id"},
        {"kind": "uniqueness", "name": "k_amount_unique", "key": ["k", "amount"], "threshold": 1},
        {"kind": "referential", "name": "k_ref", "key": "k", "reference": ref, "threshold": 1},
        {"kind": "completeness", "name": "email", "column": "email", "threshold": 0.05},
        {"kind": "range", "name": "amount", "column": "amount", "max": 990, "threshold": 0.05},
        {"kind": "pattern", "name": "shape", "column": "email", "regex": "^u[0-9]+@", },
        {"kind": "sql", "name": "sane", "expression": "id >= 0"},
    ]
    before = _stage_input(qspark)
    result = write_checked(qspark.read.parquet(source), checks, output=str(tmp_path / "out"),
                           quarantine=str(tmp_path / "q"), policy=False)
    gated_bytes, gated_records = _read_since(qspark, before)
    assert result.committed and result.rows == n
    assert result.check("k_ref").failing_rows == sum(1 for i in range(n) if i % 9973 >= 9000)
    # One read: exactly the source's rows and the same bytes as a plain write, not a multiple.
    assert gated_records == n
    assert gated_bytes == plain_bytes
    assert result.valid_rows + result.quarantined_rows == n
    assert (qspark.read.parquet(str(tmp_path / "out")).count()
            + read_quarantine(qspark, str(tmp_path / "q")).count()) == n
