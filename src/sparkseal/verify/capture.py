"""What a verification run collects while Spark works: local-dir files and the auth secret."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path


class LocalDirCapture(threading.Thread):
    """Copies every file that appears in Spark's local dirs while jobs run: spill files
    live only for the length of a task, so scanning after the job would miss them.
    ``limit`` caps the bytes copied (None: no cap)."""

    def __init__(self, root: Path, into: Path, limit: int | None = None) -> None:
        super().__init__(daemon=True)
        self.root, self.into = root, into
        self.left = float("inf") if limit is None else limit
        self.seen: dict[Path, int] = {}
        self.done = threading.Event()
        into.mkdir(parents=True, exist_ok=True)
        self.start()

    def run(self) -> None:
        while not self.done.is_set():
            self.sweep()
            self.done.wait(0.05)
        self.sweep()

    def sweep(self) -> None:
        for path in self.root.rglob("*"):
            try:
                size = path.stat().st_size
                if not path.is_file() or self.seen.get(path) == size or self.left <= 0:
                    continue
                data = path.read_bytes()
            except OSError:
                continue  # deleted while we looked
            self.seen[path] = size
            self.left -= len(data)
            name = f"{len(self.seen):06d}-" + "_".join(path.relative_to(self.root).parts)
            (self.into / name).write_bytes(data)

    def stop(self) -> None:
        self.done.set()
        self.join()


def auth_secret(spark) -> str | None:
    """The application's RPC secret, or None (authentication off, or no sparkseal jar).

    The JVM writes it to a 0600 file in a private directory: returned through py4j it
    would be printed by py4j's DEBUG log, one of the places it must never appear.
    """
    with tempfile.TemporaryDirectory(prefix="sparkseal-secret-") as tmp:
        path = Path(tmp) / "secret"
        try:
            if not spark.sparkContext._jvm.io.sparkseal.AuthSecret.writeTo(str(path)):
                return None
        except Exception:
            return None
        return path.read_text(encoding="utf-8")
