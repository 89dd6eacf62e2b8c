"""``file_batches``: one directory per micro-batch, committed by an atomic rename.

Each batch is written to a hidden temporary sibling (``_tmp-batch_id=N-...``: Spark's
readers skip names starting with ``_``), then renamed to ``batch_id=N``. A replayed
batch is written again and replaces the old directory, so a restart from the
checkpoint never leaves two copies. Readers see ``path`` as a table partitioned by
``batch_id``. Needs a filesystem whose rename is atomic (local, HDFS); object stores
(S3, GCS, ABFS) are refused: their "rename" is a copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.sinks.errors import SinkError

ATOMIC_RENAME_SCHEMES = frozenset({"file", "hdfs", "viewfs"})
FORMATS = frozenset({"parquet", "orc", "json", "csv", "avro", "text"})


class FileBatches:
    """The ``foreachBatch`` function (see :func:`file_batches`)."""

    idempotent = True

    def __init__(self, path: str, fmt: str, options: Mapping[str, str]) -> None:
        if fmt not in FORMATS:
            raise SinkError(coded("SS975", f"format must be one of {', '.join(sorted(FORMATS))}"))
        if not path:
            raise SinkError(coded("SS975", "file_batches needs a path"))
        self.path, self.format, self.options = path.rstrip("/"), fmt, dict(options)

    def batch_dir(self, batch_id: int) -> str:
        return f"{self.path}/batch_id={int(batch_id)}"

    def __call__(self, df: Any, batch_id: int) -> None:
        spark = df.sparkSession
        jvm = spark._jvm
        hpath = jvm.org.apache.hadoop.fs.Path
        root = hpath(self.path)
        fs = root.getFileSystem(spark._jsc.hadoopConfiguration())
        scheme = fs.getUri().getScheme()
        if scheme not in ATOMIC_RENAME_SCHEMES:
            raise SinkError(coded(
                "SS975", f"file_batches needs an atomic rename; {scheme}:// has none "
                         "(write to a table format with transactions, or to HDFS/local disk)"))
        final = hpath(self.batch_dir(batch_id))
        token = uuid.uuid4().hex
        tmp = hpath(f"{self.path}/_tmp-batch_id={int(batch_id)}-{token}")
        df.write.format(self.format).options(**self.options).save(tmp.toString())
        old = None
        if fs.exists(final):  # a replay: the new copy replaces the old one
            old = hpath(f"{self.path}/_old-batch_id={int(batch_id)}-{token}")
            if not fs.rename(final, old):
                fs.delete(tmp, True)
                raise SinkError(coded("SS977", f"could not move aside batch {batch_id}'s "
                                               "previous directory"))
        if not fs.rename(tmp, final):
            fs.delete(tmp, True)
            raise SinkError(coded("SS977", f"could not rename batch {batch_id} into place"))
        if old is not None:
            fs.delete(old, True)


def file_batches(path: str, format: str = "parquet", *,
                 options: Mapping[str, str] | None = None) -> FileBatches:
    """A ``foreachBatch`` function writing each batch to ``path/batch_id=N`` atomically."""
    return FileBatches(path, format, options or {})
