import json
import os
import subprocess
import sys
import zlib


def test_exit_codes_and_output(cli, tmp_path):
    clean = tmp_path / "clean.log"
    clean.write_text("INFO all good 26/11/22\n")
    dirty = tmp_path / "dirty.log"
    dirty.write_text("x\nWARN failed for bob@example.com\n")
    assert cli("scan", clean).returncode == 0
    proc = cli("scan", dirty)
    assert proc.returncode == 1
    assert proc.stdout.decode().strip() == f"{dirty}:2: SS301: email b*************m"
    assert b"bob@example.com" not in proc.stdout + proc.stderr


def test_json_report(cli, tmp_path):
    p = tmp_path / "a.log"
    p.write_text("c4n4ry-value\n4111111111111111\n")
    proc = cli("scan", p, "--json", "--canary", "c4n4ry-value")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert [(f["kind"], f["line"]) for f in report["findings"]] == [("canary", 1), ("card", 2)]
    assert report["files"] == 1 and report["errors"] == []


def test_only_skip_allow(cli, tmp_path):
    p = tmp_path / "a.log"
    p.write_text("10.1.2.3 bob@example.com\n")
    assert cli("scan", p, "--only", "ipv4", "--allow", "10.0.0.0/8").returncode == 0
    assert cli("scan", p, "--skip", "email", "--skip", "ipv4").returncode == 0
    assert cli("scan", p, "--skip", "ipv4").returncode == 1


def test_bad_usage_and_unreadable(cli, tmp_path):
    assert cli("scan").returncode == 2
    assert cli("scan", tmp_path, "--only", "dna").returncode == 2
    proc = cli("scan", tmp_path / "nope")
    assert proc.returncode == 2 and b"no such file" in proc.stderr


def _zlib_bomb(path, gib: float, tail: bytes) -> int:
    """Concatenated zlib streams of one repeated line (scan decodes them back to back)."""
    line = b"x" * 99 + b"\n"
    block = line * ((64 << 20) // len(line))
    comp = zlib.compress(block, 9)
    n = -(-int(gib * (1 << 30)) // len(block))  # round up
    with open(path, "wb") as f:
        for _ in range(n):
            f.write(comp)
        f.write(zlib.compress(tail))
    return n * len(block) + len(tail)


# A small fresh interpreter starts the CLI and reports its children's peak RSS: measured
# from pytest itself, a forked child's peak would include pytest's own pages at fork time.
_TRAMPOLINE = """
import os, resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], check=False).returncode
with open(os.environ["RSS_OUT"], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
"""


def _run_measured(tmp_path, *args) -> tuple[int, bytes, bytes, int]:
    """Run the CLI; returns (exit code, stdout, stderr, peak RSS in bytes of that process)."""
    rss_out = tmp_path / "rss"
    proc = subprocess.run(
        [sys.executable, "-c", _TRAMPOLINE, sys.executable, "-m", "sparkseal.cli.main"]
        + [str(a) for a in args],
        capture_output=True,
        env={**os.environ, "RSS_OUT": str(rss_out)},
        timeout=300,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr, int(rss_out.read_text()) * 1024


def test_a_1gib_compression_bomb_is_scanned_in_bounded_memory(tmp_path):
    bomb = tmp_path / "events"
    decoded = _zlib_bomb(bomb, 1, b"tail 078-05-1120\n")
    assert decoded >= 1 << 30 and bomb.stat().st_size * 200 < decoded
    rc, out, err, rss = _run_measured(tmp_path, "scan", "--jobs", "1", bomb)
    print(f"1 GiB zlib bomb ({bomb.stat().st_size} bytes on disk): peak RSS {rss / 1e6:.0f} MB")
    assert rc == 1, err
    assert b": SS301: ssn 0*********0 [zlib]" in out  # the very end was reached
    assert rss < 300e6


def test_max_decoded_cap_is_reported_never_clean(cli, tmp_path):
    bomb = tmp_path / "events"
    _zlib_bomb(bomb, 0.125, b"tail 078-05-1120\n")
    proc = cli("scan", "--max-decoded", "64M", bomb)
    assert proc.returncode == 2
    assert b"SS304: zlib stream decoded to more than 67108864 bytes" in proc.stderr
    assert b"SS301" not in proc.stdout  # past the cap: not scanned, and not called clean
    assert cli("scan", "--max-decoded", "0", bomb).returncode == 1
    assert cli("scan", "--max-decoded", "lots", bomb).returncode == 2


def test_symlinked_logs_and_hostile_file_names(cli, tmp_path):
    pods = tmp_path / "pods" / "ns_pod_uid" / "app"
    pods.mkdir(parents=True)
    (pods / "0.log").write_text("user 078-05-1120\n")
    containers = tmp_path / "containers"
    containers.mkdir()
    evil = containers / "x\x1b]0;owned\x07\x1b[2J.log"
    evil.symlink_to(pods / "0.log")
    (containers / "gone.log").symlink_to(tmp_path / "pods" / "deleted" / "0.log")
    proc = cli("scan", containers)
    assert proc.returncode == 1, proc.stderr
    assert b"\x1b" not in proc.stdout + proc.stderr and b"\x07" not in proc.stdout
    assert b"x\\x1b]0;owned\\x07\\x1b[2J.log:1: SS301: ssn" in proc.stdout
    assert b"gone.log: SS305: symlink not followed" in proc.stderr


def test_unreadable_paths_are_clear_errors(cli, tmp_path):
    (tmp_path / "file").write_text("x\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    for path, why in [
        (tmp_path / "nope", b"SS302: no such file or directory"),
        (tmp_path / "file" / "x", b"SS302: not a directory"),
        (tmp_path / "loop", b"SS302: symlink cycle"),
    ]:
        proc = cli("scan", path)
        assert proc.returncode == 2 and why in proc.stderr, proc.stderr
        assert b"Traceback" not in proc.stderr
