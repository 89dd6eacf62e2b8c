"""The allow-list's regex-free scanner gives each shape's regex answer (ShapeScanner.java).

Differential: every shape of every logger, filled with valid, borderline and hostile slot
values (fresh canaries, non-ASCII digits and letters, trailing dots, separators) and mutated
(text appended, a character inserted or removed, the streaming prefix), is matched as the
layout matches it and by the regex alone; the shape found and every slot's span must agree.
"""

from __future__ import annotations

import random
import re
import subprocess
import uuid
from pathlib import Path

import pytest

HARNESS = Path(__file__).with_name("ShapeDiff.java")
VALID = {
    "n": "12.0",
    "size": "5.1 KiB",
    "host": "10.0.0.5",
    "hostport": "host-1:7077",
    "id": "exec_1",
    "class": "org.Foo",
    "users": "alice",
    "sealed": "x",
    "reason": "y",
}
SLOT = re.compile(r"\{(\w+)\}")


def _pool(canary: str) -> list[str]:
    return [
        *VALID.values(),
        *[
            "0",
            "12",
            "-3",
            "1.2.3",
            "12.",
            ".5",
            "-",
            "1..2",
            "1-2",
            "$",
            "_x",
            "$y",
            "a.",
            "a+b",
            "a,b",
            ",",
            ")",
            "(",
            ":",
            "/",
            "@",
        ],
        "",
        " ",
        "a b",
        "PROCESS_LOCAL",
        "rdd_1_2",
        "org.apache.Foo$Bar",
        "/10.0.0.5:7077",
        "alice, bob",
        "12.0)",
        "x\ny",
        "\u0663",  # ARABIC-INDIC DIGIT THREE: not \d without UNICODE_CHARACTER_CLASS
        "\uff11\uff12",  # fullwidth digits
        "\u00e9t\u00e9",
        canary,
        f"1 {canary}",
    ]


def _java(classpath: str, args: list[str], text: str) -> str:
    proc = subprocess.run(
        ["java", "-cp", classpath, str(HARNESS), *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def shapes(java_classpath) -> dict[str, list[tuple[bool, str]]]:
    from tests.jvm.conftest import run_seal_tool

    loggers = run_seal_tool("log-allowlist").stdout.split()
    out = _java(java_classpath, ["templates"], "".join(f"{lg}\n" for lg in loggers))
    blocks = out.split("\n\n")
    result = {}
    for logger, block in zip(loggers, blocks, strict=False):
        rows = [line.split("\t", 1) for line in block.splitlines() if line]
        result[logger] = [(flag == "1", t.replace("\\n", "\n")) for flag, t in rows]
    return result


def _fill(template: str, values) -> str:
    return SLOT.sub(lambda m: next(values)(m.group(1)), template)


def _messages(template: str, rng: random.Random, pool: list[str]) -> list[str]:
    valid = _fill(template, iter(lambda: VALID.__getitem__, None))
    out = [valid, valid + " x", valid + ".", valid[:-1], "[queryId = ab12] [batchId = 3] " + valid]
    for _ in range(3):
        i = rng.randrange(len(valid) + 1)
        out.append(valid[:i] + rng.choice(".,-_ 1a\u0663") + valid[i:])
        out.append(valid[:i] + valid[i + 1 :])
    for _ in range(40):
        out.append(_fill(template, iter(lambda: lambda slot: rng.choice(pool), None)))
    return out


def test_scanner_agrees_with_the_regex_on_every_shape(shapes, java_classpath):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    pool = _pool(f"canary-{uuid.uuid4().hex}@example.com")
    lines, valid_lines = [], []
    for logger, templates in shapes.items():
        for _, template in templates:
            for i, message in enumerate(_messages(template, rng, pool)):
                name = f"org.example.{logger}"  # matched by the simple name, as the layout does
                lines.append((name, message))
                if i == 0:
                    valid_lines.append(len(lines) - 1)
    text = "".join(f"{lg}\t{m.replace(chr(10), chr(92) + 'n')}\n" for lg, m in lines)
    results = [row.split("\t") for row in _java(java_classpath, [], text).splitlines()]
    assert len(results) == len(lines)
    differ = [(lines[i], r) for i, r in enumerate(results) if r[0] != r[1]]
    assert not differ, f"seed {seed}: {differ[:5]}"
    # Controls: the test is not vacuous -- the valid fill of every shape matches, many
    # messages match and many do not, and most shapes take the scanner.
    assert all(results[i][1] != "none" for i in valid_lines), seed
    matched = sum(r[1] != "none" for r in results)
    assert len(lines) // 10 < matched < len(lines) - len(lines) // 10
    flags = [scanned for templates in shapes.values() for scanned, _ in templates]
    assert sum(flags) > len(flags) // 2
