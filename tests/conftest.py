"""Shared fixtures: a key pair, a sealer, an opener and a policy file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sparkseal.core import keys
from sparkseal.core.token import Opener, Sealer

# Spark's Python workers must run this interpreter (it has sparkseal installed).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("keys")
    keys.write_pair(keys.generate(), out)
    return out


@pytest.fixture(scope="session")
def private_key(key_dir: Path) -> keys.PrivateKey:
    return keys.load_private(key_dir / keys.PRIVATE_FILE)


@pytest.fixture(scope="session")
def sealer(private_key: keys.PrivateKey) -> Sealer:
    return Sealer(private_key.public)


@pytest.fixture(scope="session")
def opener(private_key: keys.PrivateKey) -> Opener:
    return Opener([private_key])


@pytest.fixture(scope="session")
def policy_file(key_dir: Path) -> Path:
    path = key_dir / "sparkseal.toml"
    path.write_text('[seal]\npublic_key = "sparkseal.pub"\n')
    return path


@pytest.fixture(scope="session")
def spark():
    """A local[2] session for tests that need a real JVM.

    Not hardened (tests/e2e runs hardened apps in their own processes); only sparkseal's
    jar is on its classpath, for the column-protection functions.
    """
    from pyspark.sql import SparkSession

    from sparkseal.conf import classpath_conf

    builder = SparkSession.builder.master("local[2]").appName("sparkseal-tests")
    for key, value in classpath_conf({}).items():
        builder = builder.config(key, value)
    session = (
        builder.config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def run_python(code: str, env: dict | None = None, timeout: int = 300):
    """Run ``code`` in a fresh interpreter (for tests that change process-wide hooks)."""
    import subprocess
    import textwrap

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
