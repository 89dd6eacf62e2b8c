"""``sparkseal connect-server``: the command it runs, and clear errors on bad input."""

from __future__ import annotations


def test_dry_run_prints_a_hardened_connect_server_command(cli, policy_file):
    proc = cli(
        *("connect-server", "--policy", policy_file, "--port", "15123", "--dry-run", "--"),
        *("--master", "local[2]"),
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for expected in (
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "spark.connect.grpc.binding.port=15123",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "spark.python.daemon.module=sparkseal.worker.daemon",
        "spark.plugins=io.sparkseal.attest.SealingPlugin",
        "io.sparkseal.connect.KeyedRulesPlugin",
        "-javaagent:",
    ):
        assert expected in out, expected


def test_bad_input_is_a_clear_error_without_a_traceback(cli, policy_file, tmp_path):
    bad_port = cli("connect-server", "--policy", policy_file, "--port", "70000", "--dry-run")
    assert bad_port.returncode == 2 and b"70000" in bad_port.stderr
    missing = cli("connect-server", "--policy", tmp_path / "none.toml", "--dry-run")
    assert missing.returncode == 2 and b"none.toml" in missing.stderr
    for proc in (bad_port, missing):
        assert b"Traceback" not in proc.stderr
