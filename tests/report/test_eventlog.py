"""Finding and reading event logs: files, rolling directories, Spark's codecs, logs cut short."""

from __future__ import annotations

import json
import os

import lz4.block  # noqa: F401  (the lz4-java writer below needs it)
import pytest
import zstandard

from sparkseal.report import ReportError, locate
from sparkseal.report.eventlog import read_events, sanitize_app_id
from sparkseal.report.model import build_run
from tests.report.stock_log import APP_ID, events, log_bytes
from tests.scan.test_codecs import _lz4_java, _snappy_java

EVENTS = events("a job", "task failed", "job failed")
RAW = log_bytes(EVENTS)


def _read(path):
    files = locate(path)
    evs, stats = read_events(files)
    return build_run(evs), stats, files


def test_sanitized_names_are_sparks():
    assert sanitize_app_id("app-20260101120000-0001") == "app-20260101120000-0001"
    assert sanitize_app_id("application_1.2 x:y/z") == "application_1_2-x-y-z"


@pytest.mark.parametrize(
    "codec,compress",
    [
        ("plain", lambda b: b),
        ("zstd", lambda b: zstandard.ZstdCompressor().compress(b)),
        ("lz4", _lz4_java),
        ("snappy", _snappy_java),
    ],
)
def test_every_spark_codec_reads_the_same_run(tmp_path, codec, compress):
    path = tmp_path / (APP_ID + ("" if codec == "plain" else f".{codec}"))
    path.write_bytes(compress(RAW))
    run, stats, files = _read(path)
    assert stats.codecs == {codec}
    assert stats.events == len(EVENTS) and not stats.truncated and stats.bad_lines == 0
    assert not files.in_progress and not files.rolling
    assert run.app_id == APP_ID and sorted(run.jobs) == [0, 1]
    assert run.jobs[1].result == "JobFailed" and run.jobs[1].failure == "job failed"
    assert sorted(run.stages) == [(0, 0), (1, 0), (2, 0)]
    assert run.stages[(1, 0)].disk_spill == 1_000_000
    assert run.stages[(0, 0)].shuffle_write == 610_000
    assert [f.kind for f in run.failures] == ["task", "task", "stage", "job"]
    assert [(e.executor, e.change) for e in run.executors] == [
        ("driver", "added"),
        ("1", "removed"),
    ]


def test_rolling_directory_in_order_from_the_last_compaction(tmp_path):
    d = tmp_path / f"eventlog_v2_{APP_ID}"
    d.mkdir()
    lines = RAW.splitlines(keepends=True)
    # events_1 is replaced by the compacted events_2; events_3 and events_10 follow (numeric order)
    (d / f"events_1_{APP_ID}.zstd").write_bytes(zstandard.ZstdCompressor().compress(b"garbage\n"))
    (d / f"events_2_{APP_ID}.compact").write_bytes(b"".join(lines[:5]))
    (d / f"events_3_{APP_ID}.zstd").write_bytes(
        zstandard.ZstdCompressor().compress(b"".join(lines[5:12]))
    )
    (d / f"events_10_{APP_ID}").write_bytes(b"".join(lines[12:]))
    (d / f"appstatus_{APP_ID}.inprogress").write_bytes(b"")
    run, stats, files = _read(d)
    assert files.rolling and files.in_progress
    assert [p.name.split("_")[1] for p in files.paths] == ["2", "3", "10"]
    assert stats.events == len(EVENTS) and stats.bad_lines == 0
    assert sorted(run.jobs) == [0, 1]


def test_app_id_is_found_in_the_log_dir_newest_attempt_first(tmp_path):
    (tmp_path / "local-1796000000000-other").write_bytes(RAW)  # a longer id: not this app
    old = tmp_path / f"{APP_ID}_1.zstd"
    old.write_bytes(zstandard.ZstdCompressor().compress(RAW))
    new = tmp_path / f"{APP_ID}_2.inprogress"
    new.write_bytes(RAW)
    os.utime(old, (1, 1))
    files = locate(app_id=APP_ID, log_dir=tmp_path)
    assert files.paths == (new,) and files.in_progress
    with pytest.raises(ReportError, match=r"SS950.*local-1"):
        locate(app_id="local-1", log_dir=tmp_path)


def test_missing_and_unusable_paths_are_SS950(tmp_path):
    with pytest.raises(ReportError, match=r"SS950: no event log at"):
        locate(tmp_path / "nope")
    with pytest.raises(ReportError, match=r"SS950.*is a directory, not an event log"):
        locate(tmp_path)
    with pytest.raises(ReportError, match=r"SS950.*does not exist"):
        locate(app_id=APP_ID, log_dir=tmp_path / "nope")


def test_a_last_line_cut_short_is_reported_not_refused(tmp_path):
    path = tmp_path / f"{APP_ID}.inprogress"
    path.write_bytes(RAW[: RAW.rindex(b"\n", 0, len(RAW) - 1) + 40])  # 40 bytes of the last event
    run, stats, files = _read(path)
    assert stats.truncated and "cut short" in stats.truncation
    assert files.in_progress
    assert stats.events == len(EVENTS) - 1 and run.end is None  # ApplicationEnd was the cut line
    assert run.jobs[1].result == "JobFailed"


def test_a_zstd_stream_cut_short_gives_what_decoded(tmp_path):
    # Flushed block by block, as Spark's writer flushes after events.
    c = zstandard.ZstdCompressor().compressobj()
    data = b"".join(
        c.compress(line) + c.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        for line in RAW.splitlines(keepends=True)
    )
    path = tmp_path / f"{APP_ID}.zstd"
    path.write_bytes(data[: len(data) * 2 // 3])
    run, stats, _ = _read(path)
    assert stats.truncated
    assert 0 < stats.events < len(EVENTS)
    assert run.app_id == APP_ID


def test_lines_that_are_not_events_are_counted_and_skipped(tmp_path):
    lines = RAW.splitlines(keepends=True)
    path = tmp_path / APP_ID
    path.write_bytes(
        b"".join(lines[:3])
        + b"{not json\n[1, 2]\n"
        + json.dumps({"x": 1}).encode()
        + b"\n"
        + b"".join(lines[3:])
    )
    run, stats, _ = _read(path)
    assert stats.bad_lines == 3 and stats.events == len(EVENTS)
    assert sorted(run.jobs) == [0, 1]


def test_a_corrupt_stream_is_SS951(tmp_path):
    path = tmp_path / f"{APP_ID}.lz4"
    data = bytearray(_lz4_java(RAW))
    data[30:60] = b"\xff" * 30  # inside the first compressed block
    path.write_bytes(bytes(data))
    evs, _ = read_events(locate(path))
    with pytest.raises(ReportError, match=r"SS951.*does not decode"):
        list(evs)
