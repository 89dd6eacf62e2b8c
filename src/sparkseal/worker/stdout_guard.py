"""Keep the daemon's stdout clean while sparkseal loads.

The JVM reads the daemon's port number from the daemon's stdout; one stray
``print`` at import time (a deprecation notice, a banner) breaks every task.
While the guard is active, file descriptor 1 points at stderr, so anything a
library prints lands in the executor log instead. Stdlib only, on purpose.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
