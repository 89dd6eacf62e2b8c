"""``sparkseal unseal``: print text with every token opened."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from sparkseal.audit.events import entry, token_id
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.core.keys import load_private
from sparkseal.core.token import TOKEN_LIKE_RE, Opener
from sparkseal.scan.terminal import printable

if TYPE_CHECKING:
    from sparkseal.audit.trail import AuditTrail


def _open_trail(url: str) -> AuditTrail:
    """The audit trail, opened before any token is: no unrecorded opening (fail closed)."""
    from sparkseal.audit.trail import AuditTrail

    try:
        return AuditTrail.open(url)
    except SparkSealError as exc:
        error = click.ClickException(
            coded("SS640", f"nothing was opened: the audit store cannot be written: {exc}")
        )
        error.exit_code = 2
        raise error from None


def unseal_stream(
    opener: Opener,
    src: BinaryIO,
    out: BinaryIO,
    name: str,
    raw: bool = False,
    opened_ids: list[str] | None = None,
) -> tuple[int, int]:
    """Copy ``src`` to ``out`` opening tokens; returns ``(opened, failed)``.

    Works line by line (tokens never span lines) and byte for byte: bytes that
    are not valid UTF-8 pass through unchanged. Opened plaintext is whoever's
    data went into the job, so unless ``raw`` its control characters are
    escaped (:func:`sparkseal.scan.terminal.printable`); the input's own bytes
    are never changed. ``opened_ids`` collects the id of each token opened (for the audit
    trail: which tokens, never their text).
    """
    opened = failed = 0
    where = printable(name, keep_newlines=False)
    for lineno, line in enumerate(src, 1):
        if b"[SEALED:" not in line:
            out.write(line)
            continue
        text = line.decode("utf-8", "surrogateescape")
        pieces: list[str] = []
        pos = 0
        for m in TOKEN_LIKE_RE.finditer(text):
            pieces.append(text[pos : m.start()])
            pos = m.end()
            token = m.group(0)
            plain, problems = opener.unseal_text(token)
            if plain != token:  # opened (a token never opens to itself)
                opened += 1
                if opened_ids is not None:
                    opened_ids.append(token_id(token))
                plain = plain if raw else printable(plain)
            pieces.append(plain)
            for p in problems:
                failed += 1
                column = m.start() + p.offset + 1
                at = f"{where}:{lineno}:{column}"
                click.echo(f"{at}: SS007: token left sealed: {p.reason}", err=True)
        pieces.append(text[pos:])
        out.write("".join(pieces).encode("utf-8", "surrogateescape"))
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
@click.option(
    "--raw",
    is_flag=True,
    help="Write opened plaintext exactly, control characters included (for a file or a "
    "pipe; refused when stdout is a terminal, SS307).",
)
@click.option(
    "--app",
    "app_id",
    metavar="ID",
    help="Open only tokens sealed by application ID (e.g. app-20261130120000-0001); tokens "
    "of other applications, and format-1 tokens that name none, stay sealed and are "
    "reported. The way to open one job's log when its tokens may have been copied around.",
)
@click.option(
    "--show-context",
    is_flag=True,
    help="Put each opened text after its context: [[app=ID by=driver|worker|jvm at=TIME]].",
)
@click.option(
    "--store",
    metavar="URL",
    help="Audit store (sqlite:///PATH or postgresql+psycopg://...): append who opened which "
    "token ids (never their text). Nothing is opened if the store cannot be written.",
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def unseal(
    key_files: tuple[Path, ...],
    raw: bool,
    app_id: str | None,
    show_context: bool,
    store: str | None,
    files: tuple[Path, ...],
) -> None:
    """Print FILES (or stdin) with every sealed token replaced by its plaintext.

    \b
    Everything that is not a token is printed byte for byte. In opened
    plaintext, control characters are shown escaped (ESC as \\x1b, CR as
    \\r, bidi overrides as \\u202e) so sealed data cannot drive your
    terminal; newline and tab are kept, so tracebacks read as usual. --raw
    writes the plaintext exactly, to a file or pipe.

    Tokens that cannot be opened (no matching key, corrupted, truncated) are
    left as they are and reported on stderr as FILE:LINE:COLUMN; the exit code
    is then 1. Unreadable inputs give 2.
    """
    stdout = sys.stdout.buffer
    if raw and stdout.isatty():
        raise click.UsageError(
            coded(
                "SS307",
                "--raw would write control characters from sealed data to a "
                "terminal; redirect to a file or a pipe",
            )
        )
    keys = [load_private(k) for k in key_files]
    opener = Opener(keys, app=app_id, show_context=show_context)
    trail = _open_trail(store) if store else None
    # With a store, the plaintext is held until the opening is recorded: nothing opened
    # is ever shown without its entry in the trail.
    out: BinaryIO = io.BytesIO() if trail is not None else stdout
    opened_ids: list[str] = []
    failed = 0
    missing = 0
    if not files:
        failed += unseal_stream(opener, sys.stdin.buffer, out, "<stdin>", raw, opened_ids)[1]
    for path in files:
        try:
            with path.open("rb") as src:
                failed += unseal_stream(opener, src, out, str(path), raw, opened_ids)[1]
        except OSError as exc:
            where = printable(str(path), keep_newlines=False)
            click.echo(f"{where}: cannot read: {exc.strerror or exc}", err=True)
            missing += 1
    out.flush()
    if trail is not None:
        details = {
            "key_ids": [k.kid for k in keys],
            "inputs": [printable(str(p), keep_newlines=False) for p in files] or ["<stdin>"],
            "app_filter": app_id,
            "opened": opened_ids,
            "left_sealed": failed,
        }
        try:
            trail.append([entry("unseal", source="cli", details=details)])
        except SparkSealError as exc:
            error = click.ClickException(
                coded("SS640", f"nothing was shown: the opening could not be recorded: {exc}")
            )
            error.exit_code = 2
            raise error from None
        finally:
            trail.close()
        stdout.write(out.getvalue())  # type: ignore[attr-defined]
        stdout.flush()
    if failed:
        click.echo(f"sparkseal unseal: {failed} token(s) could not be opened", err=True)
    if missing:
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)
