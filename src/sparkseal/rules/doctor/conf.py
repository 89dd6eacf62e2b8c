"""The effective Spark configuration ``sparkseal doctor`` judges, and where each key came from.

Sources, each overriding the ones before it (the order Spark and sparkseal apply them):

1. ``spark-defaults.conf`` files (``--defaults FILE``, repeatable), read as
   ``spark-submit`` reads them: Java properties (``key value``, ``key=value`` or
   ``key:value``; ``#``/``!`` comments; ``\\`` continuation lines; values trimmed), and
   only ``spark.*`` keys (spark-submit ignores the rest);
2. ``--conf KEY=VALUE`` arguments, as a job's builder settings or ``spark-submit --conf``;
3. a sparkseal policy (``--policy``): what :func:`sparkseal.harden` adds on top of 1 and 2
   -- the preset fills the keys that are not set (an explicit setting is the user's
   choice), the sealing settings always hold, the JVM options are appended;
4. a running application (``--url``): the ``sparkProperties`` its REST API
   ``/api/v1/applications/<id>/environment`` reports (what is really in force).

A setting keeps its file and line, so SARIF can point at it; values are never printed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.rules.model import Finding


class DoctorInputError(SparkSealError):
    """A source of configuration could not be read; the message starts with its code."""


@dataclass(frozen=True)
class Setting:
    """One key's value and where it was set."""

    key: str
    value: str
    source: str
    """``spark-defaults.conf``, ``--conf``, ``policy`` or ``application``."""
    path: str | None = None
    line: int | None = None


@dataclass
class EffectiveConf:
    """The keys in force after every source was applied; Spark's defaults for the rest."""

    settings: dict[str, Setting] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    ui_answered_anonymously: str | None = None
    """The ``--url`` whose REST API answered a request without credentials, if any."""
    primary_file: str | None = None
    """The last defaults file read: where a finding about a key it lacks points (code
    scanning shows only results that have a file)."""
    non_idempotent_sinks: list[str] = field(default_factory=list)
    """Sinks the policy's ``[resilience] sinks`` declares ``idempotent = false``."""

    def apply(self, settings: Iterable[Setting], source: str) -> None:
        for s in settings:
            self.settings[s.key] = s
        self.sources.append(source)

    def get(self, key: str, default: str | None = None) -> str | None:
        s = self.settings.get(key)
        return s.value.strip() if s is not None else default

    def flag(self, key: str, default: bool) -> bool:
        """A boolean setting as Spark reads it (``true``/``false``, case-insensitive)."""
        value = self.get(key)
        if value is None:
            return default
        return value.lower() == "true"

    def keys(self) -> list[str]:
        return sorted(self.settings)

    def values(self) -> dict[str, str]:
        return {k: s.value for k, s in self.settings.items()}

    def finding(self, code: str, message: str, key: str) -> Finding:
        """A finding on ``key``: at its file and line when a defaults file set it, else at
        the defaults file without a line (the key is missing there), else nowhere."""
        s = self.settings.get(key)
        if s is not None and s.line is not None:
            path, line = s.path, s.line
        else:
            path, line = self.primary_file, None
        return Finding(code=code, message=message, path=path, line=line, conf_key=key)


# --- spark-defaults.conf (java.util.Properties.load, as spark-submit reads it) ---

