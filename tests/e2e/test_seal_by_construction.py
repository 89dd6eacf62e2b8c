"""Issue 10: no input shape leaks, because what stays readable is an allow-list.

The leak app runs ``construction_cases.py`` -- computed failure messages, literal shapes in
plans, paths in scans, user-set properties and names, plan-change logs, streaming names and
observed metrics, Python warnings -- with fresh canaries, and asks the live UI for every
spelling of its gated and sealed routes. Every sink is scanned: driver and executor logs,
the decompressed event log, REST and HTML, the route spellings, the History Server serving
the event log, and local dirs. Runs: ``local[2]``, ``local-cluster``, ``local-cluster``
launched by ``sparkseal submit`` with Spark's structured logging on, and the control on
stock PySpark, where the same cases must show their canaries.
"""

from __future__ import annotations

import pytest

from tests.e2e import construction_cases
from tests.e2e.artifacts import Run, history_server, leaks, run_app, unseal

CLUSTER = "local-cluster[2,1,1024]"
MODES = {
    "local": dict(master="local[2]"),
    "cluster": dict(master=CLUSTER),
    "structured-logging": dict(
        master=CLUSTER,
        submit=True,
        submit_conf=("--conf", "spark.log.structuredLogging.enabled=true"),
    ),
}


@pytest.fixture(scope="module", params=list(MODES), ids=list(MODES))
def run(request, tmp_path_factory, policy_file) -> Run:
    mode = MODES[request.param]
    out = tmp_path_factory.mktemp(request.param)
    run = run_app(
        out,
        policy_file,
        mode["master"],
        "construction",
        "--fuzz-ui",
        **{k: v for k, v in mode.items() if k != "master"},
    )
    if request.param == "cluster":
        dump = history_server(out / "events", run.manifest["app_id"], out)
        run.artifacts.update({f"history/{k}": v for k, v in dump.items()})
    return run


def test_every_case_ran(run):
    assert set(run.manifest["outcomes"]) == set(construction_cases.CASES)
    assert any(k.startswith("eventlog/") for k in run.artifacts)
    assert len([k for k in run.artifacts if k.startswith("ui/fuzz-")]) >= 90


def test_zero_plaintext_in_every_sink(run):
    assert leaks(run) == []


def test_sealed_copies_open_to_every_canary(run, key_dir):
    opened = unseal(
        run.text("driver/") + run.text("eventlog/") + run.text("ui/") + run.text("executor/"),
        key_dir,
    )
    missing = [case for case, canary in run.canaries.items() if canary not in opened]
    assert missing == []


def test_gated_routes_are_refused_in_every_spelling(run):
    statuses = run.manifest["fuzz"]
    gated = [s for s in statuses if "execution/?id=" in s.lower() or "/storage" in s.lower()]
    gated = [s for s in gated if "/api/" not in s.lower()]
    assert gated
    assert all(statuses[s] != 200 for s in gated), {s: statuses[s] for s in gated}


def test_control_stock_pyspark_shows_every_canary(tmp_path, policy_file):
    run = run_app(tmp_path, policy_file, "local[2]", "construction", "--no-seal")
    found = {entry.split(": ", 1)[1] for entry in leaks(run)}
    assert set(construction_cases.CASES) - found == set()
