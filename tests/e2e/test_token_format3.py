"""``[seal] format = 3`` end to end: the driver, Python workers and executor JVMs seal with
one HPKE context each, nothing leaks, and every token opens with ``sparkseal unseal``.

One application on local-cluster[2,1,1024] (two executor JVMs, their Python workers) with a
few cases: a Python UDF failure, an RDD failure and two JVM failures quoting the data.
"""

from __future__ import annotations

import pytest

from sparkseal.core.keys import b64u_decode
from sparkseal.core.token import TOKEN_RE, Opener
from tests.e2e.artifacts import Run, leaks, run_app

CASES = "rdd_map,python_udf,jvm_cast_invalid_input,jvm_raise_error"


@pytest.fixture(scope="module")
def run(tmp_path_factory, key_dir) -> Run:
    policy = key_dir / "sparkseal-format3.toml"
    policy.write_text('[seal]\npublic_key = "sparkseal.pub"\nformat = 3\n')
    return run_app(tmp_path_factory.mktemp("format3"), policy, "local-cluster[2,1,1024]", CASES)


def _tokens(run: Run) -> list[str]:
    text = b"\n".join(run.artifacts.values()).decode("utf-8", "replace")
    return [m.group(0) for m in TOKEN_RE.finditer(text)]


def test_format3_leaks_nothing(run):
    assert run.returncode == 1
    assert any(k.startswith("executor/") for k in run.artifacts), "no executor logs"
    assert leaks(run) == []


def test_workers_and_jvms_write_format3_and_all_open(run, key_dir):
    from sparkseal.core import keys

    opener = Opener([keys.load_private(key_dir / "sparkseal.key")])
    v3 = [t for t in _tokens(run) if t.startswith("[SEALED:3:X:")]
    producers = {opener.open_with_context(t).context.producer for t in v3}
    assert {"worker", "jvm", "driver"} <= producers, producers
    contexts = {b64u_decode(TOKEN_RE.fullmatch(t).group(4))[:32] for t in v3}
    assert len(contexts) < len(set(v3))  # contexts really are shared between tokens
    canaries = set(run.canaries.values())
    opened = "\n".join(opener.open(t) for t in set(v3))
    assert any(c in opened for c in canaries)  # control: the canaries are inside the tokens
    for t in set(_tokens(run)) - set(v3):  # executors write nothing but format 3
        assert opener.open_with_context(t).context.producer == "driver", t[:40]
