"""Authenticated encryption of PySpark's Python-side spill files.

PySpark spills to local disk from the Python worker (``pyspark/shuffle.py``:
``ExternalMerger``, ``ExternalGroupBy``, ``ExternalSorter``, ``ExternalList``) as
zlib-compressed pickles, readable by anyone who can read the local dirs, and
loads them back with ``pickle`` -- so anyone who can *write* there runs code in
the executor. Spark's ``spark.io.encryption.enabled`` does not reach these files.

Every spill frame here is compressed, then sealed with AES-256-GCM under a key
generated inside the worker process, which never leaves its memory: spill files
are written and read by the same process, so there is nothing to distribute,
and they are unreadable once the process exits. Each frame's AAD binds it to
its file (a random id in the file's header, known only to this process) and to
its position, and the file's id to the path and inode it was written at, so a
flipped byte, a frame moved within or between files, a file replaced, renamed or
hard-linked over another, or a cut or emptied file fails with
:class:`SpillIntegrityError` before anything is unpickled. Every spill file has a
header, even a partition file that received no records, so an empty file is never
valid.

Results must not change: values leave the worker (task output, ``cache()``) as
stock PySpark would ship them; ``tests/worker/test_spill_differential.py`` compares
spilling jobs with and without the patch.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyspark.serializers import BatchedSerializer, CompressedSerializer, CPickleSerializer

NONCE = 12
TAG = 16
MAX_FRAME = 1 << 31
BEST_FRAME = 1 << 16  # PySpark's AutoBatchedSerializer target


class SpillIntegrityError(RuntimeError):
    """A spill file was modified, truncated, reordered or not written by this process."""


MAGIC = b"SSSPILL1"  # "sparkseal spill, version 1"; followed by the file's random id


class _FileState:
    __slots__ = ("frames", "inode", "path")

    def __init__(self, inode: tuple[int, int], path: str | None) -> None:
        self.frames = 0
        self.inode = inode
        self.path = path


def _path(stream: IO[bytes]) -> str | None:
    """The real path a stream was opened at, or None (opened from a descriptor)."""
    name = getattr(stream, "name", None)
    return os.path.realpath(name) if isinstance(name, str | bytes) else None


class SpillKeys:
    """The process's spill key, and for each spill file it wrote: frame count and inode.

    Each file starts with a header holding a random file id; frames are bound to that id
    and to their index. The id's state lives in this process's memory only.
    """

    def __init__(self) -> None:
        self._pid = -1
        self._aead: AESGCM | None = None
        self._files: dict[bytes, _FileState] = {}
        self._writing: dict[tuple[int, int], bytes] = {}  # inode of an open writer -> file id

    def _ensure(self) -> AESGCM:
        # A forked worker must never use its parent's key: files would be shared.
        if self._aead is None or self._pid != os.getpid():
            self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
            self._files, self._writing = {}, {}
            self._pid = os.getpid()
        return self._aead

    @staticmethod
    def _inode(stream: IO[bytes]) -> tuple[int, int]:
        st = os.fstat(stream.fileno())
        return st.st_dev, st.st_ino

    def seal_frames(self, stream: IO[bytes], payloads: Iterable[bytes]) -> None:
        aead = self._ensure()
        inode = self._inode(stream)
        file_id = self._writing.get(inode)
        if file_id is None or stream.tell() == 0:  # a new file (inodes are reused)
            file_id = os.urandom(16)
            self._writing[inode] = file_id
            self._files[file_id] = _FileState(inode, _path(stream))
            stream.write(MAGIC + file_id)
        state = self._files[file_id]
        for payload in payloads:
            nonce = os.urandom(NONCE)
            aad = file_id + struct.pack(">Q", state.frames)
            frame = nonce + aead.encrypt(nonce, payload, aad)
            stream.write(struct.pack(">i", len(frame)))
            stream.write(frame)
            state.frames += 1

    def open_frames(self, stream: IO[bytes]) -> Iterator[bytes]:
        aead = self._ensure()
        name = getattr(stream, "name", "?")
        header = stream.read(len(MAGIC) + 16)
        if not header:  # every spill file gets a header, even one with no records
            raise SpillIntegrityError(f"spill file {name} is empty: it was emptied or replaced")
        if len(header) < len(MAGIC) + 16 or not header.startswith(MAGIC):
            raise SpillIntegrityError(f"spill file {name} is not a sealed spill file")
        file_id = header[len(MAGIC) :]
        state = self._files.get(file_id)
        if state is None:
            raise SpillIntegrityError(f"spill file {name} was not written by this worker process")
        if state.inode != self._inode(stream):
            raise SpillIntegrityError(f"spill file {name} was copied from another spill file")
        path = _path(stream)
        if state.path is not None and path is not None and path != state.path:
            raise SpillIntegrityError(
                f"spill file {name} was renamed or linked from another spill file"
            )
        index = 0
        while True:
            head = stream.read(4)
            if not head:
                break
            if len(head) < 4:
                raise SpillIntegrityError(f"spill file {name} is truncated (frame header)")
            (length,) = struct.unpack(">i", head)
            if not NONCE + TAG <= length < MAX_FRAME:
                raise SpillIntegrityError(f"spill file {name} has a corrupt frame length")
            frame = stream.read(length)
            if len(frame) < length:
                raise SpillIntegrityError(f"spill file {name} is truncated (frame {index})")
            aad = file_id + struct.pack(">Q", index)
            try:
                yield aead.decrypt(frame[:NONCE], frame[NONCE:], aad)
            except InvalidTag:
                raise SpillIntegrityError(
                    f"spill file {name}: frame {index} failed authentication (modified, moved "
                    "or from another file); it was not unpickled"
                ) from None
            index += 1
        if index != state.frames:
            raise SpillIntegrityError(
                f"spill file {name} is truncated: {index} of {state.frames} frames"
            )


KEYS = SpillKeys()


class EncryptedSpillSerializer(BatchedSerializer):
    """PySpark's spill serializer (batched, zlib-compressed pickles), each frame sealed.

    A ``BatchedSerializer`` so that PySpark's ``FlattenedValuesSerializer`` can wrap
    it; batches grow and shrink towards 64 KiB frames like ``AutoBatchedSerializer``,
    or are fixed at ``batch_size``.
    """

    def __init__(self, batch_size: int | None = None, keys: SpillKeys = KEYS) -> None:
        super().__init__(CompressedSerializer(CPickleSerializer()), batch_size or 1)
        self._fixed = batch_size
        self._keys = keys

    def _frames(self, iterator: Iterable[Any]) -> Iterator[bytes]:
        batch = self._fixed or 1
        it = iter(iterator)
        while True:
            items = []
            for item in it:
                items.append(item)
                if len(items) >= batch:
                    break
            if not items:
                return
            payload = self.serializer.dumps(items)
            yield payload
            if self._fixed is None:
                if len(payload) < BEST_FRAME:
                    batch *= 2
                elif len(payload) > BEST_FRAME * 10 and batch > 1:
                    batch //= 2

    def dump_stream(self, iterator: Iterable[Any], stream: IO[bytes]) -> None:
        self._keys.seal_frames(stream, self._frames(iterator))

    def _load_stream_without_unbatching(self, stream: IO[bytes]) -> Iterator[list[Any]]:
        for payload in self._keys.open_frames(stream):
            yield self.serializer.loads(payload)

    def load_stream(self, stream: IO[bytes]) -> Iterator[Any]:
        return chain.from_iterable(self._load_stream_without_unbatching(stream))

    def __repr__(self) -> str:
        return "EncryptedSpillSerializer()"


def _header_empty_partitions(merger: Any, keys: SpillKeys) -> None:
    """Give every partition file of the merger's last spill a header.

    A merger opens one file per partition and writes only to those with records;
    with a header in each, an empty file on reading means tampering, not "no records".
    """
    directory = merger._get_spill_dir(merger.spills - 1)
    for i in range(merger.partitions):
        path = os.path.join(directory, str(i))
        if os.path.exists(path) and os.path.getsize(path) == 0:
            with open(path, "r+b") as stream:
                keys.seal_frames(stream, ())


def install(shuffle: Any, keys: SpillKeys = KEYS) -> None:
    """Point ``pyspark.shuffle``'s spill writers and readers at the encrypted serializer."""

    def compressed_serializer(serializer: Any = None) -> EncryptedSpillSerializer:
        return EncryptedSpillSerializer(keys=keys)

    external_list = shuffle.ExternalList
    originals = shuffle.__dict__.setdefault(
        "_sparkseal_originals",
        {
            "open": external_list._open_file,
            "spill": {
                m: m.__dict__["_spill"] for m in (shuffle.ExternalMerger, shuffle.ExternalGroupBy)
            },
        },
    )  # installing again (tests) wraps PySpark's functions, not our wrappers
    original_open = originals["open"]
    stored_items = external_list.__iter__  # the stored items; ExternalListOfList flattens

    def _open_file(self: Any) -> None:
        original_open(self)
        self._ser = EncryptedSpillSerializer(batch_size=1024, keys=keys)

    def __getstate__(self: Any) -> tuple[list[Any], int, bytes]:
        # Pickled lists leave this process (task output, cache): ship the stored
        # items, as stock PySpark does, not bytes sealed with a key that stays here.
        return list(stored_items(self)), self.count, b""

    def spill_with_headers(original: Any) -> Any:
        def _spill(self: Any) -> None:
            original(self)
            _header_empty_partitions(self, keys)

        return _spill

    shuffle._compressed_serializer = compressed_serializer
    external_list._open_file = _open_file
    external_list.__getstate__ = __getstate__
    for merger, original in originals["spill"].items():
        merger._spill = spill_with_headers(original)
