"""A progress bar for a Spark action: tasks done out of tasks known, from the status tracker."""

from __future__ import annotations

import contextlib
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@contextlib.contextmanager
def spark_progress(spark: SparkSession, description: str, enabled: bool = True) -> Iterator[None]:
    """Show the tasks of the jobs started inside the block on stderr (a TTY) while they run."""
    if not enabled or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    sc = spark.sparkContext
    group = f"sparkseal-{uuid.uuid4().hex[:8]}"
    sc.setJobGroup(group, description)
    done = threading.Event()
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task(description, total=None)

    def poll() -> None:
        tracker = sc.statusTracker()
        while not done.wait(0.5):
            total = completed = 0
            for job_id in tracker.getJobIdsForGroup(group):
                job = tracker.getJobInfo(job_id)
                for stage_id in job.stageIds if job else []:
                    stage = tracker.getStageInfo(stage_id)
                    if stage:
                        total += stage.numTasks
                        completed += stage.numCompletedTasks
            if total:
                progress.update(task, total=total, completed=completed)

    watcher = threading.Thread(target=poll, daemon=True)
    with progress:
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
            sc.setLocalProperty("spark.jobGroup.id", None)
