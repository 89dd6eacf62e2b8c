"""harden() and session(): conf, driver hooks, and refusing to start unsafely."""

from tests.conftest import run_python

SECRET = "erin.driver@example.com"


def test_harden_sets_conf_and_installs_hooks(policy_file, private_key):
    proc = run_python(
        f"""
        import sys, threading, logging
        from pyspark.sql import SparkSession
        import sparkseal
        from sparkseal.conf import BOOT_DIR
        b = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        b = sparkseal.harden(b.config("spark.executorEnv.PYTHONPATH", "deps"), {str(policy_file)!r})
        o = b._options
        assert o["spark.python.daemon.module"] == "sparkseal.worker.daemon", o
        assert o["spark.python.worker.module"] == "sparkseal.worker.module"
        assert o["spark.executorEnv.SPARKSEAL_PUBLIC_KEY"] == {private_key.public.to_text()!r}
        assert type(sys.excepthook).__name__ == "SealingExceptHook"
        assert type(threading.excepthook).__name__ == "SealingThreadExceptHook"
        assert type(logging.getLogRecordFactory()).__name__ == "SealingRecordFactory"
        import py4j.clientserver
        assert type(py4j.clientserver.traceback).__name__ == "_SealingTraceback"
        spark = b.getOrCreate()
        env = spark.sparkContext.environment
        assert env["PYTHONPATH"].split(":") == [BOOT_DIR, "deps"], env
        spark.stop()
        raise ValueError({SECRET!r})
        """
    )
    assert SECRET not in proc.stderr
    assert "ValueError: [SEALED:2:X:" in proc.stderr
    assert "AssertionError" not in proc.stderr


def test_policy_can_turn_hooks_off(key_dir):
    policy = key_dir / "hooks-off.toml"
    policy.write_text('[seal]\npublic_key = "sparkseal.pub"\n[driver]\nexcepthook = false\n')
    proc = run_python(
        f"""
        import sys
        from pyspark.sql import SparkSession
        import sparkseal
        sparkseal.harden(SparkSession.builder, {str(policy)!r})
        print(sys.excepthook is sys.__excepthook__)
        """
    )
    assert proc.stdout.strip() == "True", proc.stderr


def test_conflicting_conf_is_refused(policy_file):
    proc = run_python(
        f"""
        from pyspark.sql import SparkSession
        import sparkseal
        b = SparkSession.builder.config("spark.python.daemon.module", "my.daemon")
        try:
            sparkseal.harden(b, {str(policy_file)!r})
        except sparkseal.SparkSealError as e:
            print("refused:", e)
        """
    )
    assert "refused:" in proc.stdout and "spark.python.daemon.module='my.daemon'" in proc.stdout


def test_existing_plain_session_is_refused(policy_file):
    proc = run_python(
        f"""
        from pyspark.sql import SparkSession
        import sparkseal
        b = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        plain = b.getOrCreate()
        try:
            sparkseal.session("x", policy={str(policy_file)!r})
        except sparkseal.SparkSealError as e:
            print("refused:", e)
        """,
        timeout=300,
    )
    assert "refused:" in proc.stdout, proc.stderr[-2000:]
    assert "without sparkseal's settings" in proc.stdout


def test_session_returns_a_hardened_session(policy_file):
    proc = run_python(
        f"""
        import sparkseal
        spark = sparkseal.session("t", policy={str(policy_file)!r},
                                  **{{"spark.master": "local[1]", "spark.ui.enabled": "false"}})
        print(spark.conf.get("spark.python.daemon.module"))
        spark.stop()
        """
    )
    assert proc.stdout.strip().endswith("sparkseal.worker.daemon"), proc.stderr[-2000:]


def test_unsupported_pyspark_refuses_to_start(policy_file):
    proc = run_python(
        f"""
        import pyspark.util
        del pyspark.util.handle_worker_exception
        from pyspark.sql import SparkSession
        import sparkseal
        try:
            sparkseal.harden(SparkSession.builder, {str(policy_file)!r})
        except sparkseal.UnsupportedPySparkError as e:
            print("refused:", e)
        import sys
        print(type(sys.excepthook).__name__)
        """
    )
    assert "refused:" in proc.stdout and "handle_worker_exception is missing" in proc.stdout
    assert proc.stdout.strip().endswith("builtin_function_or_method")  # nothing installed


def test_no_policy_or_bad_key_refuses_to_start(tmp_path):
    proc = run_python(
        """
        from pyspark.sql import SparkSession
        import sparkseal
        for policy in (None, {"seal": {"public_key": "missing.pub"}}):
            try:
                sparkseal.harden(SparkSession.builder, policy)
            except sparkseal.PolicyError as e:
                print("refused:", str(e).splitlines()[0])
        """,
        env={"SPARKSEAL_POLICY": ""},
    )
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("refused: SS005: no sparkseal policy given"), proc.stderr
    assert lines[1].startswith("refused: SS005: invalid policy")


def test_py4j_callback_errors_are_sealed(sealer, opener):
    from sparkseal.driver.py4j_hook import _SealingTraceback

    tb = _SealingTraceback(sealer)
    try:
        raise ValueError(SECRET)
    except ValueError:
        text = tb.format_exc()
    assert SECRET not in text and "ValueError: [SEALED:" in text
    assert SECRET in opener.unseal_text(text)[0]
    assert tb.extract_stack is __import__("traceback").extract_stack
