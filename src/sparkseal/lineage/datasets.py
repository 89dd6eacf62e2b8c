"""Input and output datasets of a query, with their facets.

From each dataset of a query record: its identity (:func:`identity.dataset_identity`), the
schema facet (names and types of the columns), the symlinks facet when it is a catalog
table, the storage facet for Delta and Iceberg; for outputs also the column-lineage facet
(which input columns each output column comes from, and through which transformation;
the ``indirect`` ones, joins, filters, groupings, go in the facet's dataset-level list) and,
in the run's last event, the output statistics (rows, bytes, files). Only names, paths,
types and counts: a record's data values never reach a facet because no facet takes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openlineage.client.event_v2 import InputDataset, OutputDataset
from openlineage.client.facet_v2 import (
    DatasetFacet,
    column_lineage_dataset,
    output_statistics_output_dataset,
    schema_dataset,
    storage_dataset,
    symlinks_dataset,
)

from sparkseal.lineage.identity import PRODUCER, dataset_identity
from sparkseal.lineage.records import (
    LineageRecordError,
    list_of_objects,
    optional_count,
    optional_str,
    require_int,
    require_str,
)

DIRECT_SUBTYPES = frozenset({"IDENTITY", "TRANSFORMATION", "AGGREGATION"})
INDIRECT_SUBTYPES = frozenset({"JOIN", "FILTER", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"})
_TABLE_FORMATS = frozenset({"delta", "iceberg"})

Identity = tuple[str, str]


def _schema_fields(
    fields: list[Mapping[str, Any]], where: str
) -> list[schema_dataset.SchemaDatasetFacetFields]:
    out = []
    for i, field in enumerate(fields):
        here = f"{where}[{i}]"
        out.append(
            schema_dataset.SchemaDatasetFacetFields(
                name=require_str(field, "name", here),
                type=optional_str(field, "type", here),
                ordinal_position=i + 1,
                fields=_schema_fields(list_of_objects(field, "fields", here), f"{here}.fields")
                or None,
            )
        )
    return out


def _common_facets(dataset: Mapping[str, Any], where: str) -> dict[str, DatasetFacet]:
    facets: dict[str, DatasetFacet] = {}
    ns, _ = dataset_identity(
        require_str(dataset, "namespace", where), require_str(dataset, "name", where)
    )
    fields = list_of_objects(dataset, "fields", where)
    if fields:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(
            fields=_schema_fields(fields, f"{where}.fields"), producer=PRODUCER
        )
    table = optional_str(dataset, "table", where)
    if table:
        # The record names the table, not its catalog's address: the symlink lives in the
        # dataset's own namespace (what the Spark integration does without a metastore).
        facets["symlinks"] = symlinks_dataset.SymlinksDatasetFacet(
            identifiers=[symlinks_dataset.Identifier(namespace=ns, name=table, type="TABLE")],
            producer=PRODUCER,
        )
    fmt = optional_str(dataset, "format", where)
    if fmt and fmt.lower() in _TABLE_FORMATS:
        facets["storage"] = storage_dataset.StorageDatasetFacet(
            storageLayer=fmt.lower(), producer=PRODUCER
        )
    return facets


def input_identities(record: Mapping[str, Any]) -> list[Identity]:
    """The (namespace, name) of each entry of ``record.inputs``, by index."""
    return [
        dataset_identity(
            require_str(d, "namespace", f"record.inputs[{i}]"),
            require_str(d, "name", f"record.inputs[{i}]"),
        )
        for i, d in enumerate(list_of_objects(record, "inputs", "record"))
    ]


def input_datasets(record: Mapping[str, Any]) -> list[InputDataset]:
    """The query's inputs; two entries with one identity (two partitions of one table) are
    one dataset, with the first entry's facets."""
    seen: dict[Identity, InputDataset] = {}
    for i, d in enumerate(list_of_objects(record, "inputs", "record")):
        where = f"record.inputs[{i}]"
        ns, name = dataset_identity(
            require_str(d, "namespace", where), require_str(d, "name", where)
        )
        if (ns, name) not in seen:
            seen[(ns, name)] = InputDataset(
                namespace=ns, name=name, facets=_common_facets(d, where)
            )
    return list(seen.values())


