"""A wheel built from a clean clone carries its jar and works where there is no JDK compiler.

Issue 11: build the wheel (PEP 517, the build compiles the Java module), install it into a
fresh virtualenv, then run a hardened ``local-cluster`` job from that virtualenv with a PATH
that has ``java`` but no ``javac`` or ``jar``, and scan what it leaves behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.artifacts import leaks, run_app

ROOT = Path(__file__).parents[2]
JDK_BUILD_TOOLS = {"javac", "jar", "jarsigner", "javadoc", "jlink", "jmod", "jdeps", "jshell"}


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False, **kw)
    assert proc.returncode == 0, f"{cmd[:3]}: {proc.stderr[-3000:]}"
    return proc


def _path_without_compilers(tmp: Path) -> str:
    """A PATH with every command of the system's but the JDK's build tools."""
    bindir = tmp / "bin-no-jdk-tools"
    bindir.mkdir()
    for directory in ("/usr/local/bin", "/usr/bin"):
        for entry in Path(directory).iterdir():
            target = bindir / entry.name
            if entry.name not in JDK_BUILD_TOOLS and not target.exists():
                target.symlink_to(entry)
    return str(bindir)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to clone")
    tmp = tmp_path_factory.mktemp("wheel")
    clone = tmp / "clone"
    _run(["git", "clone", "-q", str(ROOT), str(clone)])
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(clone)])
    wheels = list(dist.glob("sparkseal-*.whl"))
    assert len(wheels) == 1
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheels[0])])
    return venv


@pytest.mark.cluster
def test_the_wheel_ships_the_jar_and_no_java_source(installed):
    site = next(installed.glob("lib/python*/site-packages"))
    assert (site / "sparkseal" / "jvm" / "sparkseal-jvm.jar").is_file()
    assert (site / "sparkseal" / "core" / "rules.json").is_file()
    assert not list(site.rglob("*.java"))


@pytest.mark.cluster
def test_a_hardened_cluster_job_from_the_wheel_leaks_nothing(installed, tmp_path, policy_file):
    python = str(installed / "bin" / "python")
    path = f"{installed / 'bin'}:{_path_without_compilers(tmp_path)}"
    probe = _run(
        [python, "-c", "import shutil; print(shutil.which('javac'))"],
        env={**os.environ, "PATH": path},
    )
    assert probe.stdout.strip() == "None"
    run = run_app(
        tmp_path / "run",
        policy_file,
        "local-cluster[2,1,1024]",
        "rdd_map,python_udf,jvm_cast_invalid_input,jvm_filter_literal",
        python=python,
        worker_python=python,
        env_extra={"PATH": path, "PYTHONPATH": ""},
        work_dir=next(installed.glob("lib/python*/site-packages")) / "pyspark" / "work",
    )
    assert set(run.manifest["outcomes"]) == {
        "rdd_map",
        "python_udf",
        "jvm_cast_invalid_input",
        "jvm_filter_literal",
    }
    assert all(o != "no error" for o in run.manifest["outcomes"].values()), run.manifest
    executors = run.text("executor/")
    assert executors and str(installed) in executors  # the wheel's Spark, jar and hooks ran
    assert leaks(run) == []
