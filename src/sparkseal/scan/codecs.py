"""Streaming decoders for the codecs Spark and PySpark write, in bounded memory.

Every decoder reads at most :data:`READ_SIZE` compressed bytes at a time and
yields at most :data:`OUT_MAX` decoded bytes at a time, whatever the
compression ratio, so a small bomb costs time, never memory. Length fields
read from a file are checked against the largest block the writing library
can produce before anything is allocated. Bytes a decoder would otherwise
drop are scanned too: gzip header fields (file name, comment, extra), and data
after the end of a stream make the stream corrupt (the caller then scans the
raw file).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import lz4.block
import lz4.frame
import snappy
import zstandard

READ_SIZE = 1 << 20
OUT_MAX = 8 << 20
# lz4-java's LZ4BlockOutputStream allows blocks up to 32 MiB (1 << 25).
LZ4_BLOCK_MAX = 1 << 25
# snappy-java's blocks are the stream's block size (Spark: 32k); allow far more.
SNAPPY_BLOCK_MAX = 1 << 26
# libzstd's default window limit; Spark's zstd-jni writes far smaller windows.
ZSTD_WINDOW_MAX = 1 << 27


class CorruptStream(Exception):
    """A compressed stream that does not decode; the message says which codec."""


def file_chunks(fh: BinaryIO, size: int = 8 << 20) -> Iterator[bytes]:
    while chunk := fh.read(size):
        yield chunk


def _read_exact(fh: BinaryIO, n: int, what: str) -> bytes:
    data = fh.read(n)
    if len(data) < n:
        raise CorruptStream(f"{what}: truncated")
    return data


def lz4_block_stream(fh: BinaryIO) -> Iterator[bytes]:
    """lz4-java LZ4BlockOutputStream: "LZ4Block" token(1) compLen(4) rawLen(4) checksum(4)."""
    while True:
        header = fh.read(21)
        if not header:
            return
        if len(header) < 21 or header[:8] != b"LZ4Block":
            raise CorruptStream("lz4 block stream: bad block header")
        method = header[8] & 0xF0
        comp_len, raw_len = struct.unpack("<ii", header[9:17])
        if not (0 <= raw_len <= LZ4_BLOCK_MAX and 0 <= comp_len <= LZ4_BLOCK_MAX + 65536):
            raise CorruptStream("lz4 block stream: block length out of range")
        if raw_len == 0:
            return  # end mark
        data = _read_exact(fh, comp_len, "lz4 block stream")
        if method == 0x10:
            yield data
            continue
        try:
            yield lz4.block.decompress(data, uncompressed_size=raw_len)
        except lz4.block.LZ4BlockError as exc:
            raise CorruptStream(f"lz4 block stream: {exc}") from None


def _snappy_length(block: bytes) -> int:
    """The uncompressed length a raw snappy block declares (a little-endian varint)."""
    n = shift = 0
    for byte in block[:5]:
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n
        shift += 7
    raise CorruptStream("snappy stream: bad block length")


def snappy_java_stream(fh: BinaryIO) -> Iterator[bytes]:
    """snappy-java SnappyOutputStream: magic(8) version(4) compat(4), then [len(4 BE) block]*."""
    _read_exact(fh, 16, "snappy stream")
    while True:
        head = fh.read(4)
        if not head:
            return
        if len(head) < 4:
            raise CorruptStream("snappy stream: truncated")
        (n,) = struct.unpack(">i", head)
        if not 0 <= n <= SNAPPY_BLOCK_MAX:
            raise CorruptStream("snappy stream: block length out of range")
        block = _read_exact(fh, n, "snappy stream")
        if _snappy_length(block) > SNAPPY_BLOCK_MAX:
            raise CorruptStream("snappy stream: block length out of range")
        try:
            yield snappy.uncompress(block)
        except Exception as exc:
            raise CorruptStream(f"snappy stream: {exc}") from None


def snappy_framed_stream(fh: BinaryIO) -> Iterator[bytes]:
    # Chunks hold at most 64 KiB each; small reads keep every burst small.
    d = snappy.StreamDecompressor()
    try:
        for chunk in file_chunks(fh, 1 << 16):
            yield d.decompress(chunk)
        d.flush()
    except Exception as exc:
        raise CorruptStream(f"snappy framed: {exc}") from None


def zstd_stream(fh: BinaryIO) -> Iterator[bytes]:
    dctx = zstandard.ZstdDecompressor(max_window_size=ZSTD_WINDOW_MAX)
    reader = dctx.stream_reader(fh, read_size=READ_SIZE, read_across_frames=True)
    try:
        while chunk := reader.read(OUT_MAX):
            yield chunk
    except zstandard.ZstdError as exc:
        raise CorruptStream(f"zstd: {exc}") from None


def _gzip_header_len(buf: bytes) -> int | None:
    """Length of the gzip member header at the start of ``buf``, or None if not all there."""
    if len(buf) < 10:
        return None
    flags, pos = buf[3], 10
    if flags & 0x04:  # FEXTRA
        if len(buf) < pos + 2:
            return None
        pos += 2 + int.from_bytes(buf[pos : pos + 2], "little")
    for bit in (0x08, 0x10):  # FNAME, FCOMMENT: zero-terminated
        if flags & bit:
            end = buf.find(b"\0", pos)
            if end < 0:
                return None
            pos = end + 1
    if flags & 0x02:  # FHCRC
        pos += 2
    return pos if pos <= len(buf) else None


def inflate_stream(fh: BinaryIO, wbits: int) -> Iterator[bytes]:
    """zlib (``wbits`` 15) or gzip (31) streams, concatenated back to back.

    A gzip member's header is yielded as it is (a NUL after it keeps it apart
    from the text), so its name, comment and extra fields are scanned. Zero
    padding after the last gzip member is allowed; any other trailing byte is
    corrupt.
    """
    gzip = wbits > 16
    what = "gzip" if gzip else "zlib"
    d: zlib._Decompress | None = None
    pending = b""
    try:
        while True:
            data = pending or fh.read(READ_SIZE)
            pending = b""
            if not data:
                break
            if d is None:  # a member starts here
                if gzip and not data.strip(b"\0"):
                    continue  # padding
                if gzip:
                    n = _gzip_header_len(data)
                    yield (data[:n] if n is not None else data) + b"\0"
                d = zlib.decompressobj(wbits)
            while True:
                out = d.decompress(data, OUT_MAX)
                if out:
                    yield out
                if d.eof:
                    pending, d = d.unused_data, None
                    break
                data = d.unconsumed_tail
                if not data:
                    break
        if d is not None:
            yield d.flush()  # a stream cut short (still being written): what is there
    except zlib.error as exc:
        raise CorruptStream(f"{what}: {exc}") from None


def lz4_frame_stream(fh: BinaryIO) -> Iterator[bytes]:
    d: lz4.frame.LZ4FrameDecompressor | None = None
    pending = b""
    try:
        while True:
            data = pending or fh.read(READ_SIZE)
            pending = b""
            if not data:
                break
            if d is None:
                d = lz4.frame.LZ4FrameDecompressor()
            while True:
                out = d.decompress(data, max_length=OUT_MAX)
                if out:
                    yield out
                if d.eof:
                    pending, d = d.unused_data, None
                    break
                if d.needs_input:
                    break
                data = b""
    except RuntimeError as exc:
        raise CorruptStream(f"lz4 frame: {exc}") from None


def pyspark_frames_stream(fh: BinaryIO) -> Iterator[bytes]:
    """PySpark's spill files: frames of [4-byte big-endian length][zlib-compressed pickle].

    A frame that is not (or no longer) compressed is scanned as it is, and so is
    whatever follows the end of a frame's zlib stream inside the frame.
    """
    while True:
        head = fh.read(4)
        if len(head) < 4:
            if head:
                yield head
            return
        (n,) = struct.unpack(">i", head)
        yield from _frame(fh, max(n, 0))


def _frame(fh: BinaryIO, n: int) -> Iterator[bytes]:
    d = zlib.decompressobj()
    raw = False
    while n > 0:
        data = fh.read(min(n, READ_SIZE))
        if not data:
            return
        n -= len(data)
        while data and not raw:
            try:
                out = d.decompress(data, OUT_MAX)
            except zlib.error:
                raw = True
                break
            if out:
                yield out
            if d.eof:
                data, raw = d.unused_data, True
                break
            data = d.unconsumed_tail
        if raw and data:
            yield data
