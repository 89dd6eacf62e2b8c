"""Open any file Spark leaves behind as a stream of decompressed bytes.

Spark writes event logs with its own codecs: zstd (zstd-jni frames), lz4
(lz4-java's ``LZ4Block`` format, not the LZ4 frame format), snappy
(snappy-java's ``\\x82SNAPPY`` block format) or none; PySpark's spills are frames
of zlib-compressed pickles. The codec is recognised by magic bytes, never by
file name. Decoding is streamed in bounded memory (:mod:`sparkseal.scan.codecs`);
``max_decoded`` bounds the time a bomb can cost.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sparkseal.scan import codecs
from sparkseal.scan.codecs import CorruptStream, TruncatedStream

__all__ = [
    "CorruptStream",
    "Decoded",
    "TruncatedStream",
    "detect_codec",
    "open_decoded",
    "read_decoded",
]

READ_SIZE = 8 << 20


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


_STREAMS: dict[str, Callable[[BinaryIO], Iterator[bytes]]] = {
    "zstd": codecs.zstd_stream,
    "lz4": codecs.lz4_block_stream,
    "lz4-frame": codecs.lz4_frame_stream,
    "snappy": codecs.snappy_java_stream,
    "snappy-framed": codecs.snappy_framed_stream,
    "gzip": lambda f: codecs.inflate_stream(f, 16 + zlib.MAX_WBITS),
    "zlib": lambda f: codecs.inflate_stream(f, zlib.MAX_WBITS),
    "pyspark-frames": codecs.pyspark_frames_stream,
    "plain": lambda f: codecs.file_chunks(f, READ_SIZE),
}


class _Unread(io.RawIOBase):
    """A non-seekable stream with the bytes already read for detection put back."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._rest.close()
        super().close()


class Decoded:
    """The decoded bytes of one file, as chunks; ``raw_pos`` tells progress on disk.

    When a compressed file decodes to more than ``max_decoded`` bytes, iteration
    stops there and :attr:`capped` is set: the caller must say the rest was not
    scanned.
    """

    def __init__(self, fh: BinaryIO, codec: str, max_decoded: int | None) -> None:
        self.codec = codec
        self._fh = fh
        self.seekable = fh.seekable()
        self._max = max_decoded if codec != "plain" else None
        self.decoded = 0
        self.capped = False
        self._gen = self._chunks()

    def raw_pos(self) -> int:
        """How far into the file (compressed bytes) decoding has read."""
        try:
            return self._fh.tell() if self.seekable and not self._fh.closed else 0
        except (OSError, ValueError):
            return 0

    def _chunks(self) -> Iterator[bytes]:
        with self._fh:
            try:
                yield from self._capped()
            except (OSError, CorruptStream):
                raise
            except Exception as exc:  # a decoder's own error type: the input is corrupt
                raise CorruptStream(f"{self.codec}: {type(exc).__name__}: {exc}") from None

    def _capped(self) -> Iterator[bytes]:
        for chunk in _STREAMS[self.codec](self._fh):
            if self._max is not None and self.decoded + len(chunk) > self._max:
                yield chunk[: self._max - self.decoded]
                self.decoded, self.capped = self._max, True
                return
            self.decoded += len(chunk)
            if chunk:
                yield chunk

    def __iter__(self) -> Iterator[bytes]:
        return self._gen

    def __next__(self) -> bytes:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()
        self._fh.close()


def open_decoded(path: Path, max_decoded: int | None = None) -> tuple[str, Decoded]:
    """Return ``(codec, chunks)``: the file's bytes, decompressed if Spark compressed them.

    ``max_decoded`` (compressed files only) stops iteration after that many
    decoded bytes and sets ``chunks.capped``.
    Pipes and FIFOs are read as streams.
    """
    fh: BinaryIO = path.open("rb")
    try:
        head = fh.read(16)
        if fh.seekable():
            fh.seek(0)
        else:
            fh = io.BufferedReader(_Unread(head, fh), READ_SIZE)  # type: ignore[assignment]
    except OSError:
        fh.close()
        raise
    codec = detect_codec(head)
    return codec, Decoded(fh, codec, max_decoded)


def read_decoded(path: Path) -> bytes:
    """The whole decoded content of ``path`` (tests and small files); a stream that
    ends early gives what decoded."""
    buf = io.BytesIO()
    with contextlib.suppress(TruncatedStream):
        for chunk in open_decoded(path)[1]:
            buf.write(chunk)
    return buf.getvalue()
