"""The spill patch inside pyspark.shuffle: what leaves a worker is what stock PySpark ships.

These run PySpark's own spilling classes in this process with the patch installed
(undone after each test); tests/worker/test_spill_differential.py compares whole
jobs on Spark.
"""

from __future__ import annotations

import os
import pickle

import pyspark.shuffle as shuffle
import pytest

from sparkseal.worker import spill
from sparkseal.worker.spill import SpillIntegrityError, SpillKeys

PATCHED = [
    (shuffle, "_compressed_serializer"),
    (shuffle.ExternalList, "_open_file"),
    (shuffle.ExternalList, "__getstate__"),
    (shuffle.ExternalMerger, "_spill"),
    (shuffle.ExternalGroupBy, "_spill"),
]


@pytest.fixture
def patched(monkeypatch, tmp_path):
    for owner, name in PATCHED:
        monkeypatch.setattr(owner, name, owner.__dict__[name])
    monkeypatch.setenv("SPARK_LOCAL_DIRS", str(tmp_path))
    spill.install(shuffle, SpillKeys())
    return tmp_path


def _agg():
    return shuffle.Aggregator(
        lambda x: [x], lambda x, y: x.append(y) or x, lambda x, y: x.extend(y) or x
    )


def test_list_of_lists_pickles_its_groups_not_their_values(patched):
    groups = [[i, -i] for i in range(shuffle.ExternalList.LIMIT * 2 + 7)]
    external = shuffle.ExternalListOfList([groups[0]])
    for g in groups[1:]:
        external.append(g)
    assert external._file is not None, "the list did not spill"
    copy = pickle.loads(pickle.dumps(external))
    assert len(copy) == len(external) == 2 * len(groups)
    assert list(copy) == [v for g in groups for v in g]


def test_grouped_values_survive_pickling(patched):
    data = ((k, [v]) for k in range(1, 4) for v in range(k * 15000))
    groups = pickle.loads(pickle.dumps(list(shuffle.GroupByKey(data))))
    assert [(k, list(vs)) for k, vs in groups] == [(k, list(range(k * 15000))) for k in (1, 2, 3)]


def test_every_partition_file_has_a_header(patched):
    merger = shuffle.ExternalMerger(_agg(), memory_limit=1, partitions=7)
    merger.mergeValues((1, i) for i in range(5000))  # one key: six partitions get nothing
    assert merger.spills >= 1
    spill_dir = merger._get_spill_dir(0)
    sizes = [os.path.getsize(os.path.join(spill_dir, str(i))) for i in range(7)]
    assert 0 not in sizes
    assert sorted(v for _, vs in merger.items() for v in vs) == list(range(5000))


def test_emptied_partition_file_fails_the_merge(patched):
    merger = shuffle.ExternalMerger(_agg(), memory_limit=1, partitions=3)
    merger.mergeValues((k, i) for i in range(3000) for k in range(3))
    assert merger.spills >= 1
    spill_dir = merger._get_spill_dir(0)
    for i in range(3):
        with open(os.path.join(spill_dir, str(i)), "r+b") as f:
            f.truncate(0)
    with pytest.raises(SpillIntegrityError, match="is empty"):
        list(merger.items())


def test_installing_twice_wraps_pyspark_once(patched):
    spill.install(shuffle, SpillKeys())
    merger = shuffle.ExternalMerger(_agg(), memory_limit=1, partitions=2)
    merger.mergeValues((k, k) for k in range(2000))
    assert sorted(k for k, _ in merger.items()) == list(range(2000))
