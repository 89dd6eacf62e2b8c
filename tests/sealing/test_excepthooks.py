"""Uncaught and unraisable exceptions, and asyncio's never-retrieved task errors, printed
sealed by a driver that installed the hooks; the control shows what they print without."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import run_python

SCRIPT = """
import asyncio, gc, logging, sys
canary = sys.argv[1]
if sys.argv[2] == "hooks":
    from sparkseal.core.policy import load_policy
    from sparkseal.driver.install import install_driver_hooks
    install_driver_hooks(load_policy(sys.argv[3]))

class Holder:
    def __repr__(self):
        return f"Holder({canary}-repr)"
    def __del__(self):
        raise ValueError(f"cannot close {canary}-del")

Holder()
gc.collect()

async def failing():
    raise ValueError(f"task failed on {canary}-task")

async def main():
    asyncio.ensure_future(failing())
    await asyncio.sleep(0.05)

asyncio.run(main())
gc.collect()
"""


def _run(mode: str, policy_file) -> str:
    canary = f"unraisable-{secrets.token_hex(6)}@example.org"
    code = f"import sys\nsys.argv[1:] = {[canary, mode, str(policy_file)]!r}\n{SCRIPT}"
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return canary, proc.stderr


def test_unraisable_and_asyncio_errors_are_printed_sealed(policy_file, opener):
    canary, stderr = _run("hooks", policy_file)
    assert "Exception ignored in" in stderr and "Task exception was never retrieved" in stderr
    assert canary not in stderr
    opened = opener.unseal_text(stderr)[0]
    for part in ("-del", "-task"):
        assert f"{canary}{part}" in opened, part


@pytest.mark.parametrize("mode", ["stock"])
def test_control_without_hooks_python_prints_the_data(mode, policy_file):
    canary, stderr = _run(mode, policy_file)
    for part in ("-del", "-task"):
        assert f"{canary}{part}" in stderr, part


EXIT_SCRIPT = """
import sys
canary, mode, policy, status = sys.argv[1:5]
if mode == "hooks":
    from sparkseal.core.policy import load_policy
    from sparkseal.driver.install import install_driver_hooks
    install_driver_hooks(load_policy(policy))
try:
    sys.exit(f"caught {canary}")
except SystemExit as exc:
    print("caught code:", exc.code)
sys.exit(int(status) if status.isdigit() else f"refusing customer {canary}")
"""


@pytest.mark.parametrize("mode", ["hooks", "control"])
def test_sys_exit_messages_are_printed_sealed(mode, policy_file, opener):
    canary = f"exit-{secrets.token_hex(6)}@example.org"
    args = [canary, mode, str(policy_file), "message"]
    proc = run_python(f"import sys\nsys.argv[1:] = {args!r}\n{EXIT_SCRIPT}")
    assert proc.returncode == 1
    if mode == "control":  # what Python prints without sparkseal: the value
        assert canary in proc.stderr and canary in proc.stdout
        return
    assert canary not in proc.stderr + proc.stdout
    assert f"refusing customer {canary}" in opener.unseal_text(proc.stderr.strip())[0]
    assert f"caught {canary}" in opener.unseal_text(proc.stdout.strip())[0]


def test_sys_exit_statuses_are_unchanged(policy_file):
    for status in ("0", "3"):
        args = ["x", "hooks", str(policy_file), status]
        proc = run_python(f"import sys\nsys.argv[1:] = {args!r}\n{EXIT_SCRIPT}")
        assert proc.returncode == int(status), proc.stderr
