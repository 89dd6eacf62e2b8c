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
