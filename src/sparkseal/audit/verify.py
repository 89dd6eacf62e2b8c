"""Verifying the audit trail: recompute the tree from the entry bytes, check checkpoints.

Why nothing stored is trusted: an attacker with write access to the store can change an
entry *and* its stored leaf hash, the cached frontier and the checkpoint rows. What they
cannot do without the signing key is produce a signature over a different root, and what
they cannot do at all is change a witness's copy of an old checkpoint. So verification
recomputes every leaf hash and every root from the entries, and compares the roots with
the signed checkpoints (stored and exported). The stored hashes only serve to *name* the
entry that changed when the attacker did not bother to update them.

A checkpoint of size ``s`` is consistent with the current tree exactly when the root of
the first ``s`` recomputed leaves equals its root: that is what a consistency proof
(:func:`sparkseal.audit.merkle.consistency_proof`) proves to someone who lacks the
entries; verify has the entries, so it checks the equality directly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from sparkseal.audit import merkle
from sparkseal.audit.checkpoint import (
    CheckpointFormatError,
    CheckpointSignatureError,
    SignedCheckpoint,
    parse,
)
from sparkseal.audit.signing import VerifierKey
from sparkseal.audit.trail import (
    CHECKPOINTS,
    ENTRIES,
    STATE,
    AuditTrail,
    app_of,
    as_bytes,
    canonical,
)
from sparkseal.core.codes import coded


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong; ``index`` is the first entry it concerns (None: not entry-bound)."""

    sort_key: int
    index: int | None = field(compare=False)
    code: str = field(compare=False)
    message: str = field(compare=False)

    def text(self) -> str:
        where = f"entry {self.index}: " if self.index is not None else ""
        return coded(self.code, where + self.message)


@dataclass
class Report:
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    problems: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stored_checkpoints: int = 0
    signatures_checked: int = 0
    external_checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> int | None:
        indexes = [p.index for p in self.problems if p.index is not None]
        return min(indexes) if indexes else None

    def add(self, index: int | None, code: str, message: str) -> None:
        key = index if index is not None else 1 << 62
        self.problems.append(Finding(key, index, code, message))


class WrongKeyError(CheckpointSignatureError):
    """None of the store's checkpoints is signed by the given key (bad usage, exit 2)."""


@dataclass
class _Cp:
    source: str
    size: int
    root: bytes
    signed: SignedCheckpoint | None


def verify_trail(
    trail: AuditTrail,
    *,
    pub: VerifierKey | None = None,
    external: Sequence[tuple[str, SignedCheckpoint]] = (),
) -> Report:
    """Verify ``trail``: entries, cached state, stored checkpoints and the ``external``
    (already signature-checked) checkpoint copies. Raises :class:`WrongKeyError` when
    ``pub`` signed none of the stored checkpoints."""
    report = Report()
    with trail.store.read() as conn:
        state = conn.execute(sa.select(STATE.c.size, STATE.c.frontier)).first()
        rows = conn.execute(sa.select(CHECKPOINTS).order_by(CHECKPOINTS.c.id)).all()
        stored: list[_Cp] = []
        for r in rows:
            source = f"stored checkpoint #{r.id} (size {r.size})"
            try:
                signed = parse(r.note, source)
            except CheckpointFormatError as exc:
                report.add(None, "SS605", f"{exc} (the checkpoint row was edited)")
                continue
            cp = signed.checkpoint
            if cp.size != int(r.size) or cp.root != bytes(r.root):
                report.add(None, "SS605", f"{source}: its columns differ from its signed text")
            stored.append(_Cp(source, cp.size, cp.root, signed))
        _check_signatures(report, stored, pub)
        report.stored_checkpoints = len(stored)
        ext = [_Cp(src, s.checkpoint.size, s.checkpoint.root, s) for src, s in external]
        report.external_checkpoints = len(ext)
        wanted = {c.size for c in (*stored, *ext)}
        roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}

        frontier = merkle.Frontier()
        query = sa.select(ENTRIES.c.idx, ENTRIES.c.body, ENTRIES.c.leaf_hash, ENTRIES.c.app)
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(
            query.order_by(ENTRIES.c.idx)
        )
        gap_reported = False
        leaf_hash, decode = merkle.leaf_hash, json.JSONDecoder().decode
        for idx, body, stored_leaf, app in result:
            pos = frontier.size
            body = as_bytes(body)
            if idx != pos and not gap_reported:
                gap_reported = True
                if idx > pos:
                    report.add(
                        pos,
                        "SS603",
                        f"missing: the next stored entry is {idx} (entries were deleted)",
                    )
                else:
                    report.add(pos, "SS603", f"out of order (stored as {idx})")
            leaf = leaf_hash(body)
            if as_bytes(stored_leaf) != leaf:
                report.add(
                    pos,
                    "SS603",
                    "modified: its bytes no longer match the leaf hash "
                    "recorded when it was appended",
                )
            else:
                try:
                    parsed = decode(body.decode("utf-8"))
                    well_formed = isinstance(parsed, dict) and canonical(parsed) == body
                except (ValueError, Exception):
                    well_formed, parsed = False, None
                if not well_formed:
                    report.add(
                        pos, "SS603", "not a canonical JSON object (written outside sparkseal)"
                    )
                elif app_of(parsed) != app:
                    report.add(
                        pos,
                        "SS603",
                        f"its app column ({app!r}) differs from the "
                        f"entry's where.app_id ({app_of(parsed)!r})",
                    )
            frontier.append(leaf)
            if frontier.size in wanted:
                roots[frontier.size] = frontier.root()

    n = frontier.size
    report.size, report.root = n, frontier.root()
    if state is not None:
        try:
            cached = merkle.Frontier.from_bytes(int(state.size), bytes(state.frontier)).root()
        except ValueError:
            cached = b""
        if int(state.size) > n:
            report.add(
                n,
                "SS604",
                f"the store's tree state records {state.size} entries but "
                f"only {n} are left: entries {n}..{int(state.size) - 1} were removed "
                "(truncated)",
            )
        elif int(state.size) < n:
            report.add(
                int(state.size),
                "SS603",
                f"entries {state.size}..{n - 1} were added "
                "without updating the tree state (inserted outside sparkseal)",
            )
        elif cached != report.root:
            report.add(
                None,
                "SS614",
                "the cached tree state does not match the entries (the store was edited)",
            )

    _compare(report, stored + ext, roots, n)
    # Entries no signature covers. With a verifier key in use every writer is expected to
    # sign, so they are a failure (checkpoints deleted, or entries added by hand); without
    # one, a notice.
    last = max((c.size for c in stored), default=0)
    if last < n:
        if stored:
            msg = f"entries {last}..{n - 1} are not covered by a signed checkpoint"
        else:
            msg = f"none of the {n} entries is covered by a signed checkpoint"
        if pub is not None:
            report.add(
                last,
                "SS612",
                msg + " although a verifier key was given (checkpoints "
                "deleted, entries appended outside sparkseal, or a writer without the "
                "signing key)",
            )
        else:
            report.notes.append(
                coded(
                    "SS612",
                    msg + ": they are checked against each other "
                    "only (set [audit] signing_key, verify with --pub)",
                )
            )
    return report


