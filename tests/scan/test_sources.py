"""Decoding files compressed by Spark's own codecs (written through the JVM)."""

import gzip
import zlib

import pytest

from sparkseal.scan.sources import CorruptStream, detect_codec, open_decoded, read_decoded

DATA = b"".join(b'{"Event":"x","n":%d,"email":"zoe@example.com"}\n' % i for i in range(20000))


def _spark_compress(spark, codec: str, path) -> None:
    jvm = spark._jvm
    conf = spark.sparkContext._jsc.sc().conf()
    c = jvm.org.apache.spark.io.CompressionCodec.createCodec(conf, codec)
    out = c.compressedOutputStream(jvm.java.io.FileOutputStream(str(path)))
    for i in range(0, len(DATA), 1 << 16):
        out.write(bytearray(DATA[i : i + (1 << 16)]))
    out.close()


@pytest.mark.parametrize(
    "codec, detected", [("zstd", "zstd"), ("lz4", "lz4"), ("snappy", "snappy")]
)
def test_spark_codecs(spark, tmp_path, codec, detected):
    path = tmp_path / f"events.{codec}"
    _spark_compress(spark, codec, path)
    assert detect_codec(path.read_bytes()[:16]) == detected
    assert read_decoded(path) == DATA


def test_zlib_concatenated_streams_and_gzip(tmp_path):
    z = tmp_path / "spill"
    z.write_bytes(zlib.compress(DATA[:1000]) + zlib.compress(DATA[1000:]))
    assert read_decoded(z) == DATA
    g = tmp_path / "x.gz"
    g.write_bytes(
        gzip.compress(DATA[:1000], mtime=0) + gzip.compress(DATA[1000:], mtime=0) + b"\0" * 8
    )
    header = (
        gzip.compress(b"", mtime=0)[:10] + b"\0"
    )  # each member's header is passed on, then a NUL
    assert read_decoded(g) == header + DATA[:1000] + header + DATA[1000:]


def test_plain_and_truncated(spark, tmp_path):
    p = tmp_path / "plain.log"
    p.write_bytes(DATA)
    assert open_decoded(p)[0] == "plain" and read_decoded(p) == DATA
    z = tmp_path / "events.zstd"
    _spark_compress(spark, "zstd", z)
    # An in-progress event log ends mid-frame: what is there is still read.
    z.write_bytes(z.read_bytes()[: len(z.read_bytes()) // 2])
    partial = read_decoded(z)
    assert partial and DATA.startswith(partial)
    z.write_bytes(b"\x28\xb5\x2f\xfd" + b"\xff" * 64)
    with pytest.raises(CorruptStream):
        read_decoded(z)
