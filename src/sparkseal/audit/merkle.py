"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

Why these exact algorithms: any transparency-log tool (and any auditor's own script) can
recompute our roots and check our proofs. Leaves are ``SHA-256(0x00 || entry)``, interior
nodes ``SHA-256(0x01 || left || right)``, and a tree of ``n`` leaves splits at the largest
power of two below ``n`` (RFC 9162 section 2.1.1). Verification follows RFC 9162 sections
2.1.3.2 and 2.1.4.2 step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree: SHA-256 of the empty string."""

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The right edge of a tree: the roots of its perfect subtrees, largest first.

    Why: appending a leaf and computing the root then cost O(log n) instead of re-reading
    every leaf. ``len(self.hashes) == popcount(size)``.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != bin(size).count("1"):
            raise ValueError("a frontier holds one hash per set bit of its size")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash at index ``size``."""
        h, k = leaf, self.size
        hashes = self.hashes
        while k & 1:
            h = node_hash(hashes.pop(), h)
            k >>= 1
        hashes.append(h)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The RFC 6962 root of the leaves appended so far."""
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        if len(data) % HASH_SIZE:
            raise ValueError("frontier bytes are not a whole number of hashes")
        return cls(size, [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)])

    def copy(self) -> Frontier:
        return Frontier(self.size, list(self.hashes))


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of a list of leaf hashes (RFC 9162 section 2.1.1)."""
    f = Frontier()
    f.extend(leaves)
    return f.root()


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    f = Frontier()
    for i in range(lo, hi):
        f.append(leaves[i])
    return f.root()


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 section 2.1.3.1: the audit path of leaf ``index``."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of size {n}")
    path: list[bytes] = []
    lo, hi, m = 0, n, index
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if m < k:
            path.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(_mth(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()  # PATH lists the sibling nearest the leaf first
    return path


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2: does ``leaf`` (a leaf hash) sit at ``index`` under ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 section 2.1.4.1: the tree of ``old_size`` leaves is a
    prefix of the tree of ``leaves``."""
    n = len(leaves)
    if not 0 <= old_size <= n:
        raise ValueError(f"size {old_size} is not a prefix of a tree of size {n}")
    if old_size in (0, n):
        return []
    proof: list[bytes] = []
    lo, hi, m, complete = 0, n, old_size, True
    while True:
        if m == hi - lo:
            if not complete:
                proof.append(_mth(leaves, lo, hi))
            break
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            proof.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_mth(leaves, lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    proof.reverse()
    return proof


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree (old_size, old_root) a prefix of
    (new_size, new_root)?"""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
