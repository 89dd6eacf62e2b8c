import subprocess
from pathlib import Path

import pytest

from sparkseal.jvm import jar_path, pyspark_jars


@pytest.fixture(scope="session")
def java_classpath() -> str:
    return f"{jar_path()}:{pyspark_jars()}/*"


def run_seal_tool(*args: object, input: str = "") -> subprocess.CompletedProcess:
    """Run io.sparkseal.SealTool, the JVM side's test and benchmark entry point."""
    classpath = f"{jar_path()}:{pyspark_jars()}/*"
    return subprocess.run(
        ["java", "-cp", classpath, "io.sparkseal.SealTool", *map(str, args)],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def seal_tool():
    return run_seal_tool


@pytest.fixture
def key_text_files(tmp_path, private_key) -> tuple[Path, Path]:
    pub, key = tmp_path / "pub.txt", tmp_path / "key.txt"
    pub.write_text(private_key.public.to_text())
    key.write_text(private_key.to_text())
    return pub, key
