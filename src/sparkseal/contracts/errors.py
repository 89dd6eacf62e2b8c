"""The one exception contracts raise: coded, and never quoting a data value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

if TYPE_CHECKING:
    from sparkseal.contracts.enforce import Violation


class ContractError(SparkSealError):
    """A contract cannot be read or used, or data does not match it.

    ``code`` is the stable ``SS7xx`` code (CI matches on it); ``violations`` lists each
    offending column when data was checked. Messages name files, fields, columns, types
    and counts, never a value from the data.
    """

    def __init__(self, code: str, message: str, violations: tuple[Violation, ...] = ()) -> None:
        super().__init__(coded(code, message))
        self.code = code
        self.violations = violations
