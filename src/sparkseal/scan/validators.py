"""Checksums and structural rules that turn a pattern match into a finding.

A 16-digit number is not a card number unless its Luhn checksum holds; an
IBAN-shaped string is not an IBAN unless mod-97 gives 1. Validators keep the
scanner quiet on the timestamps, ids and hashes that fill Spark's logs.
"""

from __future__ import annotations

# IBAN lengths by country (ISO 13616 registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


MAESTRO_PREFIXES = (
    b"0604",
    b"5018",
    b"5020",
    b"5038",
    b"6304",
    b"6390",
    b"6759",
    b"6761",
    b"6762",
    b"6763",
)


def digits_only(value: bytes) -> bytes:
    return bytes(c for c in value if 48 <= c <= 57)


def luhn_ok(digits: bytes) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = c - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_ok(value: bytes) -> bool:
    """Luhn-valid, and a length the card's network (by its leading digits) issues."""
    d = digits_only(value)
    n = len(d)
    if not 12 <= n <= 19 or not luhn_ok(d):
        return False
    if d[:4] in MAESTRO_PREFIXES or b"56" <= d[:2] <= b"58":
        return True  # Maestro issues 12 to 19 digits
    if d[:4] in (b"2131", b"1800"):
        return n == 15  # JCB's 15-digit range
    if n < 13:
        return False
    if d[:1] == b"4":
        return n in (13, 16, 19)
    if d[:2] in (b"34", b"37"):
        return n == 15
    if b"51" <= d[:2] <= b"55" or b"2221" <= d[:4] <= b"2720":
        return n == 16
    if d[:4] == b"6011" or d[:2] == b"65" or b"644" <= d[:3] <= b"649":
        return 16 <= n <= 19
    if d[:2] == b"35":  # JCB (3528-3589 assigned; the 35 range is reserved to it)
        return 16 <= n <= 19
    return d[:2] in (b"36", b"38") or b"300" <= d[:3] <= b"305"


def ssn_ok(value: bytes) -> bool:
    """US SSN rules: area 001-899 but not 666, group 01-99, serial 0001-9999."""
    d = digits_only(value)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in (b"000", b"666") and area < b"900" and group != b"00" and serial != b"0000"


def iban_ok(value: bytes) -> bool:
    s = value.replace(b" ", b"").upper()
    if IBAN_LENGTHS.get(s[:2].decode("ascii", "replace")) != len(s):
        return False
    rearranged = s[4:] + s[:4]
    try:
        number = int("".join(str(int(chr(c), 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def phone_ok(value: bytes) -> bool:
    """NANP numbers (area and exchange start 2-9) or international E.164 lengths."""
    d = digits_only(value)
    if value.startswith(b"+") and not value.startswith(b"+1"):
        return 8 <= len(d) <= 15
    if len(d) == 11 and d[:1] == b"1":
        d = d[1:]
    return len(d) == 10 and d[:1] >= b"2" and d[3:4] >= b"2"


def ipv4_ok(octets: tuple[bytes, ...]) -> bool:
    return all(int(o) <= 255 and (o == b"0" or not o.startswith(b"0")) for o in octets)