def _input_fields(
    entries: list[Mapping[str, Any]], inputs: list[Identity], where: str, kind: str | None
) -> list[column_lineage_dataset.InputField]:
    """Entries ``{"input": i, "field": f, "type": T, "subtype": S}`` grouped by input field
    (in first-seen order), each with its transformations in record order."""
    grouped: dict[tuple[str, str, str], list[column_lineage_dataset.Transformation]] = {}
    for j, entry in enumerate(entries):
        here = f"{where}[{j}]"
        index = require_int(entry, "input", here)
        if not 0 <= index < len(inputs):
            raise LineageRecordError(f"{here}.input is not an index into record.inputs")
        field = require_str(entry, "field", here)
        ttype = require_str(entry, "type", here)
        subtype = optional_str(entry, "subtype", here)
        if ttype not in ("DIRECT", "INDIRECT") or (kind is not None and ttype != kind):
            expected = kind or "DIRECT or INDIRECT"
            raise LineageRecordError(f"{here}.type must be {expected}")
        allowed = DIRECT_SUBTYPES if ttype == "DIRECT" else INDIRECT_SUBTYPES
        if subtype is not None and subtype not in allowed:
            raise LineageRecordError(f"{here}.subtype is not a {ttype} subtype of the spec")
        ns, name = inputs[index]
        grouped.setdefault((ns, name, field), []).append(
            column_lineage_dataset.Transformation(type=ttype, subtype=subtype)
        )
    return [
        column_lineage_dataset.InputField(
            namespace=ns, name=name, field=field, transformations=transformations
        )
        for (ns, name, field), transformations in grouped.items()
    ]


def column_lineage(
    output: Mapping[str, Any], inputs: list[Identity], where: str
) -> column_lineage_dataset.ColumnLineageDatasetFacet | None:
    """The column-lineage facet of one output, exactly as the record states it; ``None`` when
    the record has no column lineage for it."""
    columns = output.get("columns")
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise LineageRecordError(f"{where}.columns must be a JSON object")
    fields: dict[str, column_lineage_dataset.Fields] = {}
    for column, entries in columns.items():
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
            raise LineageRecordError(f"{where}.columns has a value that is not a list of objects")
        fields[str(column)] = column_lineage_dataset.Fields(
            inputFields=_input_fields(entries, inputs, f"{where}.columns[{len(fields)}]", None)
        )
    indirect = _input_fields(
        list_of_objects(output, "indirect", where), inputs, f"{where}.indirect", "INDIRECT"
    )
    if not fields and not indirect:
        return None
    return column_lineage_dataset.ColumnLineageDatasetFacet(
        fields=fields, dataset=indirect, producer=PRODUCER
    )


def output_datasets(record: Mapping[str, Any], *, final: bool) -> list[OutputDataset]:
    """The query's outputs; ``final`` (the COMPLETE or FAIL event) adds the statistics."""
    inputs = input_identities(record)
    out: list[OutputDataset] = []
    for i, d in enumerate(list_of_objects(record, "outputs", "record")):
        where = f"record.outputs[{i}]"
        ns, name = dataset_identity(
            require_str(d, "namespace", where), require_str(d, "name", where)
        )
        facets = _common_facets(d, where)
        lineage = column_lineage(d, inputs, where)
        if lineage is not None:
            facets["columnLineage"] = lineage
        output_facets = {}
        stats = {k: optional_count(d, k, where) for k in ("rows", "bytes", "files")}
        if final and any(v is not None for v in stats.values()):
            output_facets["outputStatistics"] = (
                output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                    rowCount=stats["rows"],
                    size=stats["bytes"],
                    fileCount=stats["files"],
                    producer=PRODUCER,
                )
            )
        out.append(
            OutputDataset(namespace=ns, name=name, facets=facets, outputFacets=output_facets)
        )
    return out
