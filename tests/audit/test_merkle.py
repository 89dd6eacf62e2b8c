"""RFC 6962/9162 hashing and proofs against published test vectors, plus properties.

Test vectors: transparency-dev/merkle (github.com/transparency-dev/merkle),
``testonly/constants.go`` (leaf inputs, node and root hashes) and ``proof/verify_test.go``
(inclusion and consistency proofs; their leaf numbers are 1-based, ours 0-based indexes).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkseal.audit import merkle

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEVEL0 = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
INCLUSION = [  # (0-based index, tree size, proof)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]

LEAVES = [merkle.leaf_hash(x) for x in LEAF_INPUTS]
H = bytes.fromhex


def test_leaf_hashes_match_the_vectors():
    assert [h.hex() for h in LEAVES] == LEVEL0


@pytest.mark.parametrize("size", range(9))
def test_roots_of_every_prefix_match_the_vectors(size):
    assert merkle.root(LEAVES[:size]).hex() == ROOTS[size]
    f = merkle.Frontier()
    f.extend(LEAVES[:size])
    assert f.root().hex() == ROOTS[size]
    assert merkle.Frontier.from_bytes(size, f.to_bytes()).root() == f.root()


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_vectors(index, size, proof):
    got = merkle.inclusion_proof(index, LEAVES[:size])
    assert [p.hex() for p in got] == proof
    root = H(ROOTS[size])
    assert merkle.verify_inclusion(index, size, LEAVES[index], got, root)
    # corruptions, as in verify_test.go
    assert not merkle.verify_inclusion(index + 1, size, LEAVES[index], got, root)
    assert not merkle.verify_inclusion(index, size * 2, LEAVES[index], got, root)
    assert not merkle.verify_inclusion(index, size, b"WrongLeaf", got, root)
    assert not merkle.verify_inclusion(index, size, LEAVES[index], got, merkle.EMPTY_ROOT)
    assert not merkle.verify_inclusion(index, size, LEAVES[index], [*got, root], root)
    assert not merkle.verify_inclusion(index, size, LEAVES[index], [root, *got], root)
    assert not merkle.verify_inclusion(index, size, LEAVES[index], got[:-1], root)
    for i in range(len(got)):
        bad = list(got)
        bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
        assert not merkle.verify_inclusion(index, size, LEAVES[index], bad, root)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_vectors(old, new, proof):
    got = merkle.consistency_proof(old, LEAVES[:new])
    assert [p.hex() for p in got] == proof
    r1, r2 = H(ROOTS[old]), H(ROOTS[new])
    assert merkle.verify_consistency(old, new, r1, r2, got)
    if got:
        assert not merkle.verify_consistency(old - 1, new, r1, r2, got)
        assert not merkle.verify_consistency(old + 1, new, r1, r2, got)
        assert not merkle.verify_consistency(old, new * 2, r1, r2, got)
        assert not merkle.verify_consistency(old, new, r2, r1, got)
        assert not merkle.verify_consistency(old, new, r1, r2, [])
        assert not merkle.verify_consistency(old, new, r1, r2, got[:-1])
        assert not merkle.verify_consistency(old, new, r1, r2, [*got, r1])
        assert not merkle.verify_consistency(old, new, r1, r2, [got[0], *got])


def test_degenerate_cases():
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert not merkle.verify_inclusion(0, 0, LEAVES[0], [], merkle.EMPTY_ROOT)
    assert merkle.verify_inclusion(0, 1, LEAVES[0], [], LEAVES[0])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, H(ROOTS[5]), [])
    assert not merkle.verify_consistency(3, 2, H(ROOTS[3]), H(ROOTS[2]), [])
    with pytest.raises(ValueError):
        merkle.inclusion_proof(3, LEAVES[:3])
    with pytest.raises(ValueError):
        merkle.Frontier(3, [LEAVES[0]])


def _tree(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(case):
    n, i = case
    leaves = _tree(n)
    r = merkle.root(leaves)
    proof = merkle.inclusion_proof(i, leaves)
    assert merkle.verify_inclusion(i, n, leaves[i], proof, r)
    other = (i + 1) % n
    if other != i:
        assert not merkle.verify_inclusion(other, n, leaves[i], proof, r)
        assert not merkle.verify_inclusion(i, n, leaves[other], proof, r)
    if proof:
        bad = list(proof)
        bad[-1] = merkle.leaf_hash(b"x")
        assert not merkle.verify_inclusion(i, n, leaves[i], bad, r)
    assert not merkle.verify_inclusion(i, n + 1, leaves[i], proof, merkle.root(_tree(n + 1)))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_every_consistency_proof_verifies_and_a_wrong_one_does_not(case):
    m, n = case
    leaves = _tree(n)
    r_old, r_new = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(m, leaves)
    assert merkle.verify_consistency(m, n, r_old, r_new, proof)
    # a rewritten history (one leaf of the old tree changed) is not consistent
    forged = list(leaves)
    forged[m - 1] = merkle.leaf_hash(b"forged")
    assert not merkle.verify_consistency(m, n, r_old, merkle.root(forged), proof)
    assert not merkle.verify_consistency(
        m, n, r_old, merkle.root(forged), merkle.consistency_proof(m, forged)
    )
    if proof:
        bad = list(proof)
        bad[0] = merkle.leaf_hash(b"x")
        assert not merkle.verify_consistency(m, n, r_old, r_new, bad)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 200))
def test_frontier_root_equals_the_recursive_definition(n):
    def mth(d: list[bytes]) -> bytes:
        if not d:
            return merkle.EMPTY_ROOT
        if len(d) == 1:
            return d[0]
        k = 1 << ((len(d) - 1).bit_length() - 1)
        return merkle.node_hash(mth(d[:k]), mth(d[k:]))

    leaves = _tree(n)
    assert merkle.root(leaves) == mth(leaves)
