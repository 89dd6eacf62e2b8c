"""Check a DataFrame against its contract before it is written: one error naming every problem.

Schema problems (missing, extra, wrongly typed columns) come from the DataFrame's schema
alone. Nulls in required columns and duplicate primary keys need the data: they are
counted in ONE aggregation (one Spark job), never one job per column. PII-classified
columns are checked against the policy's ``[protect]`` rules. Every message holds column
names, types and counts only, so the error is safe to log unsealed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from open_data_contract_standard.model import OpenDataContractStandard, SchemaProperty

from sparkseal.contracts import types
from sparkseal.contracts.classification import PII_CLASSIFICATIONS, is_pii, protection
from sparkseal.contracts.errors import ContractError
from sparkseal.contracts.load import as_contract, column_name, schema_object

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

    from sparkseal.core.policy import PolicyLike

MISSING, EXTRA, WRONG_TYPE, NULLS, DUPLICATE_KEY, UNPROTECTED, BAD_TYPE = (
    "SS707",
    "SS708",
    "SS709",
    "SS710",
    "SS711",
    "SS712",
    "SS713",
)


@dataclass(frozen=True)
class Violation:
    """One problem with one column (or with the primary key's columns)."""

    code: str
    columns: tuple[str, ...]
    message: str
    """Names, types and counts only."""


@dataclass
class Report:
    """What :func:`check` found; ``ok`` when nothing."""

    contract: str
    dataset: str
    rows: int | None = None
    """Rows counted by the data pass; None when no column needed one."""
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def columns(self) -> list[str]:
        """Every offending column, once, in the order found."""
        return list(dict.fromkeys(c for v in self.violations for c in v.columns))

    def error(self) -> ContractError:
        lines = [f"  {v.code} {v.message}" for v in self.violations]
        return ContractError(
            "SS706",
            f"the data does not match contract {self.contract!r} (dataset {self.dataset!r}): "
            f"{len(self.violations)} problem(s) in column(s) {', '.join(self.columns())}\n"
            + "\n".join(lines),
            tuple(self.violations),
        )


def _expected_type(prop: SchemaProperty) -> types.SqlType | str | None:
    """The contract's type: a parsed ``physicalType``, else the ``logicalType``, else None."""
    if prop.physicalType:
        return types.parse(prop.physicalType)
    return prop.logicalType


def _describe(expected: types.SqlType | str) -> str:
    return str(expected) if isinstance(expected, types.SqlType) else f"logical {expected}"


def _type_violation(name: str, actual: types.SqlType, prop: SchemaProperty) -> Violation | None:
    try:
        expected = _expected_type(prop)
    except ContractError as exc:
        return Violation(BAD_TYPE, (name,), f"column {name}: {exc.args[0].split(': ', 1)[1]}")
    if expected is None:
        return None
    ok = (
        types.matches(actual, expected)
        if isinstance(expected, types.SqlType)
        else actual.logical == expected
    )
    if ok:
        return None
    return Violation(
        WRONG_TYPE,
        (name,),
        f"wrong type: column {name} is {actual}, the contract says {_describe(expected)}",
    )


def primary_key(props: Iterable[SchemaProperty]) -> list[str]:
    """The key's columns in ``primaryKeyPosition`` order (unnumbered ones last, as listed)."""
    keyed = [p for p in props if p.primaryKey]
    ordered = sorted(
        enumerate(keyed),
        key=lambda ip: (
            ip[1].primaryKeyPosition is None or ip[1].primaryKeyPosition < 1,
            ip[1].primaryKeyPosition or 0,
            ip[0],
        ),
    )
    return [column_name(p) for _, p in ordered]


def _quoted(name: str) -> Column:
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def check(
    df: DataFrame,
    contract: OpenDataContractStandard | str | os.PathLike[str],
    *,
    policy: PolicyLike = None,
    dataset: str | None = None,
    check_primary_key: bool = True,
    pii_classifications: frozenset[str] = PII_CLASSIFICATIONS,
    progress: bool = False,
) -> Report:
    """Everything wrong with ``df`` against ``contract``, without raising.

    ``policy`` (a Policy, mapping or path; default ``$SPARKSEAL_POLICY`` or
    ``./sparkseal.toml``) is loaded only when a column is classified PII.
    ``check_primary_key=False`` skips the duplicate-key count, the only part of the data
    pass that shuffles.
    """
    from pyspark.sql import functions as F

    c = as_contract(contract)
    obj = schema_object(c, dataset)
    report = Report(contract=c.name or c.id or "contract", dataset=obj.name or "")
    props = list(obj.properties or [])
    by_column = {column_name(p): p for p in props}
    actual = {f.name: types.from_spark(f.dataType) for f in df.schema.fields}

    for name, prop in by_column.items():
        if name not in actual:
            shown = prop.physicalType or prop.logicalType or "no type given"
            report.violations.append(
                Violation(MISSING, (name,), f"missing column: {name} ({shown})")
            )
    for name, sql in actual.items():
        if name not in by_column:
            report.violations.append(
                Violation(EXTRA, (name,), f"extra column: {name} ({sql}) is not in the contract")
            )
    for name, prop in by_column.items():
        if name in actual and (v := _type_violation(name, actual[name], prop)):
            report.violations.append(v)

    pii = [n for n, p in by_column.items() if is_pii(p.classification, pii_classifications)]
    if pii:
        from sparkseal.core.policy import load_policy

        rules = load_policy(policy).protect
        for name in pii:
            if protection(rules, name) is None:
                cls = by_column[name].classification
                report.violations.append(
                    Violation(
                        UNPROTECTED,
                        (name,),
                        f"PII without a protect rule: column {name} is classified {cls!r} but "
                        "no [[protect.columns]] entry of the policy matches it",
                    )
                )

    key = [k for k in primary_key(props) if k in actual] if check_primary_key else []
    key = key if len(key) == len(primary_key(props)) else []  # a missing key column: reported
    required = [n for n, p in by_column.items() if n in actual and (p.required or p.primaryKey)]
    if required or key:
        aggs = [F.count(F.lit(1)).alias("rows")]
        aggs += [F.count_if(_quoted(n).isNull()).alias(f"n{i}") for i, n in enumerate(required)]
        if key:
            complete = F.lit(True)
            for k in key:
                complete = complete & _quoted(k).isNotNull()
            aggs.append(F.count_if(complete).alias("keyed"))
            aggs.append(F.count_distinct(*[_quoted(k) for k in key]).alias("distinct"))
        from sparkseal.discovery.progress import spark_progress

        with spark_progress(df.sparkSession, "checking the contract", enabled=progress):
            counts = df.agg(*aggs).first().asDict()
        report.rows = counts["rows"]
        for i, name in enumerate(required):
            if counts[f"n{i}"]:
                report.violations.append(
                    Violation(
                        NULLS,
                        (name,),
                        f"nulls in required column: {name} has {counts[f'n{i}']} null(s) in "
                        f"{counts['rows']} rows",
                    )
                )
        repeats = counts["keyed"] - counts["distinct"] if key else 0
        if repeats:
            report.violations.append(
                Violation(
                    DUPLICATE_KEY,
                    tuple(key),
                    f"duplicate primary key ({', '.join(key)}): {repeats} row(s) repeat a key "
                    "of another row",
                )
            )
    return report


def enforce(
    df: DataFrame,
    contract: OpenDataContractStandard | str | os.PathLike[str],
    *,
    policy: PolicyLike = None,
    dataset: str | None = None,
    check_primary_key: bool = True,
    pii_classifications: frozenset[str] = PII_CLASSIFICATIONS,
) -> DataFrame:
    """Raise :class:`ContractError` (``SS706``) unless ``df`` matches its contract; else ``df``.

    Call it right before ``df.write``: a mismatch then fails the job before any file is
    written, with one error listing every offending column (missing, extra, wrong type,
    nulls where ``required``, duplicate primary keys, PII without a protect rule). Returns
    ``df`` unchanged so it chains: ``enforce(df, "contracts/customers.yaml").write...``.
    """
    report = check(
        df,
        contract,
        policy=policy,
        dataset=dataset,
        check_primary_key=check_primary_key,
        pii_classifications=pii_classifications,
    )
    if not report.ok:
        raise report.error()
    return df
