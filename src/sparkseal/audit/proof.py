"""Inclusion proofs that can be checked offline, without the store.

Why a self-contained file: an auditor given one entry, its audit path and the signed
checkpoint can check with the log's public key alone that exactly these bytes are entry
``index`` of the log the checkpoint commits to (RFC 9162 section 2.1.3.2).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import sqlalchemy as sa

from sparkseal.audit import merkle
from sparkseal.audit.checkpoint import SignedCheckpoint, parse
from sparkseal.audit.signing import VerifierKey
from sparkseal.audit.trail import ENTRIES, AuditTrail, as_bytes
from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

FORMAT = "sparkseal-audit-inclusion-proof/v1"


class ProofError(SparkSealError):
    """A proof cannot be made or read (SS608, SS613)."""


class ProofMismatch(SparkSealError):
    """The store no longer matches its checkpoint, so no valid proof exists (SS603)."""


def make_proof(trail: AuditTrail, index: int) -> dict[str, Any]:
    """The inclusion proof of entry ``index`` against the newest stored checkpoint."""
    cp = trail.latest_checkpoint()
    if cp is None:
        raise ProofError(
            coded(
                "SS613",
                "the store holds no signed checkpoint to prove against. What to do: set "
                "[audit] signing_key (sparkseal audit keygen); the next append signs one",
            )
        )
    if not 0 <= index < cp.size:
        raise ProofError(
            coded(
                "SS613",
                f"entry {index} is not covered by the newest checkpoint (tree size {cp.size})",
            )
        )
    signed = parse(cp.note, f"stored checkpoint #{cp.id}")
    leaves: list[bytes] = []
    entry = b""
    with trail.store.read() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
            sa.select(ENTRIES.c.idx, ENTRIES.c.body)
            .where(ENTRIES.c.idx < cp.size)
            .order_by(ENTRIES.c.idx)
        )
        for idx, body in rows:
            raw = as_bytes(body)
            if idx == index:
                entry = raw
            leaves.append(merkle.leaf_hash(raw))
    path = merkle.inclusion_proof(index, leaves) if len(leaves) > index else []
    root = signed.checkpoint.root
    if len(leaves) != cp.size or not merkle.verify_inclusion(
        index, cp.size, merkle.leaf_hash(entry), path, root
    ):
        raise ProofMismatch(
            coded(
                "SS603",
                f"the store's first {cp.size} entries no longer hash to the root of its "
                f"checkpoint #{cp.id}: no valid proof exists. Run `sparkseal audit verify`",
            )
        )
    return {
        "format": FORMAT,
        "index": index,
        "tree_size": cp.size,
        "entry": entry.decode("utf-8"),
        "leaf_hash": merkle.leaf_hash(entry).hex(),
        "root": base64.b64encode(root).decode(),
        "audit_path": [base64.b64encode(p).decode() for p in path],
        "checkpoint": cp.note,
    }


def _bad(source: str, why: str) -> ProofError:
    return ProofError(coded("SS608", f"{source} is not a sparkseal inclusion proof: {why}"))


def read_proof(text: str, source: str) -> tuple[dict[str, Any], SignedCheckpoint]:
    """Parse a proof file; structural defects raise SS608 (bad input)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise _bad(source, "not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(source, f"its format is not {FORMAT}")
    for key, kind in (
        ("index", int),
        ("tree_size", int),
        ("entry", str),
        ("root", str),
        ("audit_path", list),
        ("checkpoint", str),
    ):
        if not isinstance(data.get(key), kind):
            raise _bad(source, f"{key!r} is missing or not a {kind.__name__}")
    return data, parse(data["checkpoint"], f"{source} (its checkpoint)")


def check_proof(
    data: dict[str, Any], signed: SignedCheckpoint, pub: VerifierKey, source: str
) -> list[str]:
    """Problems with a proof (empty: it verifies). The checkpoint's signature is checked
    first and raises (SS605) when it is not the log's."""
    signed.verify(pub, f"{source} (its checkpoint)")
    cp = signed.checkpoint
    problems = []
    try:
        root = base64.b64decode(data["root"], validate=True)
        path = [base64.b64decode(p, validate=True) for p in data["audit_path"]]
    except (binascii.Error, ValueError, TypeError):
        raise _bad(source, "a hash is not base64") from None
    if data["tree_size"] != cp.size or root != cp.root:
        problems.append("its tree size or root differs from its signed checkpoint")
    leaf = merkle.leaf_hash(data["entry"].encode("utf-8"))
    if not merkle.verify_inclusion(data["index"], cp.size, leaf, path, cp.root):
        problems.append(
            f"entry {data['index']} with these bytes is not in the tree of size {cp.size} "
            "signed by the checkpoint (entry or audit path changed)"
        )
    return [coded("SS608", p) for p in problems]