def _check_signatures(report: Report, stored: list[_Cp], pub: VerifierKey | None) -> None:
    if not stored:
        return
    if pub is None:
        report.notes.append(
            "signatures of stored checkpoints not checked: give --pub (or [audit] signing_key)"
        )
        return
    mine = [
        c
        for c in stored
        if c.signed
        and any(s.name == pub.name and s.key_id == pub.key_id for s in c.signed.signatures)
    ]
    if not mine:
        raise WrongKeyError(
            coded(
                "SS605",
                f"none of the store's {len(stored)} checkpoints is signed by the given key "
                f"{pub.name} (key id {pub.key_id.hex()}). What to do: give this trail's "
                "verifier key (sparkseal-audit.pub)",
            ),
            wrong_key=True,
        )
    for c in stored:
        assert c.signed is not None
        try:
            c.signed.verify(pub, c.source)
            report.signatures_checked += 1
        except CheckpointSignatureError as exc:
            report.add(None, "SS605", str(exc).removeprefix("SS605: "))
            c.signed = None
            c.root = b""  # an unsigned checkpoint proves nothing


def _compare(report: Report, cps: list[_Cp], roots: dict[int, bytes], n: int) -> None:
    """Each checkpoint against the recomputed tree; the first failure of each kind is
    reported, bounded below by the largest checkpoint that still matches."""
    good = sorted({c.size for c in cps if c.size <= n and c.root and roots.get(c.size) == c.root})
    mismatched = [c for c in cps if c.root and c.size <= n and roots.get(c.size) != c.root]
    beyond = [c for c in cps if c.root and c.size > n]
    if mismatched:
        c = min(mismatched, key=lambda c: c.size)
        lower = max([g for g in good if g < c.size], default=0)
        if c.size - lower == 1:
            msg = (
                f"the tree differs from {c.source}: this entry was modified, inserted, "
                "deleted or moved"
            )
        else:
            msg = (
                f"the first {c.size} entries do not hash to the root of {c.source}"
                + (f" (the first {lower} still do)" if lower else "")
                + f": one of entries {lower}..{c.size - 1} was modified, inserted, deleted "
                "or moved"
            )
        if len(mismatched) > 1:
            msg += f"; {len(mismatched) - 1} more checkpoint(s) do not match either"
        report.add(lower, "SS603", msg)
    if beyond:
        c = max(beyond, key=lambda c: c.size)
        msg = (
            f"{c.source} was signed at tree size {c.size}, but the store holds {n} entries: "
            f"entries {n}..{c.size - 1} were removed (truncated, or an older copy of the "
            "store restored)"
        )
        if len(beyond) > 1:
            msg += f"; {len(beyond) - 1} more checkpoint(s) are beyond the tree too"
        report.add(n, "SS604", msg)
