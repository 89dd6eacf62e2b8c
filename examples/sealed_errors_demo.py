"""The sparkseal demo: a job fails on a customer's email; its logs stay sealed.

1. makes a key pair and a policy under ``demo-out/``;
2. runs ``customer_job.py`` on ``local[*]`` with sparkseal, capturing its log;
3. shows the sealed error as it appears in the log;
4. opens it with ``sparkseal unseal`` (as an authorized reader would);
5. runs ``sparkseal scan`` over the log and the event log as a CI gate;
6. shows sensitive columns per role (``columns_job.py``: protect / unprotect);
7. runs ``sparkseal discover`` over the customers table it wrote.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = Path.cwd() / "demo-out"
CLI = [sys.executable, "-m", "sparkseal.cli.main"]
POLICY = """\
[seal]
public_key = "keys/sparkseal.pub"

[protect]
pepper = "file:{keys}/pepper"
token_key = "file:{keys}/token.key"
unprotect_roles = ["fraud"]

[[protect.columns]]
match = "email"
rules.analyst = "hash"
rules.support = {{ rule = "partial", keep_first = 1, keep_last = 4 }}
rules.fraud = "tokenize"

[[protect.columns]]
match = ["ssn", "card"]
rules.support = {{ rule = "partial", keep_last = 4, by_class = true }}
rules.fraud = "encrypt"

[[protect.columns]]
match = "note"
rules.support = "clear"
default = "redact"
"""


def write_secret(path: Path, value: str) -> None:
    """A new file only its owner can read (0600), never written through a symlink."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(value)


def step(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def excerpt(text: str, needle: str, limit: int = 6) -> str:
    lines = [ln for ln in text.splitlines() if needle in ln]
    return "\n".join(ln if len(ln) < 220 else ln[:200] + " ...]" for ln in lines[:limit])


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    step("1. key pair and policy")
    subprocess.run([*CLI, "keygen", "--out", str(OUT / "keys")], check=True)
    for secret in ("pepper", "token.key"):  # column protection's secrets, referenced below
        write_secret(OUT / "keys" / secret, secrets.token_hex(32))
    policy = OUT / "sparkseal.toml"
    policy.write_text(POLICY.format(keys=(OUT / "keys").as_posix()))
    print(f"policy: {policy}")

    step("2. run the job (it fails on a malformed customer email)")
    env = {**os.environ, "SPARKSEAL_POLICY": str(policy), "PYSPARK_PYTHON": sys.executable}
    events = OUT / "events"
    events.mkdir()
    log = OUT / "job.log"
    with log.open("wb") as fh:
        job = subprocess.run(
            [sys.executable, str(HERE / "customer_job.py"), str(events)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    text = log.read_text(errors="replace")
    print(f"job exit code {job.returncode}; log: {log} ({len(text.splitlines())} lines)")

    step("3. the error as it is logged: types and frames readable, data sealed")
    print(excerpt(text, "ValueError"))

    step("4. sparkseal unseal --key demo-out/keys/sparkseal.key demo-out/job.log")
    opened = subprocess.run(
        [*CLI, "unseal", "--key", str(OUT / "keys" / "sparkseal.key"), str(log)],
        capture_output=True,
        text=True,
        check=False,
    )
    print(excerpt(opened.stdout, "ValueError"))

    step("5. sparkseal scan demo-out/job.log demo-out/events --canary <each customer email> ...")
    sys.path.insert(0, str(HERE))
    from customer_job import CUSTOMERS

    canaries = [arg for _, email, _ in CUSTOMERS for arg in ("--canary", email)]
    # Spark logs its hosts' IPv4 addresses; on a cluster pass --allow <your CIDR> instead.
    scan = subprocess.run(
        [*CLI, "scan", str(log), str(events), *canaries, "--skip", "ipv4"], check=False
    )
    leaked = any(email in text for _, email, _ in CUSTOMERS)
    print(f"\nplaintext customer email in the job's log: {'YES' if leaked else 'no'}")

    step("6. sensitive columns per role: sparkseal.protect / unprotect (examples/columns_job.py)")
    table = OUT / "customers.parquet"
    columns = subprocess.run(
        [sys.executable, str(HERE / "columns_job.py"), str(table)], env=env, check=False
    )

    step("7. sparkseal discover demo-out/customers.parquet")
    found = subprocess.run([*CLI, "discover", str(table), "--no-progress"], env=env, check=False)

    ok = (
        job.returncode != 0
        and not leaked
        and scan.returncode == 0
        and opened.returncode == 0
        and columns.returncode == 0
        and found.returncode == 1  # 1: PII found, as it should be
    )
    print("demo", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
