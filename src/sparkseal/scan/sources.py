"""Open any file Spark leaves behind as a stream of decompressed bytes.

Spark writes event logs with its own codecs: zstd (zstd-jni frames), lz4
(lz4-java's ``LZ4Block`` format, not the LZ4 frame format), snappy
(snappy-java's ``\\x82SNAPPY`` block format) or none; PySpark's spills are frames
of zlib-compressed pickles.
The codec is recognised by magic bytes, never by file name.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import lz4.block
import lz4.frame
import snappy
import zstandard

READ_SIZE = 8 << 20


class CorruptStream(Exception):
    """A compressed stream that does not decode; the message says which codec."""


def _lz4_block_stream(fh: BinaryIO) -> Iterator[bytes]:
    # lz4-java LZ4BlockOutputStream: "LZ4Block" token(1) compLen(4 LE) rawLen(4 LE) checksum(4)
    while True:
        header = fh.read(21)
        if not header:
            return
        if len(header) < 21 or header[:8] != b"LZ4Block":
            raise CorruptStream("lz4 block stream: bad block header")
        method = header[8] & 0xF0
        comp_len, raw_len = struct.unpack("<ii", header[9:17])
        if comp_len < 0 or raw_len < 0:
            raise CorruptStream("lz4 block stream: bad lengths")
        if raw_len == 0:
            return  # end mark
        data = fh.read(comp_len)
        if len(data) < comp_len:
            raise CorruptStream("lz4 block stream: truncated")
        if method == 0x10:
            yield data
        else:
            try:
                yield lz4.block.decompress(data, uncompressed_size=raw_len)
            except lz4.block.LZ4BlockError as exc:
                raise CorruptStream(f"lz4 block stream: {exc}") from None


def _snappy_java_stream(fh: BinaryIO) -> Iterator[bytes]:
    # snappy-java SnappyOutputStream: magic(8) version(4) compat(4), then [len(4 BE) block]*
    fh.read(16)
    while True:
        head = fh.read(4)
        if not head:
            return
        if len(head) < 4:
            raise CorruptStream("snappy stream: truncated")
        (n,) = struct.unpack(">i", head)
        block = fh.read(n)
        if len(block) < n:
            raise CorruptStream("snappy stream: truncated")
        try:
            yield snappy.uncompress(block)
        except Exception as exc:
            raise CorruptStream(f"snappy stream: {exc}") from None


def _file_chunks(fh: BinaryIO) -> Iterator[bytes]:
    while chunk := fh.read(READ_SIZE):
        yield chunk


def _zstd_stream(fh: BinaryIO) -> Iterator[bytes]:
    reader = zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True)
    try:
        while chunk := reader.read(READ_SIZE):
            yield chunk
    except zstandard.ZstdError as exc:
        raise CorruptStream(f"zstd: {exc}") from None


def _zlib_stream(fh: BinaryIO, wbits: int) -> Iterator[bytes]:
    # zlib streams concatenated back to back are decoded one after the other.
    d = zlib.decompressobj(wbits)
    try:
        while chunk := fh.read(READ_SIZE):
            while chunk:
                yield d.decompress(chunk)
                if d.eof:
                    chunk = d.unused_data
                    d = zlib.decompressobj(wbits)
                else:
                    chunk = b""
    except zlib.error as exc:
        raise CorruptStream(f"zlib: {exc}") from None


def _gzip_stream(fh: BinaryIO) -> Iterator[bytes]:
    try:
        with gzip.GzipFile(fileobj=fh) as gz:
            yield from _file_chunks(gz)  # type: ignore[arg-type]
    except (OSError, EOFError) as exc:
        raise CorruptStream(f"gzip: {exc}") from None


def _lz4_frame_stream(fh: BinaryIO) -> Iterator[bytes]:
    try:
        with lz4.frame.LZ4FrameFile(fh) as f:
            yield from _file_chunks(f)  # type: ignore[arg-type]
    except (RuntimeError, EOFError) as exc:
        raise CorruptStream(f"lz4 frame: {exc}") from None


def _snappy_framed_stream(fh: BinaryIO) -> Iterator[bytes]:
    d = snappy.StreamDecompressor()
    try:
        for chunk in _file_chunks(fh):
            yield d.decompress(chunk)
    except Exception as exc:
        raise CorruptStream(f"snappy framed: {exc}") from None


def _framed_zlib_stream(fh: BinaryIO) -> Iterator[bytes]:
    # PySpark's spill files: frames of [4-byte big-endian length][zlib-compressed pickle].
    while True:
        head = fh.read(4)
        if len(head) < 4:
            return
        (n,) = struct.unpack(">i", head)
        frame = fh.read(n) if n > 0 else b""
        try:
            yield zlib.decompress(frame)
        except zlib.error:
            yield frame  # not (or no longer) compressed: scan the bytes as they are


def _is_framed_zlib(head: bytes) -> bool:
    if len(head) < 6:
        return False
    (n,) = struct.unpack(">i", head[:4])
    return n > 2 and head[4] == 0x78 and (head[4] * 256 + head[5]) % 31 == 0


def detect_codec(head: bytes) -> str:
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"LZ4Block"):
        return "lz4"
    if head.startswith(b"\x04\x22\x4d\x18"):
        return "lz4-frame"
    if head.startswith(b"\x82SNAPPY\x00"):
        return "snappy"
    if head.startswith(b"\xff\x06\x00\x00sNaPpY"):
        return "snappy-framed"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    if _is_framed_zlib(head):
        return "pyspark-frames"
    return "plain"


def open_decoded(path: Path) -> tuple[str, Iterator[bytes]]:
    """Return ``(codec, chunks)``: the file's bytes, decompressed if Spark compressed them."""
    fh = path.open("rb")
    head = fh.read(16)
    fh.seek(0)
    codec = detect_codec(head)
    streams = {
        "zstd": _zstd_stream,
        "lz4": _lz4_block_stream,
        "lz4-frame": _lz4_frame_stream,
        "snappy": _snappy_java_stream,
        "snappy-framed": _snappy_framed_stream,
        "gzip": _gzip_stream,
        "zlib": lambda f: _zlib_stream(f, zlib.MAX_WBITS),
        "pyspark-frames": _framed_zlib_stream,
        "plain": _file_chunks,
    }

    def chunks() -> Iterator[bytes]:
        with fh:
            yield from streams[codec](fh)

    return codec, chunks()


def read_decoded(path: Path) -> bytes:
    """The whole decoded content of ``path`` (tests and small files)."""
    buf = io.BytesIO()
    for chunk in open_decoded(path)[1]:
        buf.write(chunk)
    return buf.getvalue()
