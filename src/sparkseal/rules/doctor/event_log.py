"""SS509-SS510: the event log -- who writes it (Spark's writer or sparkseal's sealed one)
and who can read its directory (grouped: both are ``spark.eventLog.*``)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

ENABLED = "spark.eventLog.enabled"
DIR = "spark.eventLog.dir"
LISTENERS = "spark.extraListeners"
SEALED_WRITER = "io.sparkseal.SealedEventLoggingListener"
DEFAULT_DIR = "/tmp/spark-events"  # noqa: S108 (Spark's default, read not written)

UNSEALED = Rule(
    code="SS509",
    tool="doctor",
    family="sealing",
    title="the event log is written by Spark's own, unsealed writer",
    severity="error",
    rationale=(
        "With spark.eventLog.enabled=true Spark's writer records exception messages, "
        "SQL text, plan strings with literals and job descriptions in plaintext, kept for "
        "the history server long after the job. sparkseal's sealed writer takes its "
        "place when harden() sees the setting."
    ),
    fix=(
        f"Build the session with sparkseal.harden() (it sets {ENABLED}=false and adds "
        f"{SEALED_WRITER} to {LISTENERS}, honouring every other spark.eventLog.* setting)."
    ),
)

OPEN_DIR = Rule(
    code="SS510",
    tool="doctor",
    family="security-conf",
    title="the event log directory is open to other users",
    severity="warning",
    rationale=(
        "A local event log directory that other users can read lists every application "
        "and may expose logs Spark did not restrict; one they can write without the "
        "sticky bit lets them delete or replace logs the history server shows."
    ),
    fix="chmod o-rwx the directory (or 1777 with the sticky bit for a shared history "
    "directory, whose files Spark creates 0770).",
)


def logging(conf: EffectiveConf) -> bool:
    """Whether any writer (Spark's or the sealed one) writes an event log."""
    listeners = [x.strip() for x in (conf.get(LISTENERS) or "").split(",")]
    return conf.flag(ENABLED, False) or SEALED_WRITER in listeners


def local_dir(value: str) -> Path | None:
    """The local path of an event log dir (``file:`` or no scheme); ``None`` for HDFS, S3..."""
    parsed = urlparse(value)
    if parsed.scheme in ("", "file"):
        return Path(parsed.path or value)
    return None


@check(UNSEALED, example="spark.eventLog.enabled true")
def unsealed(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.flag(ENABLED, False):
        yield conf.finding(UNSEALED.code, f"{ENABLED} is true: Spark's own writer is on", ENABLED)


@check(
    OPEN_DIR,
    example=(
        "spark.extraListeners io.sparkseal.SealedEventLoggingListener\n"
        "spark.eventLog.dir file:/tmp/spark-events\n"
        "# drwxr-xr-x /tmp/spark-events"
    ),
)
def open_dir(conf: EffectiveConf) -> Iterator[Finding]:
    if not logging(conf):
        return
    path = local_dir(conf.get(DIR) or DEFAULT_DIR)
    if path is None:
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # not there (yet): Spark refuses to start without it
    problems = []
    if mode & stat.S_IROTH:
        problems.append("readable by other users")
    if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        problems.append("writable by other users without the sticky bit")
    try:
        exposed = sum(1 for f in path.iterdir() if f.is_file() and f.stat().st_mode & stat.S_IROTH)
    except OSError:
        exposed = 0
    if exposed:
        problems.append(f"{exposed} log file(s) in it readable by other users")
    if problems:
        yield conf.finding(
            OPEN_DIR.code, f"the directory {DIR} names is {'; '.join(problems)}", DIR
        )
