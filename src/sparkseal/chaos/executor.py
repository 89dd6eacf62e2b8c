"""Finding the executor JVM that runs this Python worker, from inside the worker.

Why the process tree and not the driver: a Python worker is forked by the PySpark daemon,
which the executor JVM started, so the executor is the worker's nearest ancestor whose
command line runs an ``...ExecutorBackend`` class. That holds on local-cluster, standalone,
YARN and Kubernetes alike, needs no RPC, and picks the executor that runs *this* task (the
driver would have to guess which pid belongs to which executor id, and on a real cluster
the pid is on another host). In ``local[...]`` mode there is no such ancestor (the tasks
run inside the driver JVM): then nothing is found and nothing is killed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_BACKENDS = ("CoarseGrainedExecutorBackend", "KubernetesExecutorBackend")


@dataclass(frozen=True)
class ExecutorProcess:
    pid: int
    executor_id: str


def _parent(pid: int) -> int:
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces or parentheses.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _argv(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def find_executor(pid: int | None = None) -> ExecutorProcess | None:
    """The executor JVM above ``pid`` (default: this process), or None (local mode, no
    ``/proc``)."""
    current = os.getpid() if pid is None else pid
    try:
        for _ in range(16):
            current = _parent(current)
            if current <= 1:
                return None
            argv = _argv(current)
            if any(a.endswith(_BACKENDS) for a in argv):
                ids = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--executor-id"]
                return ExecutorProcess(current, ids[0] if ids else "")
    except (OSError, ValueError, IndexError):
        return None
    return None
