"""The JVM component: a small Java module (log4j2 plugins, HPKE sealing) and its build.

The jar is compiled with ``javac`` against the jars inside the installed ``pyspark``
wheel -- there is no Maven here -- and kept next to this file. A wheel ships it
prebuilt; a source checkout builds it on first use (``sparkseal jvm-build``
builds it explicitly).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sparkseal.core.errors import SparkSealError
from sparkseal.core.rules import RULES_FILE

JAR_NAME = "sparkseal-jvm.jar"
PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_JAR = PACKAGE_DIR / JAR_NAME
LOG4J_CONFIG = PACKAGE_DIR / "log4j2-sparkseal.properties"
# The same with Spark 4's JSON layout, when spark.log.structuredLogging.enabled is true.
LOG4J_JSON_CONFIG = PACKAGE_DIR / "log4j2-sparkseal-json.properties"
# Java sources live in the repository's jvm/ directory (a source checkout or editable install).
SOURCE_DIR = PACKAGE_DIR.parents[2] / "jvm" / "src"
# Compile-only stand-ins for annotations log4j-core refers to but pyspark does not ship.
STUB_DIR = PACKAGE_DIR.parents[2] / "jvm" / "stubs"
AGENT_CLASS = "io.sparkseal.attest.Agent"
LOG4J_PROCESSOR = "org.apache.logging.log4j.core.config.plugins.processor.PluginProcessor"


class JvmBuildError(SparkSealError):
    """The JVM component is missing and cannot be built here."""

    code = "SS407"


def pyspark_jars() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent / "jars"


def _sources() -> list[Path]:
    return sorted(SOURCE_DIR.rglob("*.java")) if SOURCE_DIR.is_dir() else []


def _stale(jar: Path, sources: list[Path]) -> bool:
    if not jar.exists():
        return True
    built = jar.stat().st_mtime
    return any(s.stat().st_mtime > built for s in sources)


def build(out: Path = PACKAGED_JAR) -> Path:
    """Compile the Java sources into ``out``; :class:`JvmBuildError` says what is missing."""
    sources = _sources()
    if not sources:
        raise JvmBuildError(
            f"the Java sources are not here ({SOURCE_DIR}); install a sparkseal wheel that "
            "ships sparkseal-jvm.jar"
        )
    javac, jar_tool = shutil.which("javac"), shutil.which("jar")
    if not javac or not jar_tool:
        raise JvmBuildError("javac and jar (a JDK 17) are needed to build sparkseal's JVM part")
    with tempfile.TemporaryDirectory(prefix="sparkseal-jvm-") as tmp:
        stubs = Path(tmp) / "stubs"
        javac_base = [javac, "--release", "17", "-nowarn", "-encoding", "UTF-8"]
        stub_sources = [str(p) for p in sorted(STUB_DIR.rglob("*.java"))]
        subprocess.run([*javac_base, "-d", str(stubs), *stub_sources], check=True)
        classpath = os.pathsep.join([str(pyspark_jars() / "*"), str(stubs)])
        classes = Path(tmp) / "classes"
        cmd = [*javac_base, "-cp", classpath]
        cmd += ["-processor", LOG4J_PROCESSOR, "-d", str(classes), *map(str, sources)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise JvmBuildError(f"javac failed:\n{proc.stderr[-4000:]}")
        # The rules shared with Python: one copy, in the Python package, read from the jar.
        shutil.copyfile(RULES_FILE, classes / "io" / "sparkseal" / "rules.json")
        tmp_jar = Path(tmp) / JAR_NAME
        manifest = Path(tmp) / "MANIFEST.MF"  # the jar is also the Java agent (-javaagent)
        manifest.write_text(f"Premain-Class: {AGENT_CLASS}\n", encoding="ascii")
        cmd = [jar_tool, "cfm", str(tmp_jar), str(manifest), "-C", str(classes), "."]
        subprocess.run(cmd, check=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_jar, out.with_suffix(".tmp"))
        os.replace(out.with_suffix(".tmp"), out)
    return out


def jar_path() -> Path:
    """The JVM component's jar, built first if it is missing or older than its sources."""
    sources = _sources()
    if sources and _stale(PACKAGED_JAR, [*sources, RULES_FILE]):
        return build()
    if not PACKAGED_JAR.exists():
        raise JvmBuildError(
            f"{PACKAGED_JAR} is missing; reinstall sparkseal (its wheel ships the jar)"
        )
    return PACKAGED_JAR
