"""Spark SQL types as a contract spells them: parse, compare, map to ODCS logical types.

A contract's ``physicalType`` is a Spark SQL type name (``bigint``, ``decimal(10,2)``,
``array<string>``, ``struct<id:int,tags:array<string>>``), its ``logicalType`` one of
ODCS's logical types. Parsing is pure Python so that ``contract diff`` needs no JVM, and
the rules for "widened" follow Delta Lake's type widening (values of the old type all fit
the new one), which is what a table format lets a writer evolve without rewriting data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sparkseal.contracts.errors import ContractError

if TYPE_CHECKING:
    from pyspark.sql.types import DataType

_ALIASES = {
    "byte": "tinyint",
    "short": "smallint",
    "integer": "int",
    "long": "bigint",
    "real": "float",
    "dec": "decimal",
    "numeric": "decimal",
    "bool": "boolean",
    "timestamp_ltz": "timestamp",
}
_SIMPLE = {
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "string",
    "boolean",
    "date",
    "timestamp",
    "timestamp_ntz",
    "binary",
    "void",
    "variant",
}
_PARAMETRIC = {"decimal": (10, 0), "varchar": None, "char": None, "time": (6,)}
_INTERVAL = re.compile(
    r"interval\s+(year|month|day|hour|minute|second)(\s+to\s+(year|month|day|hour|minute|second))?"
)

LOGICAL = {
    "tinyint": "integer",
    "smallint": "integer",
    "int": "integer",
    "bigint": "integer",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "string": "string",
    "varchar": "string",
    "char": "string",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ntz": "timestamp",
    "time": "time",
    "array": "array",
    "map": "map",
    "struct": "object",
}
"""Spark type -> ODCS ``logicalType``; types missing here (binary, variant, intervals, void)
have no ODCS logical type and are described by ``physicalType`` alone."""

_INT_ORDER = ["tinyint", "smallint", "int", "bigint"]
_INT_DIGITS = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 20}


@dataclass(frozen=True)
class SqlType:
    """A parsed Spark SQL type: ``name`` canonical, ``args`` (precision, length), children."""

    name: str
    args: tuple[int, ...] = ()
    children: tuple[SqlType, ...] = ()
    fields: tuple[str, ...] = ()
    """Struct field names, one per child."""

    def __str__(self) -> str:
        if self.name == "array":
            return f"array<{self.children[0]}>"
        if self.name == "map":
            return f"map<{self.children[0]},{self.children[1]}>"
        if self.name == "struct":
            inner = ",".join(
                f"{_quote(n)}:{t}" for n, t in zip(self.fields, self.children, strict=True)
            )
            return f"struct<{inner}>"
        if self.args:
            return f"{self.name}({','.join(map(str, self.args))})"
        return self.name

    @property
    def logical(self) -> str | None:
        return LOGICAL.get(self.name)


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"`{name}`"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> ContractError:
        return ContractError(
            "SS713", f"physicalType {self.text!r} is not a Spark SQL type ({what})"
        )

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r} at character {self.pos + 1}")
        self.pos += 1

    def word(self) -> str:
        self.ws()
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.text, self.pos)
        if not m:
            raise self.fail(f"expected a type name at character {self.pos + 1}")
        self.pos = m.end()
        return m.group(0).lower()

    def name(self) -> str:
        self.ws()
        if self.peek() == "`":
            end = self.text.find("`", self.pos + 1)
            if end < 0:
                raise self.fail("unclosed backquote")
            out = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return out
        m = re.compile(r"[^\s:,<>`]+").match(self.text, self.pos)
        if not m:
            raise self.fail(f"expected a field name at character {self.pos + 1}")
        self.pos = m.end()
        return m.group(0)

    def ints(self) -> tuple[int, ...]:
        self.expect("(")
        out = []
        while True:
            self.ws()
            m = re.compile(r"[0-9]+").match(self.text, self.pos)
            if not m:
                raise self.fail("expected a number")
            out.append(int(m.group(0)))
            self.pos = m.end()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(")")
            return tuple(out)

    def type(self) -> SqlType:
        self.ws()
        m = _INTERVAL.match(self.text.lower(), self.pos)
        if m:
            self.pos = m.end()
            return SqlType(" ".join(m.group(0).split()))
        return self._after(self.word())

    def _after(self, word: str) -> SqlType:
        raw = word
        word = _ALIASES.get(raw, raw)
        if word in _SIMPLE:
            return SqlType(word)
        if word in _PARAMETRIC:
            default = _PARAMETRIC[word]
            args = self.ints() if self.peek() == "(" else default
            if args is None:
                raise self.fail(f"{word} needs a length, e.g. {word}(255)")
            if word == "decimal":
                args = (args[0], 0) if len(args) == 1 else args
                if len(args) != 2 or not 1 <= args[0] <= 38 or args[1] > args[0]:
                    raise self.fail("decimal(precision, scale) with 1 <= precision <= 38")
            elif len(args) != 1:
                raise self.fail(f"{word} takes one number")
            return SqlType(word, tuple(args))
        if word == "array":
            self.expect("<")
            elem = self.type()
            self.expect(">")
            return SqlType("array", children=(elem,))
        if word == "map":
            self.expect("<")
            key = self.type()
            self.expect(",")
            value = self.type()
            self.expect(">")
            return SqlType("map", children=(key, value))
        if word == "struct":
            self.expect("<")
            names: list[str] = []
            types: list[SqlType] = []
            while self.peek() != ">":
                names.append(self.name())
                if self.peek() == ":":
                    self.pos += 1
                types.append(self.type())
                if self.peek() == ",":
                    self.pos += 1
            self.expect(">")
            return SqlType("struct", children=tuple(types), fields=tuple(names))
        raise self.fail(f"unknown type name {raw!r}")


def parse(text: str) -> SqlType:
    """Parse a Spark SQL type name (case-insensitive, Spark's aliases accepted)."""
    p = _Parser(text)
    out = p.type()
    if p.peek():
        raise p.fail(f"unexpected text at character {p.pos + 1}")
    return out


def from_spark(dt: DataType) -> SqlType:
    """A DataFrame field's type, walked as objects (field names may hold any character)."""
    from pyspark.sql import types as T

    if isinstance(dt, T.ArrayType):
        return SqlType("array", children=(from_spark(dt.elementType),))
    if isinstance(dt, T.MapType):
        return SqlType("map", children=(from_spark(dt.keyType), from_spark(dt.valueType)))
    if isinstance(dt, T.StructType):
        return SqlType(
            "struct",
            children=tuple(from_spark(f.dataType) for f in dt.fields),
            fields=tuple(f.name for f in dt.fields),
        )
    try:
        return parse(dt.simpleString())
    except ContractError:  # a type this parser does not know (a UDT, a newer Spark type)
        return SqlType(dt.simpleString())


def matches(actual: SqlType, expected: SqlType) -> bool:
    """Whether data of type ``actual`` satisfies a contract's ``expected`` type.

    Exact, except that a contract's ``char(n)``/``varchar(n)`` accepts Spark's ``string``
    (Spark reads both as string unless told to keep them).
    """
    if expected.name in ("char", "varchar") and actual.name == "string":
        return True
    if actual.name != expected.name or actual.args != expected.args:
        return False
    if actual.fields != expected.fields or len(actual.children) != len(expected.children):
        return False
    return all(matches(a, e) for a, e in zip(actual.children, expected.children, strict=True))


def widens(old: SqlType, new: SqlType) -> bool:
    """Whether every value of ``old`` is a value of ``new`` (new == old included).

    Delta Lake's type widening: integers up (tinyint < smallint < int < bigint), float to
    double, tinyint/smallint/int to double, integers to a decimal with room for their
    digits, decimal precision and scale up, date to timestamp; plus char/varchar lengths
    up and to string, and containers whose elements widen (structs may gain fields).
    """
    if old == new:
        return True
    o, n = old.name, new.name
    if o in _INT_ORDER and n in _INT_ORDER:
        return _INT_ORDER.index(n) >= _INT_ORDER.index(o)
    if o == "float" and n == "double":
        return True
    if o in ("tinyint", "smallint", "int") and n == "double":
        return True
    if o in _INT_ORDER and n == "decimal":
        p, s = new.args
        return p - s >= _INT_DIGITS[o]
    if o == "decimal" and n == "decimal":
        (p1, s1), (p2, s2) = old.args, new.args
        return s2 >= s1 and p2 - s2 >= p1 - s1
    if o == "date" and n in ("timestamp", "timestamp_ntz"):
        return True
    if o in ("char", "varchar") and n == "string":
        return True
    if o in ("char", "varchar") and n == "varchar":
        return new.args[0] >= old.args[0]
    if o == "time" and n == "time":
        return new.args[0] >= old.args[0]
    if o == n and o in ("array", "map"):
        return all(widens(a, b) for a, b in zip(old.children, new.children, strict=True))
    if o == n == "struct":
        new_fields = dict(zip(new.fields, new.children, strict=True))
        return all(
            name in new_fields and widens(t, new_fields[name])
            for name, t in zip(old.fields, old.children, strict=True)
        )
    return False


LOGICAL_WIDENS = {("integer", "number"), ("date", "timestamp")}
"""Logical types whose values all fit another logical type (old, new)."""
