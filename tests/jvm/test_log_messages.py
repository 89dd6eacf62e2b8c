"""JVM log messages: Spark's operational shapes readable, everything else sealed."""

from __future__ import annotations

import pytest

from sparkseal.core.rules import TOKEN_RE

CANARY = "log.canary@example.com"
EXECUTOR = "org.apache.spark.executor.Executor"
READABLE = [
    ("org.apache.spark.executor.Executor", "Running task 0.0 in stage 1.0 (TID 1)"),
    ("org.apache.spark.executor.Executor", "Exception in task 1.0 in stage 3.0 (TID 7)"),
    ("org.apache.spark.executor.CoarseGrainedExecutorBackend", "Got assigned task 12"),
    (
        "org.apache.spark.storage.memory.MemoryStore",
        "Block broadcast_3_piece0 stored as bytes in memory"
        " (estimated size 5.1 KiB, free 434.4 MiB)",
    ),
    (
        "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator",
        "Code generated in 85.713471 ms",
    ),
    (
        "org.apache.spark.scheduler.TaskSetManager",
        "Task 0 in stage 4.0 failed 1 times; aborting job",
    ),
]


@pytest.fixture
def seal_log(tmp_path, private_key):
    from tests.jvm.conftest import run_seal_tool

    pub = tmp_path / "pub.txt"
    pub.write_text(private_key.public.to_text())

    def run(pairs):
        text = "".join(f"{lg}\t{msg.replace(chr(10), chr(92) + 'n')}\n" for lg, msg in pairs)
        proc = run_seal_tool("log", pub, input=text)
        assert proc.returncode == 0, proc.stderr
        return [line.replace("\\n", "\n") for line in proc.stdout.splitlines()]

    return run


def test_operational_messages_stay_readable(seal_log):
    assert seal_log(READABLE) == [msg for _, msg in READABLE]


def test_typed_slots_do_not_take_data(seal_log):
    out = seal_log(
        [
            ("org.apache.spark.executor.Executor", f"Running task {CANARY} in stage 1.0 (TID 1)"),
            (
                "org.apache.spark.executor.CoarseGrainedExecutorBackend",
                f"Got assigned task {CANARY}",
            ),
            (
                "org.apache.spark.executor.Executor",
                "Running task 0.0 in stage 1.0 (TID 1) " + CANARY,
            ),
        ]
    )
    assert all(CANARY not in line and TOKEN_RE.search(line) for line in out)


def test_sealed_slots_keep_the_template(seal_log, opener):
    lost = (
        "org.apache.spark.scheduler.TaskSetManager",
        f"Lost task 0.0 in stage 2.0 (TID 3) (host executor 1): TaskKilled (cancelled: {CANARY})",
    )
    (out,) = seal_log([lost])
    assert out.startswith("Lost task 0.0 in stage 2.0 (TID 3) (host executor 1): TaskKilled (")
    assert CANARY not in out and CANARY in opener.unseal_text(out)[0]


@pytest.mark.parametrize(
    "logger",
    [
        "org.apache.spark.sql.catalyst.rules.PlanChangeLogger",  # whole plans
        "org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec",
        "org.apache.parquet.filter2.compat.FilterCompat",  # pushed-down literals
        "org.apache.spark.sql.execution.datasources.FileSourceStrategy",
        "com.acme.UserLibrary",
        "org.apache.spark.executor.Executor",  # a Spark logger, a message of no known shape
    ],
)
def test_everything_else_is_sealed_whole(seal_log, opener, logger):
    message = f"\n=== Applying Rule X ===\n!Filter (e#0 = {CANARY})\n+- LogicalRDD [e#0]"
    (out,) = seal_log([(logger, message)])
    assert CANARY not in out and TOKEN_RE.search(out)
    assert opener.unseal_text(out)[0] == message


def test_sparkseals_own_messages_are_readable(seal_log):
    msg = "SS401: executor 1 on host refused to run tasks because it cannot seal: no key"
    assert seal_log([("io.sparkseal.attest.SealingPlugin", msg)]) == [msg]


def test_the_docs_list_exactly_the_allow_listed_loggers():
    import re
    from pathlib import Path

    from tests.jvm.conftest import run_seal_tool

    code = set(run_seal_tool("log-allowlist").stdout.split())
    docs = Path(__file__).parents[2] / "docs" / "jvm.md"
    section = docs.read_text().split("## The log allow-list")[1].split("\n## ")[0]
    documented = {
        name
        for row in section.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([^`]+)`", row.split(" | ")[0])
    }
    assert documented == code
