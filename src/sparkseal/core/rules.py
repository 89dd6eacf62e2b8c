"""The text rules shared with the Java side, loaded from the one copy, ``rules.json``.

What counts as text that can carry data (the word class), which leading
``[CONDITION]`` stays readable, the redaction regex and the token grammar must be
the same in Python and in the JVM, or one side leaks what the other seals. Both
load ``rules.json`` (the build copies it into the jar); a parity test runs both on
one corpus (``tests/core/test_rules.py``).
"""

from __future__ import annotations

import json
import re
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_RULES: dict[str, Any] = json.loads(
    resources.files("sparkseal.core").joinpath("rules.json").read_text("utf-8")
)
RULES_FILE = Path(str(resources.files("sparkseal.core").joinpath("rules.json")))

# Python's re lacks \p{L}/\p{N}; this class is the same set (checked by the tests).
WORD = re.compile(_RULES["word_class_python"])
TOKEN_RE = re.compile(_RULES["token"])
REDACTION_REGEX: str = _RULES["redaction_regex"]
SUPPORTED_SPARK: str = _RULES["supported_spark"]  # a version prefix, e.g. "4.3."
CONNECT_KEYED_RULE: str = _RULES["connect_keyed_rule"]
CONNECT_PROTECT_CONF: str = _RULES["connect_protect_conf"]
LOG_FIELD_NAME: str = _RULES["log_field_name"]
_CONDITION_PREFIX = re.compile(_RULES["condition_prefix"])


def has_word(text: str) -> bool:
    """True if ``text`` holds a letter or number: it could carry data."""
    return WORD.search(text) is not None


@cache
def spark_conditions() -> dict[str, frozenset[str]]:
    """Spark's error-condition registry: condition -> its sub-conditions."""
    import pyspark

    jars = Path(pyspark.__file__).resolve().parent / "jars"
    jar = next(iter(sorted(jars.glob("spark-common-utils_*.jar"))), None)
    if jar is None:
        return {}
    with zipfile.ZipFile(jar) as zf:
        registry = json.loads(zf.read("error/error-conditions.json"))
    return {name: frozenset((info.get("subClass") or {}).keys()) for name, info in registry.items()}


def known_condition(name: str) -> bool:
    """True if ``name`` (``NAME`` or ``NAME.SUB``) is in Spark's error-condition registry."""
    main, _, sub = name.partition(".")
    subs = spark_conditions().get(main)
    return subs is not None and (not sub or sub in subs)


def readable_condition(message: str) -> str:
    """The leading ``[CONDITION]`` of ``message`` if Spark's registry knows it, else ``""``."""
    m = _CONDITION_PREFIX.match(message)
    return m.group(0) if m and known_condition(m.group(1)) else ""
