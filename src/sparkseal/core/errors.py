"""The exceptions sparkseal raises.

Every error says what went wrong and what to do about it. None of them ever
carries the plaintext being protected: messages name files, fields and key ids,
never the data.

Every error a user sees carries a stable code (``SS`` + three digits) so CI can match
it: a message that names its own code (``"SS205: ..."``) keeps it; otherwise the
class's ``code`` is put in front when the error is shown.
"""

from __future__ import annotations

import re
from typing import ClassVar

_CODED = re.compile(r"SS\d{3}: ")


class SparkSealError(Exception):
    """Base class for every error sparkseal raises on purpose."""

    code: ClassVar[str | None] = None
    """The code shown when the message does not name a more specific one."""

    def __str__(self) -> str:
        message = super().__str__()
        if self.code is None or _CODED.match(message):
            return message
        return f"{self.code}: {message}"

    @property
    def reason(self) -> str:
        """The message without the class's code, for wrapping into another error."""
        return super().__str__()


class PolicyError(SparkSealError):
    """The policy is missing, unreadable or invalid."""

    code = "SS005"


class KeyFileError(SparkSealError):
    """A key file is missing, unreadable, malformed or of the wrong kind."""

    code = "SS006"


class TokenError(SparkSealError):
    """A sealed token could not be opened (unknown key, corrupted, truncated)."""

    code = "SS007"


class UnsupportedPySparkError(SparkSealError):
    """The PySpark internals sparkseal hooks are missing or have changed."""

    code = "SS004"
