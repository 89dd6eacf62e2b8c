"""Secret references: a policy names where a secret lives, never the secret itself.

``env:NAME`` reads an environment variable, ``file:PATH`` a file (trailing newline
stripped). Providers are a small registry so that a vault or cloud secret manager
can be added (``register_provider("vault", fn)``) for secrets Python reads.

Column secrets (``[protect] pepper`` and ``token_key``) are read by the driver JVM
itself, from the same reference (``io.sparkseal.protect.Secrets``), so that they never
cross py4j as an argument: those references must be ``env:`` or ``file:``
(:func:`jvm_reference`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sparkseal.core.codes import coded
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
        raise PolicyError(f"{what}: {exc.reason}") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise PolicyError(f"{what}: the secret is shorter than {MIN_SECRET_BYTES} bytes")
    return secret


JVM_SCHEMES = ("env", "file")
"""The references the JVM reads itself (``io.sparkseal.protect.Secrets``)."""


def jvm_reference(reference: str, what: str) -> str:
    """``reference`` as the JVM must read it: ``file:`` paths made absolute here.

    The JVM's working directory is the one Python had when it launched the JVM; a path
    relative to Python's current directory is resolved before it crosses, so both read
    the same file. Only ``env:`` and ``file:`` are accepted (SS204).
    """
    scheme, sep, rest = reference.partition(":")
    if not sep or not rest or scheme not in JVM_SCHEMES:
        raise PolicyError(
            coded(
                "SS204",
                f"{what}: column secrets are read by the JVM itself, from env:NAME or "
                "file:PATH only (a vault agent can render the secret to a file or the "
                "environment)",
            )
        )
    if scheme == "file":
        rest = str(Path(rest).expanduser().absolute())
    return f"{scheme}:{rest}"


def explain_jvm_error(message: str) -> str:
    """A JVM secret error, with the likely cause when Python sees an env var the JVM does not.

    The driver JVM inherits the environment of the process that launched it, once: a
    variable set in ``os.environ`` afterwards is invisible to it (SS202).
    """
    marker = ": secret env:"
    if message.startswith("SS201:") and marker in message:
        name = message.split(marker, 1)[1].split(":", 1)[0]
        if name in os.environ:
            what = message.removeprefix("SS201: ").split(":", 1)[0]
            return coded(
                "SS202",
                f"{what}: secret env:{name} is set in this Python process but not in the "
                "driver JVM's environment, which the JVM copied once when it started: set "
                f"{name} before the SparkSession is created (or export it before launching "
                "python or spark-submit)",
            )
    return message
