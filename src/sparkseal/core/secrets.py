"""Secret references: a policy names where a secret lives, never the secret itself.

``env:NAME`` reads an environment variable, ``file:PATH`` a file (trailing newline
stripped). Providers are a small registry so that a vault or cloud secret manager
can be added (``register_provider("vault", fn)``) without touching the rules.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sparkseal.core.errors import PolicyError

Provider = Callable[[str], bytes]
_PROVIDERS: dict[str, Provider] = {}
MIN_SECRET_BYTES = 16


def register_provider(scheme: str, provider: Provider) -> None:
    """Make ``<scheme>:<reference>`` resolvable by ``provider(reference) -> bytes``."""
    _PROVIDERS[scheme] = provider


def _env(name: str) -> bytes:
    value = os.environ.get(name)
    if value is None:
        raise PolicyError(f"secret env:{name}: the environment variable is not set")
    return value.encode("utf-8")


def _file(path: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise PolicyError(f"secret file:{path}: cannot read it ({exc.strerror})") from None


register_provider("env", _env)
register_provider("file", _file)


def is_reference(text: str) -> bool:
    scheme, sep, rest = text.partition(":")
    return bool(sep and rest and scheme in _PROVIDERS)


def resolve(reference: str, what: str) -> bytes:
    """The secret ``reference`` points to; ``what`` names the policy field in errors."""
    scheme, sep, rest = reference.partition(":")
    if not sep or scheme not in _PROVIDERS:
        schemes = ", ".join(f"{s}:" for s in sorted(_PROVIDERS))
        raise PolicyError(
            f"{what}: secrets are referenced, never written in the policy; use one of {schemes}"
        )
    try:
        secret = _PROVIDERS[scheme](rest)
    except PolicyError as exc:
        raise PolicyError(f"{what}: {exc}") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise PolicyError(f"{what}: the secret is shorter than {MIN_SECRET_BYTES} bytes")
    return secret
