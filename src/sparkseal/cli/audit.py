"""``sparkseal audit``: keys, checkpoints, verification, listing and proofs of the audit trail.

Exit codes as everywhere: 0 intact, 1 verify found tampering (the first bad entry named),
2 bad usage (missing file, wrong key, malformed checkpoint, unsupported store version).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from sparkseal.audit import signing
from sparkseal.audit.checkpoint import SignedCheckpoint, parse
from sparkseal.audit.proof import ProofMismatch, check_proof, make_proof, read_proof
from sparkseal.audit.trail import AuditTrail
from sparkseal.audit.verify import verify_trail
from sparkseal.core.codes import coded
from sparkseal.core.errors import PolicyError, SparkSealError
from sparkseal.core.policy import DEFAULT_POLICY_FILE, ENV_POLICY, Policy, load_policy
from sparkseal.store import safe_url


class AuditUsageError(SparkSealError):
    """An audit command was not given what it needs (SS609)."""


def _policy(policy: str | None) -> Policy | None:
    """The policy when one is given or found; None when there is none at all."""
    if (
        policy is None
        and not os.environ.get(ENV_POLICY)
        and not Path(DEFAULT_POLICY_FILE).is_file()
    ):
        return None
    return load_policy(policy)


def _store_url(store: str | None, policy: str | None) -> str:
    if store:
        return store
    pol = _policy(policy)
    url = pol.audit_store_url() if pol is not None else None
    if url is None:
        raise AuditUsageError(
            coded(
                "SS609",
                "no audit store: pass --store URL (sqlite:///PATH or postgresql+psycopg://...), "
                "or --policy FILE with an [audit] section",
            )
        )
    return url


def _verifier(pub: Path | None, policy: str | None) -> signing.VerifierKey | None:
    if pub is not None:
        return signing.load_verifier(pub)
    try:
        pol = _policy(policy)
    except PolicyError:
        return None
    if pol is not None and pol.audit is not None and pol.audit.signing_key:
        return signing.load_signer(pol.resolve_path(pol.audit.signing_key)).verifier
    return None


def _store_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--policy",
        default=None,
        help="Policy whose [audit] store to use (default: $SPARKSEAL_POLICY, ./sparkseal.toml).",
    )(f)
    return click.option(
        "--store", default=None, metavar="URL", help="The store's URL (overrides the policy)."
    )(f)


@click.group()
def audit() -> None:
    """The tamper-evident audit trail (docs/audit.md).

    \b
      sparkseal audit keygen --out keys/            # Ed25519 checkpoint signing key pair
      sparkseal audit checkpoint --out cp.txt       # export the newest signed checkpoint
      sparkseal audit verify --checkpoint cp.txt --pub keys/sparkseal-audit.pub
      sparkseal audit log --since 2026-11-01 --app app-123
      sparkseal audit prove 17 --out p.json && sparkseal audit verify --proof p.json --pub ...
    """


@audit.command("keygen")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for sparkseal-audit.pub and sparkseal-audit.key (created if missing).",
)
@click.option(
    "--name",
    default=signing.DEFAULT_NAME,
    show_default=True,
    help="Key name (usually the log's origin, e.g. audit.example.com/payments).",
)
def keygen(out_dir: Path, name: str) -> None:
    """Write an Ed25519 key pair that signs checkpoints: DIR/sparkseal-audit.key (0600) and
    DIR/sparkseal-audit.pub (give it to whoever verifies). Never overwrites."""
    key = signing.generate(name)
    pub_path, key_path = signing.write_pair(key, out_dir)
    click.echo(f"verifier key: {pub_path}   ({key.verifier.to_text()})")
    click.echo(f"signing key:  {key_path}   (mode 0600; keep it secret)")
    click.echo(f'\nPolicy (sparkseal.toml):\n  [audit]\n  signing_key = "{key_path}"')


@audit.command("checkpoint")
@_store_options
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the checkpoint ('-' for standard output).",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def checkpoint(store: str | None, policy: str | None, out: Path, force: bool) -> None:
    """Export the newest signed checkpoint (keep copies elsewhere: a witness)."""
    with AuditTrail.open(_store_url(store, policy), read_only=True) as trail:
        cp = trail.latest_checkpoint()
    if cp is None:
        raise AuditUsageError(
            coded(
                "SS613",
                "the store holds no signed checkpoint yet. What to do: set [audit] "
                "signing_key (sparkseal audit keygen); the next append signs one",
            )
        )
    if str(out) == "-":
        click.echo(cp.note, nl=False)
        return
    _write_file(out, cp.note, force)
    click.echo(f"checkpoint at tree size {cp.size} written to {out}", err=True)


def _write_file(out: Path, text: str, force: bool) -> None:
    if out.is_symlink():
        raise AuditUsageError(coded("SS609", f"{out} is a symlink; refusing to write through it"))
    if out.exists() and not force:
        raise AuditUsageError(coded("SS609", f"{out} exists; pass --force to replace it"))
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AuditUsageError(coded("SS609", f"cannot write {out}: {exc.strerror}")) from None


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditUsageError(coded("SS609", f"cannot read {what} {path}: {exc}")) from None


@audit.command("verify")
@_store_options
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An exported checkpoint (a witness copy); may be repeated.",
)
@click.option(
    "--pub",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The verifier key (sparkseal-audit.pub). Default: from [audit] signing_key.",
)
@click.option(
    "--proof",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check an inclusion proof from `audit prove` offline (no store needed).",
)
def verify(
    store: str | None,
    policy: str | None,
    checkpoints: tuple[Path, ...],
    pub: Path | None,
    proof: Path | None,
) -> None:
    """Recompute the tree from the entries and check every checkpoint against it.

    Exit 0 intact; 1 when an entry was modified, deleted, inserted or moved, or the store
    was truncated or rolled back below a checkpoint (the first bad entry is named); 2 on
    bad usage (missing file, wrong key, malformed checkpoint).
    """
    key = _verifier(pub, policy)
    if proof is not None:
        _verify_proof(proof, key)
        return
    external: list[tuple[str, SignedCheckpoint]] = []
    for path in checkpoints:
        signed = parse(_read_text(path, "checkpoint"), f"checkpoint file {path}")
        if key is None:
            raise AuditUsageError(
                coded("SS609", "checking a checkpoint file needs the verifier key: --pub FILE")
            )
        signed.verify(key, f"checkpoint file {path}")
        external.append((f"checkpoint file {path}", signed))
    url = _store_url(store, policy)
    with AuditTrail.open(url, read_only=True) as trail:
        report = verify_trail(trail, pub=key, external=external)
    click.echo(f"audit trail {safe_url(url)}: {report.size} entries")
    click.echo(
        f"checked: {report.stored_checkpoints} stored checkpoints "
        f"({report.signatures_checked} signatures), {report.external_checkpoints} checkpoint "
        "file(s)"
    )
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.ok:
        click.echo("OK: every entry and checkpoint verifies")
        return
    click.echo(
        f"FAIL: first bad entry: {report.first_bad}" if report.first_bad is not None else "FAIL"
    )
    for problem in sorted(report.problems):
        click.echo(problem.text())
    sys.exit(1)


def _verify_proof(path: Path, key: signing.VerifierKey | None) -> None:
    data, signed = read_proof(_read_text(path, "proof"), f"proof {path}")
    if key is None:
        raise AuditUsageError(coded("SS609", "checking a proof needs the verifier key: --pub FILE"))
    problems = check_proof(data, signed, key, f"proof {path}")
    if problems:
        click.echo(f"FAIL: entry {data['index']}")
        for p in problems:
            click.echo(p)
        sys.exit(1)
    click.echo(
        f"OK: entry {data['index']} is in the tree of size {signed.checkpoint.size} of "
        f"{signed.checkpoint.origin}, signed by {key.name} (key id {key.key_id.hex()})"
    )


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "expected an ISO 8601 date or time, e.g. 2026-11-30 or 2026-11-30T12:00:00Z",
            param_hint="--since",
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@audit.command("log")
@_store_options
@click.option("--since", default=None, help="Only entries appended at or after this ISO time.")
@click.option("--app", default=None, help="Only entries of this application id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def log(
    store: str | None, policy: str | None, since: str | None, app: str | None, as_json: bool
) -> None:
    """List audit entries (a table, or JSON lines with --json)."""
    when = _parse_since(since)
    with AuditTrail.open(_store_url(store, policy), read_only=True) as trail:
        entries = trail.entries(since=when, app=app)
        if as_json:
            for e in entries:
                click.echo(
                    json.dumps(
                        {
                            "index": e.index,
                            "time": e.time.isoformat(),
                            "app": e.app,
                            "entry": e.body,
                        },
                        ensure_ascii=False,
                        sort_keys=True,
                    )
                )
            return
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table("index", "time (UTC)", "app", "event", "outcome", "entry", show_lines=False)
        for e in entries:
            # Entries are text from jobs: shown as plain text, never as rich markup.
            table.add_row(
                str(e.index),
                e.time.strftime("%Y-%m-%d %H:%M:%S"),
                Text(e.app or ""),
                Text(str(e.body.get("event", ""))),
                Text(str(e.body.get("outcome", ""))),
                Text(json.dumps(e.body, ensure_ascii=False, sort_keys=True)[:200]),
            )
        Console(soft_wrap=False).print(table)


@audit.command("prove")
@click.argument("entry", type=click.IntRange(min=0))
@_store_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proof here instead of standard output.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def prove(entry: int, store: str | None, policy: str | None, out: Path | None, force: bool) -> None:
    """Print an inclusion proof of ENTRY against the newest signed checkpoint.

    Check it offline, without the store: `sparkseal audit verify --proof FILE --pub KEY`.
    """
    with AuditTrail.open(_store_url(store, policy), read_only=True) as trail:
        try:
            data = make_proof(trail, entry)
        except ProofMismatch as exc:
            click.echo(str(exc))
            sys.exit(1)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        _write_file(out, text, force)
        click.echo(
            f"proof of entry {entry} (tree size {data['tree_size']}) written to {out}", err=True
        )
