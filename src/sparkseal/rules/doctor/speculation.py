"""SS515, SS516, SS521: speculative execution against sinks that must not run twice
(grouped: all are ``spark.speculation`` judged with what the job writes to).

SS521 reads the sinks a policy declares (``[resilience] sinks``, docs/resilience.md);
SS515 looks at what the conf says about commits: a direct or non-default commit
protocol, or file-output-committer algorithm 2, lets a duplicate's output be seen."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

SPECULATION = "spark.speculation"
COMMIT_PROTOCOL = "spark.sql.sources.commitProtocolClass"
DEFAULT_PROTOCOL = "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol"
SAFE_PROTOCOLS = frozenset(
    {
        DEFAULT_PROTOCOL,
        "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol",
        "org.apache.spark.internal.io.HadoopMapReduceCommitProtocol",
    }
)
ALGORITHM = "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version"
COMMITTER_CLASSES = (
    "spark.sql.parquet.output.committer.class",
    "spark.hadoop.mapred.output.committer.class",
)

UNSAFE_COMMIT = Rule(
    code="SS515",
    tool="doctor",
    family="resilience",
    title="speculation is on with a commit that is not safe against duplicate tasks",
    severity="warning",
    rationale=(
        "A speculative copy of a task runs the same write twice. Spark's default commit "
        "protocol makes only one attempt's output visible; a direct committer, a custom "
        "commit protocol or file-output-committer algorithm 2 can leave both attempts' "
        "rows, or a half-written file, in the output."
    ),
    fix=f"Turn {SPECULATION} off for jobs that write, or keep the default commit protocol "
    "(algorithm 1, or the S3A magic/staging committers through PathOutputCommitProtocol).",
)

SPECULATING = Rule(
    code="SS516",
    tool="doctor",
    family="resilience",
    title="speculation is on: sinks outside Spark's commit protocol must be idempotent",
    severity="note",
    rationale=(
        "foreach, foreachPartition and foreachBatch sinks, JDBC writes and calls to "
        "external services are not covered by the commit protocol: a speculative "
        "duplicate writes twice unless the sink is idempotent (upserts keyed by batch and "
        "partition). `sparkseal lint` reports such sinks in code."
    ),
    fix="Make those sinks idempotent, or set spark.speculation=false for those jobs.",
)


@check(
    UNSAFE_COMMIT,
    example=(
        "spark.speculation true\nspark.hadoop.mapreduce.fileoutputcommitter.algorithm.version 2"
    ),
)
def unsafe_commit(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.flag(SPECULATION, False):
        return
    protocol = conf.get(COMMIT_PROTOCOL)
    if protocol is not None and protocol not in SAFE_PROTOCOLS:
        yield conf.finding(
            UNSAFE_COMMIT.code,
            f"{SPECULATION} is on and {COMMIT_PROTOCOL} is "
            "not a commit protocol safe against duplicate attempts",
            COMMIT_PROTOCOL,
        )
    if conf.get(ALGORITHM) == "2":
        yield conf.finding(
            UNSAFE_COMMIT.code,
            f"{SPECULATION} is on and {ALGORITHM} is 2 "
            "(task output becomes visible before the job commits)",
            ALGORITHM,
        )
    for key in COMMITTER_CLASSES:
        if "direct" in (conf.get(key) or "").lower():
            yield conf.finding(
                UNSAFE_COMMIT.code, f"{SPECULATION} is on and {key} names a direct committer", key
            )


@check(SPECULATING, example="spark.speculation true")
def speculating(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.flag(SPECULATION, False):
        yield conf.finding(SPECULATING.code, f"{SPECULATION} is true", SPECULATION)


NON_IDEMPOTENT = Rule(
    code="SS521",
    tool="doctor",
    family="resilience",
    title="speculation is on and the policy declares a non-idempotent sink",
    severity="error",
    rationale=(
        "Speculation runs a second copy of a slow task and both copies write: a sink the "
        "policy declares idempotent = false (a foreachBatch upsert without batch ids, an "
        "external API) gets the rows twice. harden() refuses the combination when the "
        "policy itself turns speculation on (SS971); here the deployment conf does."
    ),
    fix=f"Set {SPECULATION}=false for this job, or write through sparkseal.sinks "
    "(idempotent by batch id) and declare the sink idempotent.",
)


@check(
    NON_IDEMPOTENT,
    example=(
        "spark.speculation true\n"
        '# policy: [resilience] sinks = [{ name = "orders-kafka", idempotent = false }]'
    ),
)
def non_idempotent(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.flag(SPECULATION, False) and conf.non_idempotent_sinks:
        names = ", ".join(sorted(conf.non_idempotent_sinks))
        yield conf.finding(
            NON_IDEMPOTENT.code,
            f"{SPECULATION} is on and the policy declares non-idempotent sink(s): {names}",
            SPECULATION,
        )
