"""The PEP 517 build backend: setuptools, with sparkseal's jar compiled into every wheel.

A wheel must work where there is no JDK and no Java source, so building one compiles the
Java module with ``javac`` against the jars of the pinned ``pyspark`` (a build requirement)
and ships the jar as package data. Only the build needs a JDK. Editable installs are left
to ``sparkseal build-jvm``, as in development.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook we do not change

ROOT = Path(__file__).resolve().parents[1]
# The jars the Java module compiles against; only wheel builds need them.
PYSPARK = "pyspark==4.3.0"


def _compile_jar() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from sparkseal.jvm import JvmBuildError, build  # stdlib-only imports

        try:
            print(f"sparkseal: compiled {build()}", file=sys.stderr)
        except JvmBuildError as exc:  # a wheel without its jar would not work: no wheel
            raise SystemExit(f"sparkseal: cannot build the wheel: {exc}") from None
    finally:
        sys.path.remove(str(ROOT / "src"))


def get_requires_for_build_wheel(config_settings=None):
    return [*_setuptools.get_requires_for_build_wheel(config_settings), PYSPARK]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _compile_jar()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
