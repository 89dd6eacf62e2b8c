"""The engine: which functions Spark runs, imports, noqa, config, files that do not parse."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from sparkseal.rules.lint import LintConfigError, lint_file, lint_paths, lint_source, load_config
from sparkseal.rules.lint.engine import build_module
from sparkseal.rules.model import RULES

KNOWN = {c for c, r in RULES.items() if r.tool == "lint"}

UDF_PRINT = """
import pyspark.sql.functions as f
from pyspark.sql.functions import pandas_udf

def helper(x):
    print(x)

@f.udf("string")
def a(x):
    return helper(x)

@pandas_udf("long")
def b(s):
    return s + 1

def c(it):
    for pdf in it:
        yield pdf

def d(row):
    pass

def e(batch, batch_id):
    pass

spark.udf.register("g", lambda x: x, "string")
df.mapInPandas(c, "x long")
rdd.flatMap(d)
df.writeStream.foreachBatch(e)
"""


def test_spark_functions_are_found_with_how_spark_calls_them():
    mod = build_module("m.py", dedent(UDF_PRINT))
    kinds = {sf.name: (sf.kind, sf.on_executor) for sf in mod.spark_functions}
    assert kinds["a"] == ("udf", True)
    assert kinds["helper"] == ("udf", True)  # called from a UDF: runs on executors too
    assert kinds["b"] == ("pandas_udf", True)
    assert kinds["c"] == ("arrow", True)
    assert kinds["d"] == ("rdd", True)
    assert kinds["e"] == ("foreach_batch", False)  # foreachBatch runs on the driver
    assert kinds["lambda"] == ("udf", True)
    assert mod.aliases["f"] == "pyspark.sql.functions"


def test_print_in_a_helper_called_from_a_udf_is_found():
    assert [f.code for f in lint_source(dedent(UDF_PRINT))] == ["SS542"]


def test_files_that_do_not_import_pyspark_are_not_checked():
    src = "def f(x):\n    print(x)\nrdd.map(f)\nx = df.collect()\n"
    assert lint_source(src) == []


def test_noqa_suppresses_the_named_codes_only():
    src = dedent(
        """
        from pyspark.sql import SparkSession
        df = SparkSession.builder.getOrCreate().read.parquet("x")
        a = df.collect()  # noqa: SS550
        b = df.collect()  # noqa: SS541,SS550
        c = df.collect()  # noqa: SS541
        d = df.collect()  # noqa
        """
    )
    assert [f.line for f in lint_source(src)] == [6, 7]


def test_unparsable_and_unreadable_files_are_findings_not_tracebacks(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("from pyspark.sql import functions as F\ndef f(:\n")
    binary = tmp_path / "latin1.py"
    binary.write_bytes(b"x = '\xe9'\n")
    assert [f.code for f in lint_file(bad)] == ["SS595"]
    assert [f.code for f in lint_file(binary)] == ["SS596"]
    assert lint_file(bad)[0].line == 2


def test_directories_are_walked_skipping_venv_build_and_hidden(tmp_path: Path):
    body = (
        "from pyspark.sql import SparkSession\n"
        "x = SparkSession.builder.getOrCreate().range(3).toDF('a')\n"
        "rows = x.filter('a > 1').collect()\n"
    )
    for rel in [
        "pkg/a.py",
        "pkg/sub/b.py",
        ".venv/c.py",
        "build/d.py",
        ".hidden/e.py",
        "pkg/f.txt",
    ]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body)
    findings, n = lint_paths([tmp_path])
    assert n == 2
    assert sorted(Path(f.path).name for f in findings) == []  # range(...) is bounded
    (tmp_path / "pkg" / "g.py").write_text(body.replace("range(3).toDF('a')", "read.parquet('p')"))
    findings, n = lint_paths([tmp_path])
    assert n == 3 and [Path(f.path).name for f in findings] == ["g.py"]


def _project(tmp_path: Path, section: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f"[project]\nname='x'\n\n[tool.sparkseal.lint]\n{section}\n"
    )
    (tmp_path / "tests").mkdir()
    job = (
        "from pyspark.sql import SparkSession\n"
        "df = SparkSession.builder.getOrCreate().read.parquet('x')\n"
        "rows = df.collect()\n"
        "for c in df.columns:\n"
        "    df = df.withColumn(c, df[c])\n"
    )
    (tmp_path / "job.py").write_text(job)
    (tmp_path / "tests" / "test_job.py").write_text(job)
    return tmp_path


def test_pyproject_ignore_and_per_file_ignores(tmp_path: Path):
    root = _project(tmp_path, 'ignore = ["SS552"]\nper-file-ignores = { "tests/*" = ["SS55"] }')
    cfg = load_config(root / "tests", KNOWN)  # found by walking up
    findings, n = lint_paths([root], cfg)
    assert n == 2
    assert [(Path(f.path).name, f.code) for f in findings] == [("job.py", "SS550")]


def test_pyproject_select_and_exclude(tmp_path: Path):
    root = _project(tmp_path, 'select = ["SS552"]\nexclude = ["tests/*"]')
    findings, n = lint_paths([root], load_config(root, KNOWN))
    assert n == 1 and [f.code for f in findings] == ["SS552"]


@pytest.mark.parametrize(
    ("section", "code"),
    [
        ('ignore = "SS552"', "SS597"),
        ("colour = 1", "SS597"),
        ('ignore = ["SS998"]', "SS599"),
        ('per-file-ignores = { "a/*" = ["SS000"] }', "SS599"),
    ],
)
def test_bad_config_is_a_coded_error(tmp_path: Path, section: str, code: str):
    root = _project(tmp_path, section)
    with pytest.raises(LintConfigError, match=code):
        load_config(root, KNOWN)


def test_a_toml_syntax_error_is_ss597(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.sparkseal.lint\n")
    with pytest.raises(LintConfigError, match="SS597"):
        load_config(tmp_path, KNOWN)


def test_messages_never_repeat_a_literal_from_the_code():
    canary = "canary-7f3a9c1e0b2d4e6f8a1b3c5d7e9f0a2b"
    src = dedent(
        f"""
        import logging
        from pyspark.sql import SparkSession
        from pyspark.sql.functions import udf
        spark = SparkSession.builder.config("spark.authenticate.secret", "{canary}").getOrCreate()

        @udf("string")
        def f(x):
            raise ValueError(f"{canary} {{x}}")

        try:
            pass
        except Exception as e:
            logging.getLogger("x").error(f"{canary} {{e}}")
        """
    )
    findings = lint_source(src)
    assert {f.code for f in findings} == {"SS540", "SS541", "SS543"}
    assert canary in src  # control: the canary is in the code that was linted
    assert not any(canary in f.message for f in findings)


def test_parallel_linting_finds_the_same_as_serial():
    corpus = Path(__file__).parents[1] / "corpus"
    serial, n1 = lint_paths([corpus], jobs=1)
    parallel, n2 = lint_paths([corpus], jobs=2)
    key = lambda f: (f.path, f.line, f.column, f.code)  # noqa: E731
    assert n1 == n2 >= 60
    assert sorted(map(key, serial)) == sorted(map(key, parallel)) != []
