"""``sparkseal verify`` refuses an unsafe --keep before anything runs."""

import pytest


@pytest.mark.parametrize("kind", ["non-empty", "file"])
def test_keep_must_be_a_new_directory(cli, policy_file, tmp_path, kind):
    keep = tmp_path / "kept"
    if kind == "non-empty":
        keep.mkdir()
        (keep / "result.json").write_text("{}")
    else:
        keep.write_text("x")
    proc = cli("verify", "--policy", policy_file, "--keep", keep)
    assert proc.returncode == 2, proc.stderr
    assert b"Traceback" not in proc.stderr
    expected = b"SS105: " if kind == "non-empty" else b"is a file"  # click refuses a file
    assert expected in proc.stderr, proc.stderr
