"""Our RFC 9180 key schedule against the RFC's test vector and cryptography's own HPKE."""

import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import x25519

from sparkseal.core import hpke_context, keys
from sparkseal.core.suites import X25519

RFC = json.loads(
    (
        Path(__file__).parents[2]
        / "jvm"
        / "test-vectors"
        / "rfc9180-base-x25519-sha256-aes256gcm.json"
    ).read_text()
)["vector"]


def _b(field: str) -> bytes:
    return bytes.fromhex(RFC[field])


def test_rfc9180_vector_all_sequence_numbers():
    sender = hpke_context.setup_sender(
        _b("pkRm"), _b("info"), x25519.X25519PrivateKey.from_private_bytes(_b("skEm"))
    )
    assert (sender.enc, sender.key, sender.base_nonce) == (_b("enc"), _b("key"), _b("base_nonce"))
    receiver = hpke_context.setup_receiver(
        _b("enc"), x25519.X25519PrivateKey.from_private_bytes(_b("skRm")), _b("info")
    )
    encryptions = RFC["encryptions"]
    assert len(encryptions) == 257  # sequence numbers 0..256: the counter crosses a byte
    for seq, e in enumerate(encryptions):
        pt, aad, ct = (bytes.fromhex(e[f]) for f in ("pt", "aad", "ct"))
        assert sender.nonce(seq) == bytes.fromhex(e["nonce"])
        assert sender.seal(seq, pt, aad) == ct
        assert receiver.open(seq, ct, aad) == pt
    # Opened out of order, as tokens in a shuffled log are.
    for seq in (256, 3, 0, 128):
        e = encryptions[seq]
        assert receiver.open(seq, bytes.fromhex(e["ct"]), bytes.fromhex(e["aad"])) == bytes.fromhex(
            e["pt"]
        )


def test_sequence_zero_is_cryptographys_single_shot():
    """Both directions against cryptography's HPKE: a second, independent implementation."""
    key = keys.generate()
    ct = X25519.hpke_suite.encrypt(b"hello", key.public.hpke_key(), info=b"i")
    ctx = hpke_context.setup_receiver(ct[:32], key.hpke_key(), b"i")
    assert ctx.open(0, ct[32:]) == b"hello"
    sender = hpke_context.setup_sender(key.public.raw, b"i")
    assert (
        X25519.hpke_suite.decrypt(sender.enc + sender.seal(0, b"x"), key.hpke_key(), info=b"i")
        == b"x"
    )


def test_wrong_sequence_or_info_fails():
    key = keys.generate()
    sender = hpke_context.setup_sender(key.public.raw, b"i")
    ct = sender.seal(5, b"secret")
    receiver = hpke_context.setup_receiver(sender.enc, key.hpke_key(), b"i")
    assert receiver.open(5, ct) == b"secret"
    with pytest.raises(InvalidTag):
        receiver.open(6, ct)
    with pytest.raises(InvalidTag):
        hpke_context.setup_receiver(sender.enc, key.hpke_key(), b"j").open(5, ct)


def test_small_order_enc_is_refused():
    key = keys.generate()
    with pytest.raises(ValueError):
        hpke_context.setup_receiver(bytes(32), key.hpke_key(), b"i")
    with pytest.raises(ValueError):
        hpke_context.setup_receiver(b"short", key.hpke_key(), b"i")
    with pytest.raises(ValueError):
        hpke_context.setup_sender(key.public.raw, b"i").nonce(-1)
