import subprocess
from pathlib import Path

import pytest

from sparkseal.jvm import jar_path, pyspark_jars


@pytest.fixture(scope="session")
def java_classpath() -> str:
    return f"{jar_path()}:{pyspark_jars()}/*"


@pytest.fixture
def seal_tool(java_classpath):
    """Run io.sparkseal.SealTool, the JVM side's test and benchmark entry point."""

    def run(*args: str, input: str = ""):
        return subprocess.run(
            ["java", "-cp", java_classpath, "io.sparkseal.SealTool", *map(str, args)],
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def key_text_files(tmp_path, private_key) -> tuple[Path, Path]:
    pub, key = tmp_path / "pub.txt", tmp_path / "key.txt"
    pub.write_text(private_key.public.to_text())
    key.write_text(private_key.to_text())
    return pub, key
