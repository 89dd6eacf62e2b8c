"""``sparkseal keygen``: create a recipient key pair."""

from __future__ import annotations

from pathlib import Path

import click

from sparkseal.core import keys
from sparkseal.core.suites import SuiteName


@click.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for sparkseal.pub and sparkseal.key (created if missing).",
)
@click.option(
    "--suite",
    type=click.Choice([s.value for s in SuiteName]),
    default=SuiteName.X25519.value,
    show_default=True,
    help="HPKE suite. mlkem768-x25519 is the post-quantum hybrid (tokens ~1.5 kB longer).",
)
@click.option("--force", is_flag=True, help="Replace an existing key pair in DIR.")
def keygen(out_dir: Path, suite: str, force: bool) -> None:
    """Write a new key pair: DIR/sparkseal.pub (share it) and DIR/sparkseal.key (mode 0600).

    Jobs seal with the public key only; keep the private key with the people
    allowed to read sealed text (`sparkseal unseal --key DIR/sparkseal.key`).
    """
    key = keys.generate(suite)
    pub_path, key_path = keys.write_pair(key, out_dir, force=force)
    click.echo(f"public key:  {pub_path}   (key id {key.kid}, suite {suite})")
    click.echo(f"private key: {key_path}   (mode 0600; keep it secret)")
    click.echo(f'\nPolicy (sparkseal.toml):\n  [seal]\n  public_key = "{pub_path}"')
