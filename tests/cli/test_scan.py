import json


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
