"""Every decoder streams in bounded pieces, checks lengths before allocating, and
drops no byte unscanned (header fields, trailing data)."""

import gzip
import io
import struct
import zlib

import lz4.block
import lz4.frame
import pytest
import snappy
import zstandard
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sparkseal.scan import codecs
from sparkseal.scan.codecs import CorruptStream
from sparkseal.scan.scanner import Scanner
from sparkseal.scan.sources import detect_codec, open_decoded

SSN = b"078-05-1120"
BLOCK = (b"y" * 63 + b"\n") * (1 << 14)  # 1 MiB of one repeated line


def _bomb_plain(mib: int) -> bytes:
    return BLOCK * mib + b"tail " + SSN + b"\n"


def _lz4_java(data: bytes, block: int = 1 << 16) -> bytes:
    """lz4-java's LZ4BlockOutputStream format (the checksum is not checked)."""
    out = io.BytesIO()
    for i in range(0, len(data), block):
        raw = data[i : i + block]
        comp = lz4.block.compress(raw, store_size=False)
        out.write(b"LZ4Block" + bytes([0x20 | 6]) + struct.pack("<iii", len(comp), len(raw), 0))
        out.write(comp)
    out.write(b"LZ4Block" + bytes([0x10 | 6]) + struct.pack("<iii", 0, 0, 0))
    return out.getvalue()


def _snappy_java(data: bytes, block: int = 1 << 15) -> bytes:
    out = io.BytesIO()
    out.write(b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1))
    for i in range(0, len(data), block):
        comp = snappy.compress(data[i : i + block])
        out.write(struct.pack(">i", len(comp)) + comp)
    return out.getvalue()


def _pyspark_frames(data: bytes, frame: int = 1 << 20) -> bytes:
    out = io.BytesIO()
    for i in range(0, len(data), frame):
        comp = zlib.compress(data[i : i + frame])
        out.write(struct.pack(">i", len(comp)) + comp)
    return out.getvalue()


ENCODERS = {
    "zlib": lambda d: zlib.compress(d, 9),
    "gzip": lambda d: gzip.compress(d, 9, mtime=0),
    "zstd": lambda d: zstandard.ZstdCompressor(level=19).compress(d),
    "lz4-frame": lambda d: lz4.frame.compress(d),
    "lz4": _lz4_java,
    "snappy": _snappy_java,
    "snappy-framed": lambda d: snappy.StreamCompressor().add_chunk(d),
    "pyspark-frames": _pyspark_frames,
}


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_bombs_decode_in_bounded_pieces(tmp_path, codec, monkeypatch):
    monkeypatch.setattr(codecs, "OUT_MAX", 1 << 20)
    data = _bomb_plain(48)
    p = tmp_path / "bomb"
    p.write_bytes(ENCODERS[codec](data))
    assert p.stat().st_size * 20 < len(data)  # it is a bomb (ratio > 20)
    detected, chunks = open_decoded(p)
    assert detected == codec
    total, biggest, tail = 0, 0, b""
    for chunk in chunks:
        total += len(chunk)
        biggest = max(biggest, len(chunk))
        tail = (tail + chunk)[-64:]
    assert tail.endswith(b"tail " + SSN + b"\n")
    assert total >= len(data)  # gzip adds its header
    # OUT_MAX, or one block of the format: 64 KiB of framed snappy input at most ~21:1
    assert biggest <= 2 << 20


@pytest.mark.parametrize("codec", ["zlib", "gzip", "zstd", "lz4-frame"])
def test_data_after_the_end_of_a_stream_is_not_dropped(tmp_path, codec):
    p = tmp_path / "f"
    p.write_bytes(ENCODERS[codec](b"fine\n") + b"\nsmuggled " + SSN + b"\n")
    with pytest.raises(CorruptStream):
        b"".join(open_decoded(p)[1])
    report = Scanner(jobs=1).scan([p])
    assert [f.kind for f in report.findings] == ["ssn"]
    assert [e.code for e in report.errors] == ["SS303"]


def test_gzip_header_fields_are_scanned(tmp_path):
    p = tmp_path / "x.gz"
    with open(p, "wb") as raw, gzip.GzipFile(f"customer {SSN.decode()}", "wb", 9, raw, 0) as g:
        g.write(b"nothing here\n")
    report = Scanner(jobs=1).scan([p])
    assert [f.kind for f in report.findings] == ["ssn"] and report.errors == []


