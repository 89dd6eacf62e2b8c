"""The gate inside foreachBatch, on a real file-source stream: two micro-batches, output and
quarantine together exactly the input, one history point per batch keyed by query and
batch id, and replays (a committed batch, a batch recorded but not committed) that add
nothing to the history or the output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sparkseal.quality import QualityError, checked_batches, read_quarantine
from sparkseal.quality.history import QualityHistory

SCHEMA = "id int, amount int"
CHECKS = [
    {"kind": "range", "name": "amount_range", "column": "amount", "min": 0, "max": 100,
     "threshold": 1.0},
]
BATCHES = [
    [{"id": i, "amount": a} for i, a in enumerate([5, 50, 500, -1, None])],
    [{"id": 10 + i, "amount": a} for i, a in enumerate([7, 1000, 99])],
]


@pytest.fixture(scope="module")
def streamed(qspark, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two JSON files read one per trigger (availableNow): two batches through the gate."""
    base = tmp_path_factory.mktemp("stream")
    source = base / "in"
    source.mkdir()
    for n, rows in enumerate(BATCHES):
        (source / f"part{n}.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    url = f"sqlite:///{base / 'store.db'}"
    fn = checked_batches(CHECKS, output=str(base / "out"), quarantine=str(base / "quar"),
                         policy=False, dataset="events", history=url)
    query = (
        qspark.readStream.schema(SCHEMA).option("maxFilesPerTrigger", 1).json(str(source))
        .writeStream.foreachBatch(fn).option("checkpointLocation", str(base / "ckpt"))
        .trigger(availableNow=True).start()
    )
    query.awaitTermination(120)
    return {"base": base, "url": url, "query_id": query.id, "source": source}


def _out(spark, base: Path) -> list[tuple]:
    return sorted((r.id, r.amount, r.batch_id)
                  for r in spark.read.parquet(str(base / "out")).collect())


def _quar(spark, base: Path) -> list[tuple]:
    return sorted((r.id, r.amount, int(r.batch_id), tuple(r.failed_checks))
                  for r in read_quarantine(spark, str(base / "quar")).collect())


def _keys(url: str) -> list[str]:
    with QualityHistory.open(url, read_only=True) as history:
        return [r.run_key for r in history.runs("events")]


def _expected() -> tuple[list[tuple], list[tuple]]:
    out, quar = [], []
    for batch, rows in enumerate(BATCHES):
        for r in rows:
            bad = r["amount"] is not None and not 0 <= r["amount"] <= 100
            if bad:
                quar.append((r["id"], r["amount"], batch, ("amount_range",)))
            else:
                out.append((r["id"], r["amount"], batch))
    return sorted(out), sorted(quar)


def test_two_batches_split_exactly_with_one_point_each(qspark, streamed):
    base = streamed["base"]
    out, quar = _expected()
    assert _out(qspark, base) == out
    assert _quar(qspark, base) == quar
    qid = streamed["query_id"]
    assert _keys(streamed["url"]) == [f"{qid}:0", f"{qid}:1"]
    with QualityHistory.open(streamed["url"], read_only=True) as history:
        assert [v for _, v in history.series("events", "row_count")] == [5.0, 3.0]
        assert [v for _, v in history.series("events", "quarantined_rows")] == [2.0, 1.0]
    assert not [p for p in (base / "out").iterdir() if p.name.startswith("_sparkseal_")]


def test_a_replayed_committed_batch_adds_nothing(qspark, streamed):
    base, qid = streamed["base"], streamed["query_id"]
    before = (_out(qspark, base), _quar(qspark, base), _keys(streamed["url"]))
    fn = checked_batches(CHECKS, output=str(base / "out"), quarantine=str(base / "quar"),
                         policy=False, dataset="events", history=streamed["url"], query_id=qid)
    fn(qspark.read.schema(SCHEMA).json(str(streamed["source"] / "part0.json")), 0)
    assert fn.skipped == [0] and fn.last_result is None
    assert (_out(qspark, base), _quar(qspark, base), _keys(streamed["url"])) == before


def test_a_batch_recorded_but_not_committed_is_redone_once(qspark, streamed):
    """A crash after the history record and before the rename: the replay writes the batch
    once (no duplicate rows) and the history keeps its one point."""
    base, qid = streamed["base"], streamed["query_id"]
    before = (_out(qspark, base), _quar(qspark, base), _keys(streamed["url"]))
    shutil.rmtree(base / "out" / "batch_id=1")  # the quarantine half stays, as after a crash
    fn = checked_batches(CHECKS, output=str(base / "out"), quarantine=str(base / "quar"),
                         policy=False, dataset="events", history=streamed["url"], query_id=qid)
    fn(qspark.read.schema(SCHEMA).json(str(streamed["source"] / "part1.json")), 1)
    assert fn.skipped == [] and fn.last_result is not None
    assert fn.last_result.extra["history"]["recorded"] is False
    assert (_out(qspark, base), _quar(qspark, base), _keys(streamed["url"])) == before


def test_another_query_or_no_query_id_is_refused(qspark, streamed):
    base = streamed["base"]
    df = qspark.read.schema(SCHEMA).json(str(streamed["source"] / "part0.json"))
    other = checked_batches(CHECKS, output=str(base / "out"), policy=False,
                            query_id="another-query")
    with pytest.raises(QualityError, match=r"^SS806.*another streaming query"):
        other(df, 0)
    with pytest.raises(QualityError, match=r"^SS806.*no streaming query id"):
        checked_batches(CHECKS, output=str(base / "out2"), policy=False)(df, 0)
    assert not (base / "out2").exists()


def test_a_failing_error_check_stops_the_query_and_commits_nothing(qspark, tmp_path: Path):
    from pyspark.errors import StreamingQueryException

    source = tmp_path / "in"
    source.mkdir()
    (source / "part0.json").write_text("".join(json.dumps(r) + "\n" for r in BATCHES[0]))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    strict = [{**CHECKS[0], "threshold": 0.0}]  # 2 of 5 out of range: fails
    fn = checked_batches(strict, output=str(tmp_path / "out"), quarantine=str(tmp_path / "q"),
                         policy=False, dataset="events", history=url)
    query = (
        qspark.readStream.schema(SCHEMA).json(str(source)).writeStream.foreachBatch(fn)
        .option("checkpointLocation", str(tmp_path / "ckpt")).trigger(availableNow=True).start()
    )
    with pytest.raises(StreamingQueryException, match="SS801"):
        query.awaitTermination(120)
    assert not (tmp_path / "out" / "batch_id=0").exists()
    assert not (tmp_path / "q" / "batch_id=0").exists()
    with QualityHistory.open(url, read_only=True) as history:
        assert history.runs("events") == []