_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "u" and i + 6 <= len(text):
            try:
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            except ValueError:
                pass
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, logical line) with continuations joined and comments dropped."""
    result: list[tuple[int, str]] = []
    physical = text.splitlines()
    i = 0
    while i < len(physical):
        start = i
        line = physical[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        while _continues(line) and i < len(physical):
            line = line[:-1] + physical[i].lstrip(" \t\f")
            i += 1
        if _continues(line):
            line = line[:-1]
        result.append((start + 1, line))
    return result


def _continues(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def _split(line: str) -> tuple[str, str]:
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "=: \t\f":
            break
        i += 1
    key = line[:i]
    rest = line[i:].lstrip(" \t\f")
    if rest[:1] in ("=", ":") and (i >= len(line) or line[i] in " \t\f"):
        rest = rest[1:].lstrip(" \t\f")
    elif i < len(line) and line[i] in "=:":
        rest = line[i + 1 :].lstrip(" \t\f")
    return _unescape(key), _unescape(rest)


def parse_properties(text: str, path: str) -> list[Setting]:
    """Settings of a ``spark-defaults.conf`` text: ``spark.*`` keys, values trimmed, the
    line each key starts on; a later line wins over an earlier one, as in Spark."""
    settings: dict[str, Setting] = {}
    for number, line in _logical_lines(text):
        key, value = _split(line)
        if key.startswith("spark."):
            settings[key] = Setting(key, value.strip(), "spark-defaults.conf", path, number)
    return list(settings.values())


def read_defaults(path: str | Path) -> list[Setting]:
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DoctorInputError(coded("SS590", f"configuration file not found: {p}")) from None
    except IsADirectoryError:
        raise DoctorInputError(coded("SS590", f"not a file: {p}")) from None
    except OSError as exc:
        raise DoctorInputError(coded("SS590", f"cannot read {p}: {exc.strerror}")) from None
    except UnicodeDecodeError:
        raise DoctorInputError(coded("SS590", f"{p} is not UTF-8 text")) from None
    return parse_properties(text, str(path))


# --- --conf KEY=VALUE ---


def parse_conf_args(args: Iterable[str]) -> list[Setting]:
    settings: list[Setting] = []
    for arg in args:
        key, sep, value = arg.partition("=")
        key = key.strip()
        if not sep or not key:
            # The argument may be a value: name neither it nor its parts.
            raise DoctorInputError(coded("SS591", "a --conf argument is not KEY=VALUE"))
        settings.append(Setting(key, value.strip(), "--conf"))
    return settings


# --- a sparkseal policy: what harden() adds ---


def policy_settings(
    policy_path: str | Path, current: Mapping[str, str]
) -> tuple[list[Setting], list[str]]:
    """The conf :func:`sparkseal.harden` would set on a job already configured with
    ``current`` (preset keys only where unset, sealing and JVM settings always), and the
    sinks the policy declares non-idempotent."""
    from sparkseal.auth import AUTH_SECRET_CONF
    from sparkseal.conf import jvm_conf, preset_conf, seal_conf
    from sparkseal.core.policy import policy_from_file

    try:
        policy = policy_from_file(policy_path)
        # A secret in the conf is reported by SS511; here it must not stop the preset.
        options = {k: v for k, v in current.items() if k != AUTH_SECRET_CONF}
        with warnings.catch_warnings():
            # advice about running on a local master (SS972) is not about this conf
            warnings.simplefilter("ignore")
            preset = preset_conf(policy, options)
        required = seal_conf(policy)
        jvm = jvm_conf(policy, options)
    except SparkSealError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DoctorInputError(coded("SS592", f"the policy cannot be applied: {first}")) from None
    merged = {k: v for k, v in preset.items() if k not in options}
    merged.update(required)
    merged.update(jvm)
    resilience = getattr(policy, "resilience", None)
    sinks = list(resilience.non_idempotent_sinks()) if resilience is not None else []
    return [Setting(k, v, "policy", str(policy_path)) for k, v in merged.items()], sinks


# --- a running application's REST API ---


def _get_json(url: str, timeout: float) -> object:
    # Only http(s) URLs get here (application_settings checks the scheme).
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise DoctorInputError(coded("SS593", f"{url} answered HTTP {exc.code}")) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise DoctorInputError(coded("SS593", f"cannot reach {url}: {reason}")) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DoctorInputError(coded("SS593", f"{url} did not answer JSON")) from None


def application_settings(
    url: str, app_id: str | None = None, timeout: float = 10.0
) -> tuple[list[Setting], str]:
    """``sparkProperties`` of a running application (its UI or a history server at
    ``url``); ``app_id`` may be left out when exactly one application is there."""
    if not url.startswith(("http://", "https://")):
        raise DoctorInputError(coded("SS593", "--url must be an http:// or https:// URL"))
    base = url.rstrip("/")
    if app_id is None:
        apps = _get_json(f"{base}/api/v1/applications", timeout)
        ids = [a.get("id") for a in apps if isinstance(a, dict)] if isinstance(apps, list) else []
        if len(ids) != 1 or not isinstance(ids[0], str):
            raise DoctorInputError(
                coded("SS594", f"{base} serves {len(ids)} applications; name one with --app ID")
            )
        app_id = ids[0]
    env = _get_json(f"{base}/api/v1/applications/{app_id}/environment", timeout)
    props = env.get("sparkProperties") if isinstance(env, dict) else None
    if not isinstance(props, list):
        raise DoctorInputError(coded("SS593", f"{base} did not answer an environment"))
    settings = [
        Setting(str(p[0]), str(p[1]), "application")
        for p in props
        if isinstance(p, list) and len(p) == 2 and str(p[0]).startswith("spark.")
    ]
    return settings, base


def effective_conf(
    defaults: Iterable[str | Path] = (),
    conf_args: Iterable[str] = (),
    policy: str | Path | None = None,
    url: str | None = None,
    app_id: str | None = None,
) -> EffectiveConf:
    """Every source applied in the documented order (see the module docstring)."""
    conf = EffectiveConf()
    for path in defaults:
        conf.apply(read_defaults(path), f"defaults:{path}")
        conf.primary_file = str(path)
    args = list(conf_args)
    if args:
        conf.apply(parse_conf_args(args), "--conf")
    if policy is not None:
        settings, sinks = policy_settings(policy, conf.values())
        conf.apply(settings, f"policy:{policy}")
        conf.non_idempotent_sinks = sinks
    if url is not None:
        settings, base = application_settings(url, app_id)
        conf.apply(settings, f"application:{base}")
        conf.ui_answered_anonymously = base
    return conf
