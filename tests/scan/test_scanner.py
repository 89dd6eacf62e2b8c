import json
import os

import pytest

from sparkseal.core.token import Sealer
from sparkseal.scan import scanner as scanner_mod
from sparkseal.scan.scanner import Scanner, canary_forms, mask

CANARY = 'zoë "quoted" <b>@example.com'


def test_mask_never_shows_the_value():
    assert mask(b"bob@example.com") == "b*************m"
    assert mask(b"abc") == "***"


def test_canary_forms_cover_json_and_html():
    forms = canary_forms(CANARY)
    assert json.dumps(CANARY)[1:-1].encode() in forms
    assert b"zo\\u00eb" in b"".join(forms)
    assert b"&lt;b&gt;" in b"".join(forms)


def test_canaries_in_any_form_and_line_numbers(tmp_path):
    p = tmp_path / "a.log"
    p.write_text(
        "ok\n" + json.dumps({"m": CANARY}) + "\nok\n<p>" + __import__("html").escape(CANARY)
    )
    report = Scanner(canaries=[CANARY], kinds=[]).scan([p])
    assert [(f.line, f.kind, f.count) for f in report.findings] == [(2, "canary", 2)]
    assert CANARY not in report.to_json()


def test_text_inside_tokens_is_ignored(tmp_path, sealer: Sealer):
    # Real tokens only; broken and fake ones are scanned (tests/scan/test_tokens.py).
    p = tmp_path / "b.log"
    p.write_text(" ".join(sealer.seal(f"4111111111111111 {i}") for i in range(200)) + "\n")
    assert Scanner().scan([p]).findings == []


def test_allow_values_and_cidrs(tmp_path):
    p = tmp_path / "c.log"
    p.write_text("hosts 10.1.2.3 10.9.9.9 172.16.0.1 mail ops@example.com\n")
    report = Scanner(allow=["10.0.0.0/8", "ops@example.com"]).scan([p])
    assert [(f.kind, f.masked) for f in report.findings] == [("ipv4", "1********1")]


def test_chunks_keep_line_numbers_and_parallel_matches_serial(tmp_path, monkeypatch):
    monkeypatch.setattr(scanner_mod, "CHUNK_SIZE", 4096)
    monkeypatch.setattr(scanner_mod, "PARALLEL_MIN_BYTES", 1)
    lines = [f"line {i} nothing here" for i in range(5000)]
    lines[1234] = "leak bob@example.com"
    lines[4321] = "card 4111111111111111 and bob@example.com"
    p = tmp_path / "big.log"
    p.write_text("\n".join(lines) + "\n")
    serial = Scanner(jobs=1).scan([p]).findings
    parallel = Scanner(jobs=2).scan([p]).findings
    assert [(f.line, f.kind, f.count) for f in serial] == [(1235, "email", 2), (4322, "card", 1)]
    assert serial == parallel


def test_errors_are_reported_not_raised(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "x.log").write_text("fine\n")
    report = Scanner().scan([tmp_path / "missing", tmp_path / "dir"])
    assert report.files == 1
    assert [e.message for e in report.errors] == ["no such file or directory"]


def test_corrupt_compressed_file_is_scanned_raw(tmp_path):
    p = tmp_path / "events.zstd"
    p.write_bytes(b"\x28\xb5\x2f\xfd" + b"garbage bob@example.com garbage")
    report = Scanner().scan([p])
    assert "cannot decompress" in report.errors[0].message
    assert [f.kind for f in report.findings] == ["email"]


@pytest.mark.parametrize("name", ["nul.bin"])
def test_binary_files(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"\x00\xff" * 1000 + b"bob@example.com" + b"\x00" * 10)
    assert [f.kind for f in Scanner().scan([p]).findings] == ["email"]


def test_progress_moves_while_a_compressed_file_is_read(tmp_path):
    import zlib

    data = "\n".join(os.urandom(40).hex() for _ in range(100_000)).encode()
    p = tmp_path / "events.zlib"
    p.write_bytes(zlib.compress(data, 1))
    q = tmp_path / "plain.log"
    q.write_text("x\n")
    steps: list[int] = []
    totals: list[int] = []

    def progress(total: int):
        totals.append(total)
        return steps.append

    Scanner(jobs=1).scan([p, q], progress=progress)
    size = p.stat().st_size + q.stat().st_size
    assert totals == [size] and sum(steps) == size
    assert len([s for s in steps if s > 0]) >= 3  # not one jump at the end of the file


def test_parallel_split_of_a_file_without_newlines(tmp_path, monkeypatch):
    monkeypatch.setattr(scanner_mod, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(scanner_mod, "MAX_LINE_CARRY", 4096)
    p = tmp_path / "one-line.log"
    p.write_bytes(b"z" * 20_000 + b" 078-05-1120 " + b"z" * 20_000)
    report = Scanner(jobs=2).scan([p])  # falls back to one process: no newline to cut at
    assert [(f.kind, f.line) for f in report.findings] == [("ssn", 1)]
