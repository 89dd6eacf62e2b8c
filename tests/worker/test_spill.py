"""Encrypted Python spills: round trip, and every kind of tampering refused before unpickling."""

import os
import struct

import pytest
from pyspark.serializers import CPickleSerializer, FlattenedValuesSerializer

from sparkseal.worker.spill import EncryptedSpillSerializer, SpillIntegrityError, SpillKeys

DATA = [(i, f"123-45-{6789 + i % 100}") for i in range(5000)]


@pytest.fixture
def ser():
    return EncryptedSpillSerializer(batch_size=100, keys=SpillKeys())


def _write(ser, path, *chunks):
    with open(path, "wb") as f:
        for chunk in chunks:
            ser.dump_stream(chunk, f)


def _read(ser, path):
    with open(path, "rb") as f:
        return list(ser.load_stream(f))


HEADER = 24  # magic + file id


def _frames(raw: bytes) -> list[bytes]:
    """The header, then each frame."""
    frames, pos = [raw[:HEADER]], HEADER
    while pos < len(raw):
        (n,) = struct.unpack(">i", raw[pos : pos + 4])
        frames.append(raw[pos : pos + 4 + n])
        pos += 4 + n
    return frames


@pytest.fixture
def unpickles(monkeypatch):
    """Counts calls of the pickle loader the spill reader would use."""
    calls = []
    original = CPickleSerializer.loads

    def counting(self, obj, encoding="bytes"):
        calls.append(len(obj))
        return original(self, obj, encoding)

    monkeypatch.setattr(CPickleSerializer, "loads", counting)
    return calls


def test_round_trip_appends_and_no_plaintext(ser, tmp_path):
    p = tmp_path / "spill"
    _write(ser, p, DATA[:2500], DATA[2500:])
    raw = p.read_bytes()
    assert b"123-45-" not in raw
    assert _read(ser, p) == DATA


def test_adaptive_batches_and_flattened_values(tmp_path):
    ser = EncryptedSpillSerializer(keys=SpillKeys())
    p = tmp_path / "auto"
    _write(ser, p, DATA)
    assert _read(ser, p) == DATA
    fvs = FlattenedValuesSerializer(ser, 20)
    p2 = tmp_path / "grouped"
    _write(fvs, p2, [("k", list(range(95)))])
    assert [v for _, vs in _read(fvs, p2) for v in vs] == list(range(95))


def test_flipped_byte(ser, tmp_path, unpickles):
    p = tmp_path / "spill"
    _write(ser, p, DATA)
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    p.write_bytes(bytes(raw))  # same inode: the reader still finds this file's state
    with pytest.raises(SpillIntegrityError, match="failed authentication"):
        _read(ser, p)
    assert len(unpickles) < len(_frames(bytes(raw)))  # stopped at the bad frame


@pytest.mark.parametrize("cut", ["mid-frame", "frame-boundary", "header", "all-frames"])
def test_truncated(ser, tmp_path, cut, unpickles):
    p = tmp_path / "spill"
    _write(ser, p, DATA)
    raw = p.read_bytes()
    frames = _frames(raw)
    keep = {
        "mid-frame": len(raw) - 10,
        "frame-boundary": len(raw) - len(frames[-1]),
        "header": len(raw) - len(frames[-1]) + 2,
        "all-frames": HEADER,
    }[cut]
    with open(p, "r+b") as f:
        f.truncate(keep)
    with pytest.raises(SpillIntegrityError, match="truncated"):
        _read(ser, p)


def test_swapped_frames(ser, tmp_path, unpickles):
    p = tmp_path / "spill"
    _write(ser, p, DATA)
    frames = _frames(p.read_bytes())
    frames[1], frames[2] = frames[2], frames[1]
    with open(p, "r+b") as f:
        f.write(b"".join(frames))
    with pytest.raises(SpillIntegrityError, match="frame 0 failed authentication"):
        _read(ser, p)
    assert unpickles == []


def test_frame_from_another_file(ser, tmp_path, unpickles):
    a, b = tmp_path / "a", tmp_path / "b"
    _write(ser, a, DATA)
    _write(ser, b, DATA)
    fa, fb = _frames(a.read_bytes()), _frames(b.read_bytes())
    with open(b, "r+b") as f:
        f.write(b"".join([fb[0], fa[1], *fb[2:]]))
    with pytest.raises(SpillIntegrityError, match="frame 0"):
        _read(ser, b)
    with open(b, "r+b") as f:  # the whole of file a written over file b
        f.write(a.read_bytes())
    with pytest.raises(SpillIntegrityError, match="copied from another spill file"):
        _read(ser, b)
    assert unpickles == []


def test_file_not_written_by_this_process(ser, tmp_path, unpickles):
    p = tmp_path / "foreign"
    _write(EncryptedSpillSerializer(keys=SpillKeys()), p, DATA)  # another "process"
    with pytest.raises(SpillIntegrityError, match="not written by this worker process"):
        _read(ser, p)
    # an attacker's plain PySpark spill file planted in its place
    planted = tmp_path / "planted"
    planted.write_bytes(b"\x00\x00\x00\x05hello" * 10)
    with pytest.raises(SpillIntegrityError, match="not a sealed spill file"):
        _read(ser, planted)
    assert unpickles == []


def test_forked_child_gets_its_own_key(tmp_path):
    keys = SpillKeys()
    ser = EncryptedSpillSerializer(keys=keys)
    p = tmp_path / "parent"
    _write(ser, p, DATA[:10])
    pid = os.fork()
    if pid == 0:  # child: the parent's file must not open
        try:
            _read(ser, p)
            os._exit(1)
        except SpillIntegrityError:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert _read(ser, p) == DATA[:10]


def test_emptied_file_fails_instead_of_reading_as_no_records(ser, tmp_path):
    p = tmp_path / "spill"
    _write(ser, p, DATA[:10])
    with open(p, "r+b") as f:
        f.truncate(0)
    with pytest.raises(SpillIntegrityError, match="is empty"):
        _read(ser, p)
    p.unlink()  # a fresh empty file at the same path is no better
    p.write_bytes(b"")
    with pytest.raises(SpillIntegrityError, match="is empty"):
        _read(ser, p)


def test_file_without_records_still_reads_back(ser, tmp_path):
    p = tmp_path / "none"
    _write(ser, p, [])
    assert p.stat().st_size == HEADER
    assert _read(ser, p) == []


@pytest.mark.parametrize("how", ["rename", "hard-link"])
def test_spill_file_moved_over_another(ser, tmp_path, how, unpickles):
    a, b = tmp_path / "a", tmp_path / "b"
    _write(ser, a, DATA[:100])
    _write(ser, b, DATA[100:200])
    b.unlink()
    if how == "rename":
        a.rename(b)
    else:
        os.link(a, b)
    with pytest.raises(SpillIntegrityError, match="renamed or linked"):
        _read(ser, b)
    assert unpickles == []
