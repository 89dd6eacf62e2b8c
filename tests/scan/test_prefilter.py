"""The one-pass Hyperscan engine finds exactly what the RE2 path finds.

Differential: generated text mixing every detector's shapes, near-misses,
separators on both sides, canary forms, tokens and binary garbage, scanned by
both engines; equal hit lists (kinds, values, counts, order), equal reports
(masked output and ``--json``), also when values straddle read buffers and cut
lines. The fallback is tested by hiding the wheel.
"""

from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkseal.scan import detectors as detectors_mod
from sparkseal.scan import prefilter, sources
from sparkseal.scan import scanner as scanner_mod
from sparkseal.scan.detectors import Detectors
from sparkseal.scan.matching import ChunkScanner, canary_forms
from sparkseal.scan.scanner import Scanner

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="hyperscan wheel missing")

CANARY = 'zoë "q" <b>@example.com'
SHAPES = [
    # IPv4 and its near-misses: versions, 4-digit octets, out of range, leading zeros
    "10.0.1.13", "192.168.1.300", "1.2.3.4.5", "py4j-0.10.9.9.jar", "01.2.3.4", "255.255.255.255",
    "0.0.0.0", "10.0.0.1000", "1.2.3.4.", "127.0.0.1", "8.8.8.8", "999.1.1.1", "1.2.3",
    # the rare kinds, valid and invalid
    "bob.smith+x@mail.example.co.uk", "a@b.cd", "x@y", "4111 1111 1111 1111", "4111111111111112",
    "2000 078-05-1120", "123-45-6789", "000-12-3456", "(415) 555-0132", "+44 20 7946 0958",
    "415.555.0132", "+1 2", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
    "GB82WEST12345698765433", "1795326425742",
    # canary forms, a token-looking prefix
    *(f.decode("utf-8") for f in canary_forms(CANARY)), "[SEALED:1:X:abcd:", "alan@example.net",
]  # fmt: skip
SEPARATORS = [" ", "\n", ".", "-", "_", "a", "Z", "0", "9", ":", "(", ")", "+", '"', "\t", "", "/"]

# A shape between two separators: the boundaries each detector checks on either side.
framed = st.tuples(
    st.sampled_from(SEPARATORS), st.sampled_from(SHAPES), st.sampled_from(SEPARATORS)
).map(lambda t: "".join(t).encode())
piece = st.one_of(
    framed,
    st.sampled_from(SHAPES).map(str.encode),
    st.sampled_from(SEPARATORS).map(str.encode),
    st.from_regex(rb"\A[0-9. -]{1,20}\Z"),
    st.binary(max_size=12),
)
texts = st.lists(piece, max_size=60).map(b"".join)

HS = Detectors(engine="hyperscan")
RE2 = Detectors(engine="re2")


def _hits(d: Detectors, buf: bytes) -> list[tuple[str, bytes, int]]:
    return [(h.kind, h.value, h.count) for h in d.find(buf)]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_detectors_agree(buf: bytes) -> None:
    assert _hits(HS, buf) == _hits(RE2, buf)


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from([(), ("email",), ("ipv4",), ("card", "ipv4", "ssn")]))
def test_chunk_scanners_agree_with_canaries(buf: bytes, kinds: tuple[str, ...]) -> None:
    hs = ChunkScanner([CANARY, "alan@example.net"], kinds, ["8.8.8.8"], "hyperscan")
    re2 = ChunkScanner([CANARY, "alan@example.net"], kinds, ["8.8.8.8"], "re2")
    out = hs.scan((buf, 7))
    assert out == re2.scan((buf, 7))
    for kind, value, _, line in out:  # the line of the value's first occurrence
        if kind != "canary":
            assert line == 7 + buf.count(b"\n", 0, max(buf.find(value), 0))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(texts, min_size=1, max_size=8), st.integers(1, 64), st.booleans())
def test_files_agree_across_buffer_edges(
    tmp_path_factory, parts: list[bytes], read_size: int, compressed: bool
) -> None:
    data = b"\n".join(parts)
    path = tmp_path_factory.mktemp("f") / ("x.log.gz" if compressed else "x.log")
    path.write_bytes(gzip.compress(data) if compressed else data)

    def report(engine: str) -> str:
        return Scanner(canaries=[CANARY], jobs=1, engine=engine).scan([path]).to_json()

    def found(report_json: str) -> list[tuple[str, str, int]]:
        # Not the line: it is that of the value's first appearance in its chunk, even
        # inside a longer value ("10.0.1.1310.0.1.13"), so it depends on where chunks end.
        return [(f["kind"], f["masked"], f["count"]) for f in json.loads(report_json)["findings"]]

    whole = report("hyperscan")
    with pytest.MonkeyPatch.context() as mp:  # undone after each example
        # Tiny read buffers: values straddle the decoder's chunks and are whole again.
        mp.setattr(sources, "READ_SIZE", read_size)
        small = report("hyperscan")
        assert small == report("re2")
        assert sorted(found(small)) == sorted(found(whole))
        # A tiny line carry as well: long lines are cut (with an overlap); engines agree.
        mp.setattr(scanner_mod, "MAX_LINE_CARRY", 4 * read_size + 64)
        assert report("hyperscan") == report("re2")


def test_ip_dense_log_agrees_and_finds(tmp_path: Path) -> None:
    lines = [
        f"26/11/22 INFO Starting task {i} (10.0.{i % 4}.{i % 29 + 1}, executor 1)"
        + (f" {CANARY}" if i == 777 else "")
        + (" card 4111111111111111" if i % 500 == 0 else "")
        for i in range(20000)
    ]
    p = tmp_path / "spark.log"
    p.write_text("\n".join(lines) + "\n")
    hs = Scanner(canaries=[CANARY], jobs=2, engine="hyperscan").scan([p])
    re2 = Scanner(canaries=[CANARY], jobs=1, engine="re2").scan([p])
    assert hs.to_json() == re2.to_json()
    kinds = {f.kind for f in hs.findings}
    assert {"ipv4", "card"} <= kinds
    assert sum(f.count for f in hs.findings if f.kind == "ipv4") == 20000
    assert CANARY not in hs.to_json()


def test_fallback_without_the_wheel(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(prefilter, "_hs", None)
    assert not prefilter.available()
    assert Detectors().engine == "re2"
    with pytest.raises(RuntimeError):
        Detectors(engine="hyperscan")
    p = tmp_path / "a.log"
    p.write_text(f"host 10.1.2.3 mail bob@example.org {CANARY}\n")
    fallback = Scanner(canaries=[CANARY]).scan([p])
    assert [f.kind for f in fallback.findings] == ["canary", "email", "ipv4"]
    monkeypatch.undo()
    assert Scanner(canaries=[CANARY]).scan([p]).to_json() == fallback.to_json()


def test_engine_survives_pickling_for_workers() -> None:
    for engine in ("hyperscan", "re2"):
        cs = pickle.loads(pickle.dumps(ChunkScanner([CANARY], detectors_mod.KINDS, [], engine)))
        assert cs.detectors.engine == engine
    with pytest.raises(ValueError):
        Detectors(engine="grep")
