import subprocess
import sys

import pytest


@pytest.fixture
def cli():
    """Run ``sparkseal`` as users do: a separate process, real exit codes and streams."""

    def run(*args, input: bytes | None = None):
        return subprocess.run(
            [sys.executable, "-m", "sparkseal.cli.main", *map(str, args)],
            input=input,
            capture_output=True,
            timeout=120,
            check=False,
        )

    return run
