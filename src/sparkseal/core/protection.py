"""The ``[protect]`` part of the policy: which columns, which rule for which role.

```toml
[protect]
default = "drop"                     # protected columns for roles without a rule: drop or null
pepper = "env:SPARKSEAL_PEPPER"      # secret of the hash rule
token_key = "file:/etc/sparkseal/token.key"  # secret of tokenize and encrypt
unprotect_roles = ["fraud"]          # roles allowed to reverse tokenize / encrypt
users = { "alice@corp.example" = "analyst" }  # current_user() -> role

[[protect.columns]]
match = ["email", "*_email"]         # exact names or globs, case-insensitive
rules.analyst = "hash"
rules.support = { rule = "partial", keep_last = 4 }
rules.fraud = "tokenize"
default = "redact"                   # other roles (without it: the deny default above)
domain = "customer-email"            # tokens' domain (default: "match:" + the patterns)
accept_v1 = false                    # unprotect opens pre-domain tok1./enc1. values here
```

Secrets are referenced (``env:``, ``file:``), never written here. The models
below are the schema only; :mod:`sparkseal.columns` compiles them to Spark.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sparkseal.core.codes import coded

DOMAIN_MAX = 1024


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clear(_Rule):
    """The value as it is, for roles allowed to see it."""

    rule: Literal["clear"] = "clear"


class Null(_Rule):
    rule: Literal["null"] = "null"


class Redact(_Rule):
    """A fixed text for every non-null value (null for non-string columns)."""

    rule: Literal["redact"] = "redact"
    text: str = "[REDACTED]"


class Partial(_Rule):
    """Keep the first/last characters, mask the rest; values too short are masked whole."""

    rule: Literal["partial"] = "partial"
    keep_first: int = Field(0, ge=0)
    keep_last: int = Field(0, ge=0)
    mask_char: str = Field("*", min_length=1, max_length=1)
    by_class: bool = False
    """Mask like Spark's mask(): upper -> X, lower -> x, digit -> n (the shape stays)."""


class Hash(_Rule):
    """HMAC-SHA256 with the policy's pepper, hex."""

    rule: Literal["hash"] = "hash"


class Tokenize(_Rule):
    """Deterministic AES-256-GCM with a synthetic IV: joins; reversible by unprotect."""

    rule: Literal["tokenize"] = "tokenize"


class Encrypt(_Rule):
    """Randomized AES-256-GCM: reversible by unprotect."""

    rule: Literal["encrypt"] = "encrypt"


class Generalize(_Rule):
    """Dates to month or year, numbers to buckets of ``size``, text to its first ``size`` chars."""

    rule: Literal["generalize"] = "generalize"
    to: Literal["month", "year", "bucket", "prefix"]
    size: int = Field(10, gt=0)


Rule = Annotated[
    Clear | Null | Redact | Partial | Hash | Tokenize | Encrypt | Generalize,
    Field(discriminator="rule"),
]


def _spelled_out(rule: Any) -> Any:
    return {"rule": rule} if isinstance(rule, str) else rule


class ColumnProtection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    match: list[str] = Field(min_length=1)
    rules: dict[str, Rule] = {}
    default: Rule | None = None
    """The rule for roles ``rules`` does not name; without it, the policy's deny default."""
    domain: str | None = None
    """Tokens and ciphertexts are bound to it; entries whose columns join share one."""
    accept_v1: bool = False
    """``unprotect`` opens version 1 values (``tok1.``/``enc1.``, bound to no domain) here."""

    @field_validator("match", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("rules", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        # rules.analyst = "hash" is short for rules.analyst = { rule = "hash" }
        if isinstance(v, dict):
            return {role: _spelled_out(r) for role, r in v.items()}
        return v

    @field_validator("default", mode="before")
    @classmethod
    def _default_shorthand(cls, v: Any) -> Any:
        return _spelled_out(v)

    @model_validator(mode="after")
    def _domain_text(self) -> ColumnProtection:
        d = self.token_domain
        if not d or len(d) > DOMAIN_MAX or any(ord(c) < 0x20 or ord(c) == 0x7F for c in d):
            raise ValueError(
                coded(
                    "SS207",
                    f"domain {d[:40]!r}: a domain is 1-{DOMAIN_MAX} characters without "
                    "control characters",
                )
            )
        return self

    @property
    def token_domain(self) -> str:
        """The domain tokens of these columns are bound to: ``domain``, else from ``match``.

        The default, ``match:`` + the patterns lower-cased and joined by ``,``, changes when
        the patterns do: set ``domain`` to the old default before editing ``match``.
        """
        if self.domain is not None:
            return self.domain
        return "match:" + ",".join(p.lower() for p in self.match)

    def rule_for(self, role: str | None) -> Rule | None:
        """The role's rule, else this column's default; None means deny."""
        rule = self.rules.get(role) if role is not None else None
        return rule if rule is not None else self.default

    def matches(self, column: str) -> bool:
        name = column.lower()
        return any(fnmatchcase(name, pattern.lower()) for pattern in self.match)


class ProtectPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Literal["drop", "null"] = "drop"
    pepper: str | None = None
    token_key: str | None = None
    unprotect_roles: list[str] = []
    users: dict[str, str] = {}
    columns: list[ColumnProtection] = []

    @field_validator("pepper", "token_key")
    @classmethod
    def _referenced(cls, v: str | None) -> str | None:
        from sparkseal.core.secrets import JVM_SCHEMES, is_reference

        if v is not None and not is_reference(v):
            raise ValueError("must reference a secret (env:NAME or file:PATH), not contain it")
        if v is not None and v.partition(":")[0] not in JVM_SCHEMES:
            raise ValueError(
                coded("SS204", "column secrets are read by the JVM itself: use env: or file:")
            )
        return v

    @model_validator(mode="after")
    def _keys_for_keyed_rules(self) -> ProtectPolicy:
        for i, column in enumerate(self.columns):
            named = {f"rules.{role}": rule for role, rule in column.rules.items()}
            for where, rule in {**named, "default": column.default}.items():
                needs = "pepper" if isinstance(rule, Hash) else "token_key"
                if isinstance(rule, Hash | Tokenize | Encrypt) and getattr(self, needs) is None:
                    raise ValueError(
                        f"columns[{i}].{where}: rule {rule.rule!r} needs protect.{needs}"
                    )
        return self

    def column_rule(self, column: str) -> ColumnProtection | None:
        """The first protection whose ``match`` covers ``column``, or None (not protected)."""
        return next((c for c in self.columns if c.matches(column)), None)
