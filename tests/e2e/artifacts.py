"""Run the leak app and gather every artifact a Spark application leaves behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import zstandard
from pyspark.find_spark_home import _find_spark_home

APP = Path(__file__).with_name("leak_app.py")
SPARK_HOME = Path(_find_spark_home())


@dataclass
class Run:
    out: Path
    manifest: dict
    returncode: int
    artifacts: dict[str, bytes] = field(default_factory=dict)

    @property
    def canaries(self) -> dict[str, str]:
        return self.manifest["cases"]

    def text(self, prefix: str) -> str:
        """All artifacts whose name starts with ``prefix``, decoded."""
        return "".join(
            v.decode("utf-8", "replace") for k, v in self.artifacts.items() if k.startswith(prefix)
        )


def _event_log_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:4] == b"\x28\xb5\x2f\xfd":  # zstd, Spark's default event log codec
        return zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True).read()
    return data


def run_app(
    out: Path,
    policy: Path,
    master: str,
    cases: str = "all",
    *extra: str,
    worker_python: str = sys.executable,
    python: str = sys.executable,
    env_extra: dict[str, str] | None = None,
    submit: bool = False,
    submit_conf: tuple[str, ...] = (),
    work_dir: Path = SPARK_HOME / "work",
) -> Run:
    """Run ``leak_app.py`` in its own process and collect every artifact it leaves.

    With ``submit``, the app is launched by ``sparkseal submit`` (spark-submit) instead of
    plain Python; executor logs are read from ``work_dir``.
    """
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYSPARK_PYTHON": worker_python, "PYSPARK_DRIVER_PYTHON": python}
    env.update(env_extra or {})
    cmd = [python, str(APP)]
    if submit:
        cli = [sys.executable, "-m", "sparkseal.cli.main", "submit", "--policy", str(policy)]
        cmd = [*cli, "--", "--master", master, *submit_conf, str(APP)]
    cmd += ["--master", master, "--out", str(out), "--policy", str(policy)]
    cmd += ["--cases", cases, *extra]
    with (out / "driver.stdout").open("wb") as so, (out / "driver.stderr").open("wb") as se:
        proc = subprocess.run(cmd, stdout=so, stderr=se, env=env, timeout=1200, check=False)
    manifest = json.loads((out / "manifest.json").read_text())
    run = Run(out, manifest, proc.returncode)
    art = run.artifacts
    art["driver/stdout"] = (out / "driver.stdout").read_bytes()
    art["driver/stderr"] = (out / "driver.stderr").read_bytes()
    for p in sorted((out / "events").rglob("*")):
        if p.is_file():
            art[f"eventlog/{p.name}"] = _event_log_bytes(p)
    for p in sorted((out / "ui").glob("*")):
        art[f"ui/{p.name}"] = p.read_bytes()
    work = work_dir / manifest["app_id"]
    for p in sorted(work.rglob("*")) if work.is_dir() else []:
        if p.is_file():
            art[f"executor/{p.relative_to(work)}"] = p.read_bytes()
    for p in _files_left(out / "local"):
        try:
            art[f"localdir/{p.relative_to(out / 'local')}"] = _decoded(p)
        except FileNotFoundError:
            continue  # deleted since it was listed: not left behind
    for p in sorted((out / "captured").glob("*")) if (out / "captured").is_dir() else []:
        art[f"captured/{p.name}"] = _decoded(p)
    return run


def _files_left(root: Path) -> list[Path]:
    """Files under ``root``. A local-cluster's executors may still be deleting their dirs
    after the app exits; os.walk skips directories that vanish while it looks."""
    return sorted(Path(d) / name for d, _, names in os.walk(root) for name in names)


def _decoded(path: Path) -> bytes:
    """File bytes, decompressed if they are a format sparkseal scan recognises (spill frames...)."""
    from sparkseal.scan.sources import CorruptStream, read_decoded

    try:
        return read_decoded(path)
    except (CorruptStream, OSError, EOFError):
        return path.read_bytes()


def forms(value: str) -> list[bytes]:
    """How a value can be written: raw, JSON-escaped, HTML-escaped."""
    import html

    return list({value.encode(), json.dumps(value)[1:-1].encode(), html.escape(value).encode()})


def leaks(run: Run) -> list[str]:
    """``artifact: case`` for every plaintext canary (and the auth secret) in every artifact."""
    secrets = dict(run.canaries)
    if run.manifest.get("auth_secret"):
        secrets["spark.authenticate.secret"] = run.manifest["auth_secret"]
    found = []
    for name, data in run.artifacts.items():
        for case, canary in secrets.items():
            if any(f in data for f in forms(canary)):
                found.append(f"{name}: {case}")
    return found


def unseal(text: str, key_dir: Path) -> str:
    """``sparkseal unseal`` run as a user runs it; it must never print a traceback."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sparkseal.cli.main",
            "unseal",
            "--key",
            str(key_dir / "sparkseal.key"),
        ],
        input=text.encode(),
        capture_output=True,
        check=False,
    )
    assert b"Traceback" not in proc.stderr
    return proc.stdout.decode()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def history_server(events: Path, app_id: str, out: Path) -> dict[str, bytes]:
    """Start Spark's History Server on ``events`` (loopback), dump what it serves for ``app_id``."""
    import time
    import urllib.request

    port = free_port()
    opts = (
        f"-Dspark.history.fs.logDirectory=file:{events} -Dspark.history.ui.port={port} "
        "-Dspark.history.fs.update.interval=1s -Dspark.ui.bindAddress=127.0.0.1"
    )
    env = {**os.environ, "SPARK_HISTORY_OPTS": opts, "SPARK_HOME": str(SPARK_HOME)}
    cls = "org.apache.spark.deploy.history.HistoryServer"
    with (out / "history.log").open("wb") as log:
        proc = subprocess.Popen(
            [str(SPARK_HOME / "bin" / "spark-class"), cls], stdout=log, stderr=log, env=env
        )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> bytes:
        with urllib.request.urlopen(base + path, timeout=30) as resp:
            return resp.read()

    try:
        deadline = time.time() + 120
        while True:
            try:
                if app_id.encode() in get("/api/v1/applications"):
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"History Server did not list {app_id}; see {out}/history.log")
            time.sleep(1)
        api = f"/api/v1/applications/{app_id}"
        pages = {
            "jobs.json": f"{api}/jobs",
            "stages.json": f"{api}/stages?details=true",
            "sql.json": f"{api}/sql?details=true&planDescription=true",
            "jobs.html": f"/history/{app_id}/jobs/",
        }
        dump = {name: get(path) for name, path in pages.items()}
        for e in json.loads(dump["sql.json"]):
            dump[f"sql-{e['id']}.html"] = get(f"/history/{app_id}/SQL/execution/?id={e['id']}")
        for st in json.loads(dump["stages.json"]):
            if st.get("status") == "FAILED":
                path = f"{api}/stages/{st['stageId']}/{st['attemptId']}/taskList?length=1000"
                dump[f"tasks-{st['stageId']}.json"] = get(path)
        return dump
    finally:
        proc.terminate()
        proc.wait(timeout=60)
