"""The exceptions sparkseal raises.

Every error says what went wrong and what to do about it. None of them ever
carries the plaintext being protected: messages name files, fields and key ids,
never the data.
"""

from __future__ import annotations


class SparkSealError(Exception):
    """Base class for every error sparkseal raises on purpose."""


class PolicyError(SparkSealError):
    """The policy is missing, unreadable or invalid."""


class KeyFileError(SparkSealError):
    """A key file is missing, unreadable, malformed or of the wrong kind."""


class TokenError(SparkSealError):
    """A sealed token could not be opened (unknown key, corrupted, truncated)."""


class UnsupportedPySparkError(SparkSealError):
    """The PySpark internals sparkseal hooks are missing or have changed."""
