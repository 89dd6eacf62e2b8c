"""List the files a scan must read: symlinks followed, each real file once, cycles cut.

Log directories are often made of links: kubelet's ``/var/log/containers`` holds
only symlinks into ``/var/log/pods``, and log shippers link rotated files. A
gate that skipped links would call such a directory clean without reading a
byte, so files and directories behind links are followed. Every directory and
file is keyed by ``(st_dev, st_ino)``: a directory already being walked is not
entered again (a symlink cycle ends), and a file reached by several paths
(links, hard links, overlapping arguments) is scanned once, under the first
path met in sorted order.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# (path, code, message): SS302 errors make a scan unclean; SS305/SS306 are notices.
Report = Callable[[Path, str, str], None]
_GONE = (errno.ENOENT, errno.ELOOP, errno.ENOTDIR)


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink cycle (too many levels of symbolic links)"
    return (exc.strerror or str(exc)).lower()


def iter_files(
    paths: Iterable[Path], on_error: Report, on_notice: Report | None = None
) -> Iterator[Path]:
    """Files under ``paths`` in a stable order; problems go to ``on_error``/``on_notice``.

    A path named on the command line that is neither a directory nor a regular
    file (a FIFO such as ``<(zcat x.gz)``) is yielded and read as a stream; inside
    directories such files are skipped with a notice.
    """
    notice = on_notice or on_error
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    for root in paths:
        try:
            st = os.stat(root)
        except OSError as exc:
            on_error(root, "SS302", _why(exc))
            continue
        key = (st.st_dev, st.st_ino)
        if stat.S_ISDIR(st.st_mode):
            if key not in seen_dirs:
                seen_dirs.add(key)
                yield from _walk(root, seen_dirs, seen_files, on_error, notice)
        elif key not in seen_files or not stat.S_ISREG(st.st_mode):
            seen_files.add(key)
            yield root


def _walk(
    root: Path,
    seen_dirs: set[tuple[int, int]],
    seen_files: set[tuple[int, int]],
    on_error: Report,
    notice: Report,
) -> Iterator[Path]:
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            on_error(directory, "SS302", f"cannot list directory: {_why(exc)}")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                st = os.stat(entry.path)  # follows symlinks
            except OSError as exc:
                if exc.errno in _GONE and entry.is_symlink():
                    notice(path, "SS305", f"symlink not followed: {_why(exc)}")
                else:
                    on_error(path, "SS302", _why(exc))
                continue
            key = (st.st_dev, st.st_ino)
            if stat.S_ISDIR(st.st_mode):
                if key in seen_dirs:
                    if entry.is_symlink():
                        notice(path, "SS305", "symlink to a directory already scanned")
                    continue
                seen_dirs.add(key)
                subdirs.append(path)
            elif stat.S_ISREG(st.st_mode):
                if key not in seen_files:
                    seen_files.add(key)
                    yield path
            else:
                notice(path, "SS306", "not a regular file (FIFO, socket or device): skipped")
        stack.extend(reversed(subdirs))
