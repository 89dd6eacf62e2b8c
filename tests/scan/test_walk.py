"""Symlinked files and directories are followed; cycles end; each real file is read once."""

import os
import threading
from pathlib import Path

import pytest

from sparkseal.scan.scanner import Scanner
from sparkseal.scan.walk import iter_files

SSN = "078-05-1120"


def _walk(*roots: Path) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    notices: list[tuple[str, str]] = []
    files = iter_files(
        roots,
        lambda p, code, _m: errors.append((p.name, code)),
        lambda p, code, _m: notices.append((p.name, code)),
    )
    return [str(p) for p in files], errors, notices


def test_kubelet_style_container_logs(tmp_path):
    """/var/log/containers holds only symlinks into /var/log/pods."""
    pod = tmp_path / "pods" / "ns_web-0_uid" / "app"
    pod.mkdir(parents=True)
    (pod / "0.log").write_text(f"2025-01-01T00:00:00Z stderr F user {SSN}\n")
    containers = tmp_path / "containers"
    containers.mkdir()
    (containers / "web-0_ns_app-abc.log").symlink_to(pod / "0.log")
    report = Scanner(jobs=1).scan([containers])
    assert [(Path(f.path).name, f.kind) for f in report.findings] == [
        ("web-0_ns_app-abc.log", "ssn")
    ]
    assert report.files == 1 and report.errors == [] and report.notices == []


def test_symlinked_directory_is_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.log").write_text("mail bob@example.com\n")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app").symlink_to(elsewhere, target_is_directory=True)
    assert [f.kind for f in Scanner(jobs=1).scan([logs]).findings] == ["email"]


def test_cycles_end_and_each_real_file_is_scanned_once(tmp_path):
    a = tmp_path / "a"
    (a / "b").mkdir(parents=True)
    (a / "b" / "f.log").write_text(f"{SSN}\n")
    (a / "b" / "up").symlink_to(a, target_is_directory=True)  # a/b/up -> a: a cycle
    (a / "b" / "self").symlink_to(a / "b" / "self")  # ELOOP
    (a / "same.log").symlink_to(a / "b" / "f.log")
    os.link(a / "b" / "f.log", a / "hard.log")
    files, errors, notices = _walk(a, a / "b", a / "b" / "f.log")
    assert files == [str(a / "hard.log")]  # the first path met: a's files come before b's
    assert errors == []
    assert sorted(notices) == [("self", "SS305"), ("up", "SS305")]
    report = Scanner(jobs=1).scan([a])
    assert report.files == 1 and [f.count for f in report.findings] == [1]


def test_dangling_links_and_special_files_are_notices(tmp_path):
    (tmp_path / "gone.log").symlink_to(tmp_path / "deleted-pod" / "0.log")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "ok.log").write_text("fine\n")
    files, errors, notices = _walk(tmp_path)  # must not block on the FIFO
    assert [Path(f).name for f in files] == ["ok.log"]
    assert errors == [] and sorted(notices) == [("gone.log", "SS305"), ("pipe", "SS306")]


def test_command_line_paths_that_cannot_be_read_are_errors(tmp_path):
    (tmp_path / "file").write_text("x\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    files, errors, _ = _walk(tmp_path / "missing", tmp_path / "file" / "x", tmp_path / "loop")
    assert files == []
    assert errors == [("missing", "SS302"), ("x", "SS302"), ("loop", "SS302")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_unreadable_directory_is_an_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        _, errors, _ = _walk(tmp_path)
    finally:
        locked.chmod(0o700)
    assert errors == [("locked", "SS302")]


def test_a_fifo_named_on_the_command_line_is_read_as_a_stream(tmp_path):
    fifo = tmp_path / "stream"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as w:
            w.write(f"from a pipe {SSN}\n".encode())

    writer = threading.Thread(target=feed)
    writer.start()
    report = Scanner(jobs=1).scan([fifo])
    writer.join(10)
    assert [f.kind for f in report.findings] == ["ssn"] and report.errors == []
