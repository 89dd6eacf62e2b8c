"""Owner-only output: ``verify`` keeps logs, captured spill files and the auth secret.

Files are 0600 and directories 0700 whatever the umask, and whatever Spark chose
(its event log files are 0770, its logs follow the umask).
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

FILE_MODE, DIR_MODE = 0o600, 0o700


def private_dir(path: Path) -> Path:
    """``path`` as a new (or empty) directory only its owner can open; SS105 otherwise."""
    if path.is_symlink():
        raise SparkSealError(coded("SS105", f"--keep {path} is a symlink; name a new directory"))
    try:
        path.mkdir(mode=DIR_MODE, parents=True)
    except FileExistsError:
        if not path.is_dir() or any(path.iterdir()):
            raise SparkSealError(
                coded(
                    "SS105",
                    f"--keep {path} exists and is not an empty directory; name a new one "
                    "(it will hold logs and the application's authentication secret)",
                )
            ) from None
    except OSError as exc:
        raise SparkSealError(coded("SS105", f"--keep {path}: {exc.strerror}")) from None
    os.chmod(path, DIR_MODE)
    return path


def restrict(root: Path) -> None:
    """Owner-only modes on ``root`` and everything in it (symlinks are left alone)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name, mode in [(d, DIR_MODE) for d in dirnames] + [(f, FILE_MODE) for f in filenames]:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, mode)
    os.chmod(root, DIR_MODE)


def open_private(path: Path) -> int:
    """A new file only its owner can read, never through a symlink: a descriptor to write."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
