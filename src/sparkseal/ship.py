"""Pack what a Python worker needs to seal, for executors without sparkseal installed.

Workers only need ``sparkseal`` itself and ``cryptography`` (with its compiled
``_cffi_backend``); policy parsing, the CLI and the scanner stay on the
driver. The archive holds binaries of *this* interpreter, so executors must run
the same CPython minor version on the same platform.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import zipfile
from pathlib import Path

WORKER_MODULES = ("sparkseal", "cryptography", "_cffi_backend")
ARCHIVE_DIR = "sparkseal-worker"


def _module_files(name: str) -> tuple[Path, list[Path]]:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"module {name!r} is not installed in {sys.executable}")
    origin = Path(spec.origin)
    if spec.submodule_search_locations:
        root = origin.parent
        files = [
            p
            for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        ]
        return root.parent, files
    return origin.parent, [origin]


def pack(out: str | os.PathLike[str]) -> Path:
    """Write a zip with the worker-side modules; returns its path."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in WORKER_MODULES:
            base, files = _module_files(name)
            for f in files:
                zf.write(f, f.relative_to(base).as_posix())
    tmp.replace(target)
    return target


def submit_flags(archive: Path) -> list[str]:
    """The spark-submit flags that unpack the archive next to every executor's workers."""
    return [
        "--archives",
        f"{archive}#{ARCHIVE_DIR}",
        "--conf",
        f"spark.executorEnv.PYTHONPATH={ARCHIVE_DIR}",
    ]
