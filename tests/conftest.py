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
