"""``sparkseal unseal``: print text with every token opened."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from sparkseal.core.keys import load_private
from sparkseal.core.token import Opener


def unseal_stream(opener: Opener, src: BinaryIO, out: BinaryIO, name: str) -> tuple[int, int]:
    """Copy ``src`` to ``out`` opening tokens; returns ``(opened, failed)``.

    Works line by line (tokens never span lines) and byte for byte: bytes that
    are not valid UTF-8 pass through unchanged.
    """
    opened = failed = 0
    for lineno, raw in enumerate(src, 1):
        if b"[SEALED:" not in raw:
            out.write(raw)
            continue
        text = raw.decode("utf-8", "surrogateescape")
        new, problems = opener.unseal_text(text)
        out.write(new.encode("utf-8", "surrogateescape"))
        opened += text.count("[SEALED:") - len(problems)
        for p in problems:
            failed += 1
            click.echo(f"{name}:{lineno}:{p.offset + 1}: token left sealed: {p.reason}", err=True)
    return opened, failed


@click.command()
@click.option(
    "--key",
    "key_files",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Private key file (sparkseal.key). Repeat for several keys, e.g. after rotation.",
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def unseal(key_files: tuple[Path, ...], files: tuple[Path, ...]) -> None:
    """Print FILES (or stdin) with every sealed token replaced by its plaintext.

    Everything that is not a token is printed byte for byte. Tokens that cannot
    be opened (no matching key, corrupted, truncated) are left as they are and
    reported on stderr; the exit code is then 1. Unreadable inputs give 2.
    """
    opener = Opener(load_private(k) for k in key_files)
    out = sys.stdout.buffer
    failed = 0
    missing = 0
    if not files:
        failed += unseal_stream(opener, sys.stdin.buffer, out, "<stdin>")[1]
    for path in files:
        try:
            with path.open("rb") as src:
                failed += unseal_stream(opener, src, out, str(path))[1]
        except OSError as exc:
            click.echo(f"{path}: cannot read: {exc.strerror or exc}", err=True)
            missing += 1
    out.flush()
    if failed:
        click.echo(f"sparkseal unseal: {failed} token(s) could not be opened", err=True)
    if missing:
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)
