"""Column protection on a local cluster: no key or pepper in any artifact, in any encoding.

One local-cluster application runs every keyed rule (DataFrame API, role views in SQL,
unprotect, every explain mode, plans logged at INFO) and a rule that fails on bad data.
``sparkseal scan --canary`` then looks for the pepper and the token key -- as text, hex
and base64 -- in driver stdout/stderr, executor stderr, the event log, the UI dump and the
local dirs. A control proves the scan finds a key put in a plan the seed-003 way.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.artifacts import SPARK_HOME, leaks, run_app, unseal

CASES = "protect_every_rule,protect_failure_quotes_data"


def encodings(secret: bytes) -> list[str]:
    return [
        secret.decode(),
        secret.hex(),
        base64.b64encode(secret).decode(),
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
    ]


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("protect-keys")
    paths = {name: root / name for name in ("pepper", "token_key")}
    for path in paths.values():
        path.write_text(os.urandom(24).hex())
    return paths


@pytest.fixture(scope="module")
def run(tmp_path_factory, policy_file, key_dir, keys):
    policy = key_dir / "protect.toml"
    policy.write_text(
        policy_file.read_text()
        + f"""
[protect]
pepper = "file:{keys["pepper"]}"
token_key = "file:{keys["token_key"]}"
unprotect_roles = ["fraud"]

[[protect.columns]]
match = "email"
rules.analyst = "hash"
rules.support = {{ rule = "partial", keep_last = 4 }}
rules.fraud = "tokenize"
rules.ops = "encrypt"

[[protect.columns]]
match = "dob"
rules.analyst = {{ rule = "generalize", to = "year" }}
"""
    )
    out = tmp_path_factory.mktemp("protect")
    return run_app(out, policy, "local-cluster[2,1,1024]", CASES, "--conf", "spark.log.level=INFO")


def _scan(paths: list[Path], canaries: list[str]) -> subprocess.CompletedProcess:
    args = [a for c in canaries for a in ("--canary", c)]
    cmd = [sys.executable, "-m", "sparkseal.cli.main", "scan", *map(str, paths), *args]
    return subprocess.run(
        [*cmd, "--only", "email", "--no-progress"], capture_output=True, check=False
    )


def test_the_rules_ran_and_the_failure_was_sealed(run, key_dir):
    assert run.manifest["outcomes"]["protect_every_rule"] == "no error"
    assert run.manifest["outcomes"]["protect_failure_quotes_data"] != "no error"
    assert any(k.startswith("executor/") for k in run.artifacts), "no executor logs"
    assert "sparkseal_hash" in run.text("driver/stdout")  # the explain output is there
    assert leaks(run) == []
    opened = unseal(run.text("driver/stderr"), key_dir)
    assert run.canaries["protect_failure_quotes_data"] in opened


def test_no_key_in_any_artifact(run, keys):
    canaries = [e for path in keys.values() for e in encodings(path.read_bytes())]
    paths = [run.out / n for n in ("driver.stdout", "driver.stderr", "events", "ui", "local")]
    paths.append(SPARK_HOME / "work" / run.manifest["app_id"])
    scanned = _scan([p for p in paths if p.exists()], canaries)
    assert scanned.returncode == 0, scanned.stdout.decode()[-3000:]


def test_the_scan_finds_a_key_passed_the_seed_003_way(spark, keys, tmp_path):
    """Spark's aes_encrypt with a literal key: the key is in the plan, and the scan says so."""
    import contextlib
    import io

    from pyspark.sql import functions as F

    key = keys["token_key"].read_bytes()[:32]
    df = spark.createDataFrame([("x@example.com",)], "email string")
    plan = io.StringIO()
    with contextlib.redirect_stdout(plan):
        df.select(F.aes_encrypt("email", F.lit(key.decode()))).explain("extended")
    (tmp_path / "plan.txt").write_text(plan.getvalue())
    scanned = _scan([tmp_path], encodings(key))
    assert scanned.returncode == 1


def test_domains_and_counts_hold_on_separate_executor_jvms(private_key, keys):
    """On local-cluster: executors read keys from the broadcast, count moved tokens, and the
    session still lists no keyed function after protect, unprotect and role views."""
    from tests.conftest import run_python

    proc = run_python(
        f"""
        import json
        from pyspark.sql import SparkSession
        from sparkseal.conf import classpath_conf
        import sparkseal
        from sparkseal.columns import rejected_tokens
        builder = SparkSession.builder.master("local-cluster[2,1,1024]")
        for k, v in classpath_conf({{}}).items():
            builder = builder.config(k, v)
        spark = builder.config("spark.ui.enabled", "false").getOrCreate()
        policy = {{"seal": {{"public_key": "{private_key.public.to_text()}"}},
                   "protect": {{"token_key": "file:{keys["token_key"]}",
                               "pepper": "file:{keys["pepper"]}", "unprotect_roles": ["fraud"],
                               "columns": [{{"match": "email", "rules": {{"fraud": "tokenize"}}}},
                                           {{"match": "phone", "rules": {{"fraud": "encrypt",
                                                                         "analyst": "hash"}}}}]}}}}
        rows = [(i, f"user{{i}}@example.com", f"+1 555 {{i:04d}}") for i in range(200)]
        df = spark.createDataFrame(rows, "id int, email string, phone string").repartition(4)
        made = sparkseal.protect(df, "fraud", policy)
        swapped = made.select("id", made.phone.alias("email"), made.email.alias("phone"))
        moved = swapped.where("id < 50").unionByName(made.where("id >= 50"))
        opened = sparkseal.unprotect(moved, "fraud", policy).collect()
        sparkseal.create_role_views(spark, df, ["fraud", "analyst"], name="c", policy=policy)
        spark.sql("SELECT * FROM c_analyst").collect()
        print("RESULT", json.dumps({{
            "nulls": sum(r.email is None and r.phone is None for r in opened),
            "clear": sum(r.email == f"user{{r.id}}@example.com" for r in opened),
            "rejected": rejected_tokens(spark),
            "functions": [r[0] for r in spark.sql("SHOW USER FUNCTIONS").collect()],
        }}))
        """,
        env={"PYSPARK_PYTHON": sys.executable},
        timeout=600,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stderr[-3000:]
    import json

    result = json.loads(lines[0].removeprefix("RESULT "))
    assert result["nulls"] == 50 and result["clear"] == 150
    assert result["rejected"] == {"match:email": 50, "match:phone": 50}
    assert result["functions"] == []
