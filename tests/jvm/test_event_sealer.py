"""Events sealed by their schema: a real Spark 4.3 event log with planted canaries, sealed.

``events-stock-4.3.jsonl`` is what stock PySpark 4.3 wrote for a job that sets a job
description, a job group and its description, a job tag, a call site, a custom property, an
RDD name, a cached DataFrame filtered on a literal, and a streaming query with a name and
observed metrics; every such value is a canary. One custom event of an unknown type is added.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sparkseal.core.rules import TOKEN_RE

EVENTS = Path(__file__).with_name("events-stock-4.3.jsonl")
CANARY = re.compile(r"[a-z]+-canary-\d+")


@pytest.fixture(scope="module")
def sealed(tmp_path_factory, private_key):
    from tests.jvm.conftest import run_seal_tool

    pub = tmp_path_factory.mktemp("k") / "pub.txt"
    pub.write_text(private_key.public.to_text())
    proc = run_seal_tool("events", pub, input=EVENTS.read_text())
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _stock():
    return [json.loads(line) for line in EVENTS.read_text().splitlines()]


def test_the_control_has_canaries_everywhere_the_hunt_found_them():
    text = EVENTS.read_text()
    for where in (
        "spark.job.description",
        "spark.jobGroup.id",
        "Callsite",
        "simpleString",
        "physicalPlanDescription",
        "observedMetrics",
        "my.custom",
    ):
        assert where in text
    assert len(set(CANARY.findall(text))) >= 9


def test_no_canary_is_left_and_every_one_opens_back(sealed, opener):
    text = json.dumps(sealed)
    assert CANARY.findall(text) == []
    opened, problems = opener.unseal_text(text)
    assert problems == []
    assert set(CANARY.findall(opened)) == set(CANARY.findall(EVENTS.read_text()))


def test_every_event_keeps_its_type_and_ids(sealed):
    stock = _stock()
    assert [e["Event"] for e in sealed] == [e["Event"] for e in stock]
    for before, after in zip(stock, sealed, strict=True):
        for key in ("Job ID", "Stage IDs", "executionId", "Task End Reason", "Task Metrics"):
            if key in before and key != "Task End Reason":
                assert after[key] == before[key]


def test_spark_ids_in_properties_stay_readable(sealed):
    starts = [e for e in sealed if e["Event"] == "SparkListenerJobStart"]
    props = starts[-1]["Properties"]
    assert props["spark.sql.execution.id"].isdigit()
    assert "spark.job.description" in props and TOKEN_RE.fullmatch(props["spark.job.description"])
    assert all(not k.startswith("my.") for k in props)  # a key user code invented is sealed


def test_plans_are_rebuilt_from_the_tree(sealed):
    plans = [e["physicalPlanDescription"] for e in sealed if "physicalPlanDescription" in e]
    assert any("\n   +- Filter" in p or "+- Filter" in p for p in plans)
    for plan in plans:
        assert plan.startswith("== Physical Plan ==\n")
        for line in plan.splitlines()[1:]:
            head = line.lstrip(" :+-")
            token = r"\[SEALED:2:X:[0-9a-f]{16}:[A-Za-z0-9_-]+\]"
            assert re.fullmatch(rf"[A-Za-z][A-Za-z0-9]*( {token})?", head), line


def test_observed_metrics_become_tokens_with_a_string_schema(sealed):
    progress = [e for e in sealed if e["Event"].endswith("QueryProgressEvent")]
    assert progress
    for e in progress:
        assert TOKEN_RE.fullmatch(e["progress"]["name"])
        for metric in e["progress"]["observedMetrics"].values():
            assert all(v is None or TOKEN_RE.fullmatch(v) for v in metric["values"])
            assert {f["type"] for f in metric["schema"]["fields"]} == {"string"}
        assert e["progress"]["batchId"] >= 0  # numbers stay


def test_unknown_event_types_have_every_string_sealed(sealed):
    custom = [e for e in sealed if e["Event"] == "com.acme.CustomEvent"]
    assert TOKEN_RE.fullmatch(custom[0]["customer"]) and custom[0]["n"] == 5


def test_secret_properties_are_redacted_not_sealed(private_key, tmp_path):
    from tests.jvm.conftest import run_seal_tool

    pub = tmp_path / "pub.txt"
    pub.write_text(private_key.public.to_text())
    event = {
        "Event": "SparkListenerJobStart",
        "Job ID": 1,
        "Stage Infos": [],
        "Properties": {"spark.my.password": "hunter2-canary-1", "x": "token=abc-canary-2"},
    }
    out = json.loads(run_seal_tool("events", pub, input=json.dumps(event) + "\n").stdout)
    assert list(out["Properties"].values()) == ["*********(redacted)"] * 2
