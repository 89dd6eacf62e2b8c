import stat

from sparkseal.core import keys


def test_keygen_writes_a_pair(cli, tmp_path):
    proc = cli("keygen", "--out", tmp_path / "k")
    assert proc.returncode == 0, proc.stderr
    key = keys.load_private(tmp_path / "k" / "sparkseal.key")
    assert keys.load_public(tmp_path / "k" / "sparkseal.pub") == key.public
    assert stat.S_IMODE((tmp_path / "k" / "sparkseal.key").stat().st_mode) == 0o600
    assert key.kid.encode() in proc.stdout and b"public_key =" in proc.stdout


def test_keygen_refuses_to_overwrite(cli, tmp_path):
    assert cli("keygen", "--out", tmp_path).returncode == 0
    before = (tmp_path / "sparkseal.key").read_bytes()
    proc = cli("keygen", "--out", tmp_path)
    assert proc.returncode == 2
    assert b"--force" in proc.stderr and b"Traceback" not in proc.stderr
    assert (tmp_path / "sparkseal.key").read_bytes() == before
    assert cli("keygen", "--out", tmp_path, "--force").returncode == 0
    assert (tmp_path / "sparkseal.key").read_bytes() != before


def test_keygen_hybrid_suite(cli, tmp_path):
    assert cli("keygen", "--out", tmp_path, "--suite", "mlkem768-x25519").returncode == 0
    assert keys.load_private(tmp_path / "sparkseal.key").suite.letter == "H"


def test_keygen_bad_usage(cli, tmp_path):
    assert cli("keygen").returncode == 2
    assert cli("keygen", "--out", tmp_path, "--suite", "rsa").returncode == 2
    target = tmp_path / "file"
    target.write_text("x")
    proc = cli("keygen", "--out", target)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr


def test_help_is_helpful(cli):
    out = cli("--help").stdout
    for word in (b"keygen", b"unseal", b"scan"):
        assert word in out
    assert b"0600" in cli("keygen", "--help").stdout
    assert b"Exit code" in cli("scan", "--help").stdout


def test_keygen_refuses_a_planted_symlink(cli, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "k"
    out.mkdir()
    (out / "sparkseal.key.tmp").symlink_to(victim)
    proc = cli("keygen", "--out", out, "--force")
    assert proc.returncode == 2
    assert b"SS104: " in proc.stderr and b"Traceback" not in proc.stderr
    assert victim.read_text() == "precious"
    assert not (out / "sparkseal.key").exists()
