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


class TruncatedStream(CorruptStream):
    """A stream that ends before its end mark (a log still being written, or bytes
    made to look compressed): what decoded was yielded; the raw bytes must be scanned."""


def file_chunks(fh: BinaryIO, size: int = 8 << 20) -> Iterator[bytes]:
    while chunk := fh.read(size):
        yield chunk


def _read_exact(fh: BinaryIO, n: int, what: str) -> bytes:
    data = fh.read(n)
    if len(data) < n:
        raise TruncatedStream(f"{what}: ends early")
    return data


def lz4_block_stream(fh: BinaryIO) -> Iterator[bytes]:
    """lz4-java LZ4BlockOutputStream: "LZ4Block" token(1) compLen(4) rawLen(4) checksum(4)."""
    while True:
        header = fh.read(21)
        if not header:
            return
        if len(header) < 21:
            raise TruncatedStream("lz4 block stream: ends early")
        if header[:8] != b"LZ4Block":
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
            raise TruncatedStream("snappy stream: ends early")
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
    """The snappy framing format: [type(1) length(3 LE) data]*, data at most 16 MiB.

    Decoded here rather than by a library so that nothing is passed over:
    skippable and padding chunks are yielded raw, reserved ones are corrupt.
    """
    while head := fh.read(4):
        if len(head) < 4:
            raise TruncatedStream("snappy framed: ends early")
        kind, n = head[0], int.from_bytes(head[1:], "little")
        data = _read_exact(fh, n, "snappy framed")
        if kind == 0xFF:
            if data != b"sNaPpY":
                raise CorruptStream("snappy framed: bad stream identifier")
        elif kind in (0x00, 0x01):
            if n < 4:
                raise CorruptStream("snappy framed: bad chunk")
            body = data[4:]  # after the CRC-32C, not checked: scanning needs no integrity
            if kind == 0x01:
                yield body
                continue
            if _snappy_length(body) > 1 << 16:
                raise CorruptStream("snappy framed: chunk length out of range")
            try:
                yield snappy.uncompress(body)
            except Exception as exc:
                raise CorruptStream(f"snappy framed: {exc}") from None
        elif kind >= 0x80:  # skippable and padding: the decoder would drop them
            yield data
        else:
            raise CorruptStream(f"snappy framed: reserved chunk type {kind:#x}")


def _skippable(head: bytes) -> int | None:
    """Length of a zstd/lz4 skippable frame's data if ``head`` starts one (magic 0x184D2A5?)."""
    if len(head) >= 8 and head[1:4] == b"\x2a\x4d\x18" and head[0] & 0xF0 == 0x50:
        return int.from_bytes(head[4:8], "little")
    return None


def _zstd_frame_end(fh: BinaryIO, start: int) -> int:
    """Offset just past the zstd frame at ``start``, from its headers only (RFC 8878)."""
    fh.seek(start + 4)
    desc = _read_exact(fh, 1, "zstd")[0]
    fcs_flag, single, checksum, did_flag = desc >> 6, desc & 0x20, desc & 0x04, desc & 0x03
    fcs = (1 if single else 0, 2, 4, 8)[fcs_flag]
    pos = start + 5 + (0 if single else 1) + (0, 1, 2, 4)[did_flag] + fcs
    while True:
        fh.seek(pos)
        header = int.from_bytes(_read_exact(fh, 3, "zstd"), "little")
        size = 1 if (header >> 1) & 3 == 1 else header >> 3
        pos += 3 + size
        if header & 1:
            return pos + (4 if checksum else 0)


def zstd_skippable_frames(fh: BinaryIO) -> tuple[list[tuple[int, int]], bool]:
    """``(offset, length)`` of the data of every skippable frame in a seekable zstd
    file, and whether the last frame ends exactly at the end of the file.

    The decoder passes over skippable frames silently; the scanner reads them raw.
    Stops at the first thing it cannot parse (decoding then reports it).
    """
    found: list[tuple[int, int]] = []
    pos = 0
    size = fh.seek(0, 2)
    complete = False
    try:
        while pos <= size:
            fh.seek(pos)
            head = fh.read(8)
            if not head:
                complete = True
                break
            if len(head) < 4:
                break
            skip = _skippable(head)
            if skip is not None:
                found.append((pos + 8, skip))
                pos += 8 + skip
            elif head[:4] == b"\x28\xb5\x2f\xfd":
                pos = _zstd_frame_end(fh, pos)
            else:
                break
    except CorruptStream:
        pass
    finally:
        fh.seek(0)
    return found, complete


def _ranges(fh: BinaryIO, ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    for offset, length in ranges:
        fh.seek(offset)
        while length > 0 and (data := fh.read(min(length, READ_SIZE))):
            length -= len(data)
            yield data
        yield b"\n"


def zstd_stream(fh: BinaryIO) -> Iterator[bytes]:
    """zstd frames back to back; the data of skippable frames is yielded after them."""
    skippable, complete = zstd_skippable_frames(fh) if fh.seekable() else ([], True)
    dctx = zstandard.ZstdDecompressor(max_window_size=ZSTD_WINDOW_MAX)
    reader = dctx.stream_reader(fh, read_size=READ_SIZE, read_across_frames=True)
    try:
        while chunk := reader.read(OUT_MAX):
            yield chunk
    except zstandard.ZstdError as exc:
        raise CorruptStream(f"zstd: {exc}") from None
    if skippable:
        yield b"\n"
        yield from _ranges(fh, skippable)
    if not complete:
        raise TruncatedStream("zstd: ends early")


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
            raise TruncatedStream(f"{what}: ends early")
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
                if len(data) < 8:
                    data += fh.read(8 - len(data))
                skip = _skippable(data)
                if skip is not None:  # the decoder would pass over it: scan it raw
                    rest = data[8:]
                    while skip > 0:
                        rest = rest or fh.read(min(skip, READ_SIZE))
                        if not rest:
                            raise TruncatedStream("lz4 frame: ends early")
                        piece, rest = rest[:skip], rest[skip:]
                        yield piece
                        skip -= len(piece)
                    pending = rest
                    continue
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
    if d is not None:
        raise TruncatedStream("lz4 frame: ends early")


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
        yield from _frame(fh, head, max(n, 0))


def _frame(fh: BinaryIO, head: bytes, n: int) -> Iterator[bytes]:
    """One frame: decoded if it is a zlib stream, else its bytes, length header
    included (then it was no frame: the header may be part of the text)."""
    start = fh.tell() if fh.seekable() else None
    d = zlib.decompressobj()
    raw = produced = False
    while n > 0:
        data = fh.read(min(n, READ_SIZE))
        if not data:
            break
        n -= len(data)
        while data and not raw:
            try:
                out = d.decompress(data, OUT_MAX)
            except zlib.error:
                raw = True
                break
            if out:
                produced = True
                yield out
            if d.eof:
                data, raw = d.unused_data, True
                break
            data = d.unconsumed_tail
        if raw and data:
            yield data if produced else head + data
            produced = True
    if raw or d.eof:
        return
    # The frame ended inside its zlib stream: its bytes were consumed but not all
    # decoded. Scan them as they are.
    if start is None:
        raise TruncatedStream("pyspark frames: a frame ends inside its zlib stream")
    end = fh.tell()
    yield head
    fh.seek(start)
    remaining = end - start
    while remaining > 0 and (data := fh.read(min(remaining, READ_SIZE))):
        remaining -= len(data)
        yield data
    fh.seek(end)
