"""Watch every process's command line while a Spark application runs."""

from __future__ import annotations

import os
import threading


def _cmdlines() -> dict[int, bytes]:
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                data = fh.read()
        except OSError:
            continue  # exited while we looked
        if data:
            out[int(entry.name)] = data
    return out


class CmdlineWatch(threading.Thread):
    """Reads ``/proc/*/cmdline`` of every process, as any local user can, every 50 ms.

    ``seen`` keeps each distinct (pid, command line) pair, so short-lived processes
    (the ``spark-submit`` script, Spark's launcher) are caught too.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: set[tuple[int, bytes]] = set()
        self.done = threading.Event()

    def __enter__(self) -> CmdlineWatch:
        self.seen.update(_cmdlines().items())
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()

    def run(self) -> None:
        while not self.done.is_set():
            self.seen.update(_cmdlines().items())
            self.done.wait(0.05)

    def holders(self, needle: str) -> list[bytes]:
        """The full command lines (NUL-separated arguments) that contain ``needle``."""
        return sorted({c for _, c in self.seen if needle.encode() in c})

    def holding(self, needle: str) -> list[str]:
        """The command lines that contain ``needle`` (shown as ``<NEEDLE>``), shortened."""
        raw = needle.encode()
        shown = (c.replace(raw, b"<NEEDLE>").replace(b"\0", b" ") for _, c in self.seen if raw in c)
        return sorted({c[:200].decode(errors="replace") for c in shown})

    def count(self, marker: str) -> int:
        """How many distinct processes had ``marker`` in their command line."""
        return len({pid for pid, c in self.seen if marker.encode() in c})
