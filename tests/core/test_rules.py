"""One copy of the cross-language text rules, and both languages agree on a shared corpus."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from sparkseal.core import rules

CORPUS = Path(__file__).with_name("rules_corpus.json")


def python_verdicts(texts: list[str]) -> list[dict]:
    redaction = re.compile(rules.REDACTION_REGEX)
    return [
        {
            "has_word": rules.has_word(t),
            "condition": rules.readable_condition(t),
            "redacted": bool(redaction.search(t)),
            "token": bool(rules.TOKEN_RE.search(t)),
        }
        for t in texts
    ]


def test_python_and_java_agree_on_the_corpus():
    from tests.jvm.conftest import run_seal_tool

    texts = json.loads(CORPUS.read_text())
    proc = run_seal_tool("rules", CORPUS)
    assert proc.returncode == 0, proc.stderr
    java = json.loads(proc.stdout)
    disagreements = [
        (t, p, j) for t, p, j in zip(texts, python_verdicts(texts), java, strict=True) if p != j
    ]
    assert disagreements == []


def test_numbers_of_every_kind_count_as_words():
    for text in ["½", "²³", "①", "Ⅻ", "٣", "0"]:
        assert rules.has_word(text), text
    for text in ["", " :\n", "()[]", "_", "\u00a0"]:
        assert not rules.has_word(text), repr(text)


def test_only_registered_conditions_stay_readable():
    assert rules.readable_condition("[DIVIDE_BY_ZERO] x") == "[DIVIDE_BY_ZERO]"
    assert rules.readable_condition("[INVALID_PARAMETER_VALUE.PATTERN] x")
    assert rules.readable_condition("[ACME_CORP_SSN_078051120] x") == ""
    assert rules.readable_condition("[INVALID_PARAMETER_VALUE.NOT_A_SUB] x") == ""
    assert rules.readable_condition("x [DIVIDE_BY_ZERO]") == ""


def test_the_rules_file_is_the_only_copy():
    root = Path(__file__).parents[2]
    # The tail: the regex begins like Spark's own default, which the doctor quotes.
    tail = rules.REDACTION_REGEX[-40:]
    copies = [
        p
        for p in [*root.glob("src/**/*.py"), *root.glob("jvm/src/**/*.java")]
        if tail in p.read_text() or "IsAlphabetic" in p.read_text()
    ]
    assert copies == []
    jar_rules = subprocess.run(
        ["unzip", "-p", str(_jar()), "io/sparkseal/rules.json"], capture_output=True, check=True
    ).stdout
    assert json.loads(jar_rules) == json.loads(rules.RULES_FILE.read_text())


def _jar() -> Path:
    from sparkseal.jvm import jar_path

    return jar_path()


def test_python_word_class_is_letters_and_numbers_for_every_code_point():
    import unicodedata

    differ = [
        cp
        for cp in range(0x110000)
        if (unicodedata.category(chr(cp))[0] in "LN") != bool(rules.WORD.match(chr(cp)))
    ]
    assert differ == []
