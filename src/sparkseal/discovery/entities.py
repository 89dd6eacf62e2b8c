"""What discovery looks for: a pattern (Java regex), name hints, and which are structured.

The patterns follow :mod:`sparkseal.scan.detectors`, and the JVM validators
(``io.sparkseal.discover.Validators``: Luhn, mod-97, SSN and NANP rules, chosen by
entity name) mirror :mod:`sparkseal.scan.validators`, so that ``discover`` and
``scan`` agree on what a card number or an IBAN is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE = (
    r"(?:(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[1-9]|1[0-2])/(?:0[1-9]|[12][0-9]|3[01])/(?:19|20)[0-9]{2})"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"


@dataclass(frozen=True)
class Entity:
    name: str
    pattern: str
    """Finds candidates anywhere in a value (free text included); the JVM validates each."""
    hint: str
    """Column names that suggest this entity (case-insensitive regex)."""
    whole: str | None = None
    """Extra shape accepted only as a whole value (too ambiguous inside free text)."""
    structured: bool = True

    def hinted(self, column: str) -> bool:
        return re.search(self.hint, column, re.IGNORECASE) is not None


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "email",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        r"e[-_]?mail",
    ),
    Entity(
        "card",
        r"\b(?:[2-6][0-9]{3}|1800|0604)(?:[ -]?[0-9]){8,15}\b",
        r"card|credit|(^|_)(cc|pan)(_|$)",
    ),
    Entity("ssn", r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b", r"ssn|social[-_]?sec"),
    Entity(
        "iban",
        r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
        r"iban|bank[-_]?acc",
    ),
    Entity(
        "ipv4",
        rf"(?<![0-9A-Za-z_.-])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9]|\.[0-9A-Za-z])",
        r"(^|_)ip($|_)|ip[-_]?addr|ipv4|client[-_]?ip",
    ),
    Entity(
        "phone",
        r"(?:\+[0-9]{1,3}[ .-]?|\b001[ .-])?(?:\([0-9]{3}\)|\b[0-9]{3})"
        r"[ .-]?[0-9]{3}[ .-][0-9]{4}(?![0-9])"
        r"(?:\s*(?:x|ext\.?)\s*[0-9]{1,5}\b)?"
        r"|\+[0-9]{1,3}(?:[ .-][0-9]{1,4}){2,5}\b",
        r"phone|mobile|(^|_)tel|msisdn|fax",
        whole=r"\+?1?[2-9][0-9]{2}[2-9][0-9]{6}",
    ),
    Entity(
        "date_of_birth",
        rf"(?i)(?:born|birth|dob|d\.o\.b\.?)[^0-9]{{0,20}}{_DATE}",
        r"dob|birth",
        whole=_DATE,
        structured=False,
    ),
)

# Entities no value detector can confirm; column names are the only evidence.
NAME_ONLY: dict[str, str] = {
    "person": r"(^|_)(first|last|full|sur|given|middle)?[-_]?name$",
    "address": r"address|street|postcode|post_code|zip(code)?$|(^|_)city$",
}