def test_lengths_are_checked_before_allocating():
    huge = b"LZ4Block" + bytes([0x20]) + struct.pack("<iii", 16, 1 << 30, 0) + b"\0" * 16
    with pytest.raises(CorruptStream, match="out of range"):
        list(codecs.lz4_block_stream(io.BytesIO(huge)))
    varint_1g = bytes([0x80, 0x80, 0x80, 0x80, 0x04])
    block = varint_1g + b"\0" * 8
    snap = b"\x82SNAPPY\x00" + struct.pack(">iii", 1, 1, len(block)) + block
    with pytest.raises(CorruptStream, match="out of range"):
        list(codecs.snappy_java_stream(io.BytesIO(snap)))
    with pytest.raises(CorruptStream, match="out of range"):
        list(codecs.snappy_java_stream(io.BytesIO(snap[:16] + struct.pack(">i", 1 << 30))))


def test_pyspark_frame_keeps_bytes_after_its_zlib_stream():
    body = zlib.compress(b"pickled ") + b" raw " + SSN
    out = b"".join(codecs.pyspark_frames_stream(io.BytesIO(struct.pack(">i", len(body)) + body)))
    assert out == b"pickled  raw " + SSN
    plain = b"not compressed " + SSN
    framed = struct.pack(">i", len(plain)) + plain
    assert b"".join(codecs.pyspark_frames_stream(io.BytesIO(framed))) == framed  # header too
    # A frame that ends inside its zlib stream: its bytes are scanned as they are.
    cut = b"x\x9c\x12\x08\x18 " + SSN
    framed = struct.pack(">i", len(cut)) + cut
    assert b"".join(codecs.pyspark_frames_stream(io.BytesIO(framed))).endswith(framed)


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_a_stream_that_ends_early_is_scanned_decoded_and_raw(tmp_path, codec):
    data = b"".join(b"%06d line mail bob@example.com\n" % i for i in range(20_000))
    p = tmp_path / "f"
    full = ENCODERS[codec](data)
    p.write_bytes(full[: len(full) // 2])  # an event log still being written
    report = Scanner(jobs=1).scan([p])
    assert {f.kind for f in report.findings} == {"email"}  # the decoded part
    assert report.errors == []  # every byte was scanned, decoded or raw
    assert [e.code for e in report.notices] in ([], ["SS308"])


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_values_across_decoder_chunks_are_found(tmp_path, codec, monkeypatch):
    monkeypatch.setattr(codecs, "OUT_MAX", 997)
    monkeypatch.setattr(codecs, "READ_SIZE", 101)
    lines = [b"%06d padding line without values" % i for i in range(3000)]
    for i in range(7, 3000, 211):
        lines[i] = b"user " + SSN + b" mail bob@example.com"
    p = tmp_path / "f"
    p.write_bytes(ENCODERS[codec](b"\n".join(lines) + b"\n"))
    assert detect_codec(p.read_bytes()[:16]) == codec
    got = {(f.kind, f.line, f.count) for f in Scanner(jobs=1).scan([p]).findings}
    assert got == {("ssn", 8, 15), ("email", 8, 15)}


@pytest.mark.parametrize("codec", ["zstd", "lz4-frame"])
def test_skippable_frames_are_scanned(tmp_path, codec):
    hidden = b"hidden " + SSN + b"\n"
    skip = struct.pack("<II", 0x184D2A5A, len(hidden)) + hidden
    p = tmp_path / "f"
    p.write_bytes(ENCODERS[codec](b"ok\n") + skip + ENCODERS[codec](b"fine\n") + skip)
    report = Scanner(jobs=1).scan([p])
    assert [(f.kind, f.count) for f in report.findings] == [("ssn", 2)]
    assert report.errors == []
    text = b"".join(open_decoded(p)[1])
    assert b"ok\n" in text and b"fine\n" in text


MAGICS = [
    b"\x28\xb5\x2f\xfd",
    b"LZ4Block",
    b"\x04\x22\x4d\x18",
    b"\x82SNAPPY\x00",
    b"\xff\x06\x00\x00sNaPpY",
    b"\x1f\x8b",
    b"\x78\x9c",
    b"\x00\x00\x00\x10\x78\x9c",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(magic=st.sampled_from(MAGICS), body=st.binary(max_size=200))
@example(magic=MAGICS[0], body=b"5769")  # "5769 078-05-1120" would be one (Maestro) card
def test_garbage_after_any_magic_is_scanned_never_raised(tmp_path, magic, body):
    p = tmp_path / "fuzz"
    # The letter keeps the fuzzed bytes from joining the SSN into a longer number.
    p.write_bytes(magic + body + b"x 078-05-1120 ")
    report = Scanner(jobs=1).scan([p])
    assert "ssn" in {f.kind for f in report.findings}
    assert all(e.code == "SS303" for e in report.errors)
