"""Run the verification job and judge what it left behind, surface by surface."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.scan.scanner import Scanner
from sparkseal.verify.private import open_private

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
SCAN = "SS313"
"""Every surface scanned for the canary and the auth secret."""
EXPECTED_FAILURES = {"python error", "jvm error"}


@dataclass(frozen=True)
class Check:
    """One verdict; ``code`` names the check (the same code whatever its status), so CI
    can match or suppress it: conf checks share their code with ``sparkseal doctor``'s rule."""

    code: str
    surface: str
    status: str
    detail: str


def run_job(out: Path, master: str, policy: str | None, timeout: int = 1800) -> dict:
    env = dict(os.environ)
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    if policy:
        env["SPARKSEAL_POLICY"] = str(Path(policy).resolve())
    stdout, stderr = open_private(out / "driver.stdout"), open_private(out / "driver.stderr")
    with os.fdopen(stdout, "wb") as so, os.fdopen(stderr, "wb") as se:
        proc = subprocess.run(
            [sys.executable, "-m", "sparkseal.verify.job", str(out), master],
            stdout=so,
            stderr=se,
            env=env,
            timeout=timeout,
            check=False,
            umask=0o077,  # what the job and its Spark write is owner-only (it holds the secret)
        )
    result_file = out / "result.json"
    if proc.returncode != 0 or not result_file.exists():
        tail = (out / "driver.stderr").read_text(errors="replace").splitlines()[-5:]
        raise SparkSealError(
            coded(
                "SS314",
                "the verification job did not complete (exit code "
                f"{proc.returncode}); last lines of its log:\n  " + "\n  ".join(tail),
            )
        )
    return json.loads(result_file.read_text())


def _plaintext(paths: list[Path], secrets: list[str]) -> tuple[int, list[str]]:
    existing = [p for p in paths if p.exists()]
    report = Scanner(canaries=secrets, kinds=[], jobs=1).scan(existing)
    return report.files, sorted({f"{Path(f.path).name}:{f.line}" for f in report.findings})


def _scan_check(
    surface: str, paths: list[Path], secrets: list[str], empty_ok: bool = False
) -> Check:
    files, found = _plaintext(paths, secrets)
    if found:
        return Check(SCAN, surface, FAIL, f"plaintext in {len(found)} place(s), e.g. {found[0]}")
    if files == 0:
        if empty_ok:
            return Check(SCAN, surface, PASS, "nothing left on disk")
        return Check(SCAN, surface, WARN, "nothing to scan (not exercised)")
    return Check(SCAN, surface, PASS, f"{files} file(s), no plaintext")


def _conf_checks(conf: dict[str, str], result: dict) -> list[Check]:
    checks = []
    auth = conf.get("spark.authenticate") == "true"
    checks.append(
        Check(
            "SS500",
            "RPC authentication",
            PASS if auth else FAIL,
            "spark.authenticate=true" if auth else "spark.authenticate is off",
        )
    )
    crypto_ok = (
        conf.get("spark.network.crypto.enabled") == "true"
        and conf.get("spark.network.crypto.cipher", "").upper() == "AES/GCM/NOPADDING"
        and conf.get("spark.network.crypto.saslFallback") == "false"
    )
    checks.append(
        Check(
            "SS501",
            "RPC encryption",
            PASS if crypto_ok else FAIL,
            "AES/GCM, no SASL fallback"
            if crypto_ok
            else "needs network.crypto on, AES/GCM/NoPadding, saslFallback=false",
        )
    )
    io_ok = conf.get("spark.io.encryption.enabled") == "true"
    bits = conf.get("spark.io.encryption.keySizeBits", "128")
    checks.append(
        Check(
            "SS504",
            "JVM shuffle/spill/cache encryption",
            PASS if io_ok and bits == "256" else FAIL,
            f"io.encryption {'on' if io_ok else 'off'}, {bits}-bit keys",
        )
    )
    if result.get("commons_crypto_native"):
        checks.append(
            Check("SS310", "JVM cipher implementation", PASS, "commons-crypto uses OpenSSL")
        )
    else:
        reason = result.get("commons_crypto_error") or "unknown reason"
        checks.append(
            Check(
                "SS310",
                "JVM cipher implementation",
                WARN,
                f"commons-crypto could not load OpenSSL ({reason}); Spark falls back "
                "to the JDK's AES (slower, still encrypted)",
            )
        )
    spill = conf.get("spark.executorEnv.SPARKSEAL_SPILL_ENCRYPTION", "1") != "0"
    checks.append(
        Check(
            "SS311",
            "Python spill encryption",
            PASS if spill else FAIL,
            "AES-256-GCM, key in worker memory" if spill else "turned off in the policy",
        )
    )
    return checks


def judge(out: Path, result: dict, spark_home: Path) -> list[Check]:
    secrets = [result["canary"]] + ([result["auth_secret"]] if result.get("auth_secret") else [])
    checks = _conf_checks(result["conf"], result)
    for name, outcome in result["workloads"].items():
        expected_fail = name in EXPECTED_FAILURES
        ok = outcome.startswith("failed") if expected_fail else outcome == "ran"
        if not ok:
            checks.append(Check("SS312", f"workload: {name}", FAIL, outcome))
    captured = sorted((out / "captured").glob("*"))
    python_spills = [p for p in captured if "python" in p.name]
    checks.append(_scan_check("local dirs, during the jobs", captured, secrets))
    checks.append(_scan_check("Python spill files", python_spills, secrets))
    checks.append(_scan_check("local dirs, after the jobs", [out / "local"], secrets, True))
    checks.append(_scan_check("event log", [out / "events"], secrets))
    checks.append(
        _scan_check("driver log", [out / "driver.stdout", out / "driver.stderr"], secrets)
    )
    executors = spark_home / "work" / result["app_id"]
    if executors.exists():
        checks.append(_scan_check("executor logs", [executors], secrets))
    return checks


def to_json(checks: list[Check]) -> str:
    return json.dumps(
        {"passed": all(c.status != FAIL for c in checks), "checks": [asdict(c) for c in checks]},
        indent=2,
    )
