"""The policy: one typed place for what sparkseal does and its defaults.

A policy comes from a TOML file, a mapping, ``$SPARKSEAL_POLICY`` or
``./sparkseal.toml``, in that order. The minimum is::

    [seal]
    public_key = "keys/sparkseal.pub"   # relative to the policy file

Unknown fields are errors (a typo must not silently switch a protection off),
and every error names the field that is wrong.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

from sparkseal.core.errors import KeyFileError, PolicyError
from sparkseal.core.keys import PUBLIC_PREFIX, PublicKey, load_public, parse_public
from sparkseal.core.suites import SuiteName

ENV_POLICY = "SPARKSEAL_POLICY"
DEFAULT_POLICY_FILE = "sparkseal.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SealPolicy(_Strict):
    """How text is sealed."""

    public_key: str
    """Path to ``sparkseal.pub`` (relative to the policy file), or the key's one-line text."""

    suite: SuiteName | None = None
    """If set, the public key must be of this suite (guards against a wrong key file)."""

    @field_validator("public_key")
    @classmethod
    def _not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must name a public key file (run `sparkseal keygen --out DIR`)")
        return v.strip()


class DriverPolicy(_Strict):
    """Which driver-side hooks :func:`sparkseal.harden` installs."""

    excepthook: bool = True
    """Seal uncaught exceptions (``sys.excepthook``, ``threading.excepthook``)."""

    logging: bool = True
    """Seal exceptions carried by ``logging`` records (``exc_info``, exception args)."""


class JvmPolicy(_Strict):
    """The JVM side: log4j2 sealing in drivers and executors."""

    enabled: bool = True
    """Seal what Spark's JVMs log (throwables, failure echoes). Needs an x25519 key."""

    log4j_config: str | None = None
    """Your own log4j2 configuration instead of sparkseal's; it must declare the
    ``SparksealFilter`` and use ``%sm``/``%sex`` (checked on the driver at start)."""


class Policy(_Strict):
    """A validated policy with its public key loaded."""

    seal: SealPolicy
    driver: DriverPolicy = DriverPolicy()
    jvm: JvmPolicy = JvmPolicy()

    _public_key: PublicKey | None = PrivateAttr(default=None)
    _source: str = PrivateAttr(default="<mapping>")

    @property
    def source(self) -> str:
        return self._source

    @property
    def public_key(self) -> PublicKey:
        assert self._public_key is not None
        return self._public_key


def _format_validation_error(exc: ValidationError, source: str) -> str:
    lines = [f"invalid policy ({source}):"]
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "<root>"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/policy.md)"
        lines.append(f"  {field}: {msg}")
    return "\n".join(lines)


def _resolve_public_key(value: str, base_dir: Path | None, source: str) -> PublicKey:
    try:
        if value.startswith(PUBLIC_PREFIX + ":"):
            return parse_public(value, "seal.public_key")
        path = Path(value).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return load_public(path)
    except KeyFileError as exc:
        raise PolicyError(f"invalid policy ({source}):\n  seal.public_key: {exc}") from None


def policy_from_mapping(
    data: Mapping[str, Any], source: str = "<mapping>", base_dir: Path | None = None
) -> Policy:
    """Validate a mapping (e.g. parsed TOML) into a :class:`Policy`."""
    try:
        policy = Policy.model_validate(dict(data))
    except ValidationError as exc:
        raise PolicyError(_format_validation_error(exc, source)) from None
    public = _resolve_public_key(policy.seal.public_key, base_dir, source)
    if policy.seal.suite is not None and public.suite.name is not policy.seal.suite:
        raise PolicyError(
            f"invalid policy ({source}):\n  seal.suite: is {policy.seal.suite.value!r} but the "
            f"public key is {public.suite.name.value!r}; generate a matching key with "
            f"`sparkseal keygen --suite {policy.seal.suite.value}`"
        )
    if policy.jvm.enabled and public.suite.name is not SuiteName.X25519:
        raise PolicyError(
            f"invalid policy ({source}):\n  seal.public_key: the JVM side seals with x25519 keys "
            "only; use an x25519 key, or set [jvm] enabled = false (JVM logs then stay unsealed)"
        )
    policy._public_key = public
    policy._source = source
    return policy


def policy_from_file(path: str | os.PathLike[str]) -> Policy:
    p = Path(path).expanduser()
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise PolicyError(f"policy file not found: {p}") from None
    except OSError as exc:
        raise PolicyError(f"policy file could not be read: {p}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"policy file is not valid TOML: {p}: {exc}") from None
    return policy_from_mapping(data, source=str(p), base_dir=p.resolve().parent)


PolicyLike = Policy | Mapping[str, Any] | str | os.PathLike[str] | None


def load_policy(policy: PolicyLike = None) -> Policy:
    """Load a policy: a Policy, a mapping, a path, $SPARKSEAL_POLICY, or ./sparkseal.toml."""
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return policy_from_mapping(policy, base_dir=Path.cwd())
    if policy is not None:
        return policy_from_file(policy)
    env = os.environ.get(ENV_POLICY)
    if env:
        return policy_from_file(env)
    if Path(DEFAULT_POLICY_FILE).is_file():
        return policy_from_file(DEFAULT_POLICY_FILE)
    raise PolicyError(
        "no sparkseal policy given: pass policy=..., set $SPARKSEAL_POLICY, or create "
        './sparkseal.toml with\n  [seal]\n  public_key = "PATH/sparkseal.pub"\n'
        "(create a key pair with `sparkseal keygen --out DIR`)"
    )
