import pytest

from sparkseal.scan import validators as v


@pytest.mark.parametrize(
    "value, ok",
    [
        (b"4111 1111 1111 1111", True),
        (b"4111-1111-1111-1111", True),
        (b"5555555555554444", True),
        (b"378282246310005", True),  # Amex, 15 digits
        (b"6011111111111117", True),
        (b"4111111111111112", False),  # Luhn fails
        (b"1795326425742", False),  # an epoch-ms timestamp: no card network starts with 17
        (b"378282246310005000", False),  # Amex prefix, wrong length
        (b"411111111111", False),  # too short
    ],
)
def test_card(value, ok):
    assert v.card_ok(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        (b"123-45-6789", True),
        (b"000-12-3456", False),
        (b"666-12-3456", False),
        (b"900-12-3456", False),
        (b"123-00-4567", False),
        (b"123-45-0000", False),
    ],
)
def test_ssn(value, ok):
    assert v.ssn_ok(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        (b"DE89 3704 0044 0532 0130 00", True),
        (b"GB82WEST12345698765432", True),
        (b"GB82WEST12345698765433", False),  # checksum
        (b"DE89370400440532013", False),  # length for DE
        (b"ZZ89370400440532013000", False),  # unknown country
    ],
)
def test_iban(value, ok):
    assert v.iban_ok(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        (b"(415) 555-0132", True),
        (b"+1 415 555 0132", True),
        (b"+44 20 7946 0958", True),
        (b"015-555-0132", False),  # NANP area codes do not start with 0/1
        (b"415-155-0132", False),  # nor exchanges
    ],
)
def test_phone(value, ok):
    assert v.phone_ok(value) is ok


def test_ipv4():
    assert v.ipv4_ok((b"10", b"0", b"0", b"1"))
    assert not v.ipv4_ok((b"256", b"0", b"0", b"1"))
    assert not v.ipv4_ok((b"10", b"01", b"0", b"1"))
