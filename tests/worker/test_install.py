"""The worker entry points, run as the JVM runs them: ``python -m ...`` in a fresh process."""

import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SECRET = "dave.worker@example.com"


def _site(tmp_path: Path, code: str) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(textwrap.dedent(code))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _start_daemon(env: dict) -> subprocess.Popen:
    env = {**env, "PYTHON_WORKER_FACTORY_SECRET": "s3cret", "PYTHONUNBUFFERED": "YES"}
    return subprocess.Popen(
        [sys.executable, "-m", "sparkseal.worker.daemon", "pyspark.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_daemon_keeps_stdout_clean_when_a_library_prints(tmp_path, private_key):
    # A "library" that prints to stdout the moment cryptography is imported.
    env = _site(
        tmp_path,
        """
        import sys
        class Noisy:
            def find_spec(self, name, path=None, target=None):
                if name == "cryptography":
                    print("WARNING: noisy crypto banner on stdout")
                    sys.meta_path.remove(self)
                return None
        sys.meta_path.insert(0, Noisy())
        """,
    )
    env["SPARKSEAL_PUBLIC_KEY"] = private_key.public.to_text()
    proc = _start_daemon(env)
    try:
        (port,) = struct.unpack(">i", proc.stdout.read(4))
        assert 1 <= port <= 0xFFFF, "the daemon's first stdout bytes must be its port"
    finally:
        proc.stdin.close()  # the daemon exits when the JVM closes its stdin
        proc.wait(timeout=30)
    err = proc.stderr.read()
    assert b"noisy crypto banner" in err


@pytest.mark.parametrize(
    "sabotage, message",
    [
        ("del pyspark.util.handle_worker_exception", "handle_worker_exception is missing"),
        (
            "pyspark.util.handle_worker_exception = lambda e, outfile, hide, extra=None: None",
            "changed signature",
        ),
        ('pyspark.__version__ = "9.0.0"', "PySpark 9.0.0 is not a supported version"),
        ("del pyspark.serializers.write_with_length", "write_with_length is missing"),
    ],
)
@pytest.mark.parametrize("module", ["sparkseal.worker.daemon", "sparkseal.worker.module"])
def test_unsupported_pyspark_fails_closed(tmp_path, sabotage, message, module, private_key):
    env = _site(tmp_path, f"import pyspark, pyspark.util, pyspark.serializers\n{sabotage}\n")
    env["SPARKSEAL_PUBLIC_KEY"] = private_key.public.to_text()
    proc = subprocess.run(
        [sys.executable, "-m", module, "pyspark.worker"],
        capture_output=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert message in err and "No task will run unsealed" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "key_env, placeholder",
    [
        (None, "no public key on this executor"),
        ("sparkseal-public-key-v1:X:0000000000000000:AAAA", "is invalid"),
    ],
)
def test_no_or_bad_key_gives_placeholders(tmp_path, key_env, placeholder):
    script = textwrap.dedent(
        f"""
        import io, sys
        from sparkseal.worker.install import install_worker_hooks
        install_worker_hooks()
        import pyspark.util
        out = io.BytesIO()
        try:
            raise ValueError("{SECRET}")
        except ValueError as e:
            pyspark.util.handle_worker_exception(e, out)
        sys.stdout.write(out.getvalue()[8:].decode())
        raise KeyError("{SECRET}")
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "SPARKSEAL_PUBLIC_KEY"}
    if key_env:
        env["SPARKSEAL_PUBLIC_KEY"] = key_env
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=60)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert SECRET not in out + err
    assert "ValueError: [WITHHELD by sparkseal: " in out and placeholder in out
    assert "KeyError: [WITHHELD by sparkseal:" in err  # the worker's excepthook, too


def test_hooks_repoint_modules_imported_earlier(private_key):
    script = textwrap.dedent(
        """
        import pyspark.worker, pyspark.util
        from sparkseal.worker.install import install_worker_hooks
        from sparkseal.worker.writer import SealedExceptionWriter
        install_worker_hooks()
        assert isinstance(pyspark.worker.handle_worker_exception, SealedExceptionWriter)
        assert isinstance(pyspark.util.handle_worker_exception, SealedExceptionWriter)
        print("ok")
        """
    )
    env = {**os.environ, "SPARKSEAL_PUBLIC_KEY": private_key.public.to_text()}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=60)
    assert proc.stdout.strip() == b"ok", proc.stderr.decode()
