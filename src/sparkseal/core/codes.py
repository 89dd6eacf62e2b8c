"""Stable codes (``SS`` + three digits) for every user-facing refusal, finding and check.

CI matches and suppresses by code, so a code never changes meaning once released.
Each code has a section in ``docs/codes.md`` (a test keeps the two in step).
Families: ``SS0xx`` sealing and keys, ``SS1xx`` secrets and Spark security conf,
``SS2xx`` column protection, ``SS3xx`` scan and unseal, ``SS4xx`` executors and the JVM,
``SS5xx`` Python spills.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str


CODES: dict[str, Code] = {}


def _register(code: str, title: str) -> Code:
    if code in CODES:
        raise ValueError(f"duplicate code {code}")
    CODES[code] = Code(code, title)
    return CODES[code]


def coded(code: str, message: str) -> str:
    """``message`` prefixed with its code, e.g. ``"SS401: ..."``; unknown codes are a bug."""
    if code not in CODES:
        raise KeyError(f"unregistered code {code}")
    return f"{code}: {message}"


# --- SS0xx: sealing and keys ---
_register("SS001", "the public key is missing or invalid")
_register("SS002", "the public key is a low-order point (every token would be readable)")
_register("SS003", "a sealing hook failed; a fixed placeholder was written instead")
_register("SS004", "PySpark or Spark internals sparkseal patches are missing or changed")
