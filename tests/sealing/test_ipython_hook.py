"""Notebooks: what a real Jupyter kernel shows and saves holds no plaintext.

Each notebook runs with ``nbclient`` on the default ``python3`` kernel (ipykernel) and
is saved as ``.ipynb``; the file is scanned for fresh canaries (raw, JSON- and
HTML-escaped), and every sealed token in it must open. The control runs the same
cells without sparkseal and finds the canaries.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.e2e.artifacts import forms, unseal

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need nbclient")
pytest.importorskip("ipykernel", reason="the notebook tests need ipykernel (python3 kernel)")


def _canaries() -> dict[str, str]:
    return {
        case: f"nb-{case}-{secrets.token_hex(6)}@example.org"
        for case in ("driver", "chained", "udf", "warning", "logged")
    }


def _value(canary: str) -> str:
    """Source code that makes the canary at run time: the saved cell source must not hold it."""
    return f"bytes.fromhex({canary.encode().hex()!r}).decode()"


def _cells(canaries: dict[str, str], setup: list[str]) -> list[str]:
    c = {case: _value(canary) for case, canary in canaries.items()}
    return [
        *setup,
        f"raise ValueError('customer ' + {c['driver']} + ' is invalid')",
        "try:\n"
        f"    {{}}[{c['chained']}]\n"
        "except KeyError as e:\n"
        "    raise RuntimeError('lookup failed') from e",
        f"import warnings\nwarnings.warn('suspicious row ' + {c['warning']})",
        "import logging\n"
        "try:\n"
        f"    int({c['logged']})\n"
        "except ValueError:\n"
        "    logging.getLogger('job').exception('bad input')",
        "%tb",
    ]


def _spark_cells(canaries: dict[str, str]) -> list[str]:
    return [
        "from pyspark.sql import functions as F\n"
        "def check(v):\n"
        f"    raise ValueError('bad email ' + {_value(canaries['udf'])})\n"
        "spark.range(1).select(F.udf(check)('id')).collect()",
    ]


def _run(cells: list[str], out: Path, env: dict[str, str]) -> str:
    import os

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        nbclient.NotebookClient(
            nb, kernel_name="python3", allow_errors=True, timeout=600, resources={"metadata": {}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    nbformat.write(nb, out)
    return out.read_text()


def _found(text: str, canaries: dict[str, str]) -> list[str]:
    return [
        case for case, value in canaries.items() if any(f.decode() in text for f in forms(value))
    ]


def test_a_hardened_notebook_saves_no_plaintext_and_its_tokens_open(tmp_path, key_dir, policy_file):
    canaries = _canaries()
    setup = [
        "import sparkseal\n"
        "from pyspark.sql import SparkSession\n"
        "builder = SparkSession.builder.master('local[2]').config('spark.ui.enabled', 'false')\n"
        f"spark = sparkseal.harden(builder, {str(policy_file)!r}).getOrCreate()",
    ]
    cells = _cells(canaries, setup) + _spark_cells(canaries)
    text = _run(cells, tmp_path / "hardened.ipynb", {})
    assert '"output_type": "error"' in text and "[SEALED:2:" in text
    assert _found(text, canaries) == []
    opened = unseal(text, key_dir)
    assert _found(opened, canaries) == list(canaries)


def test_load_ext_seals_cells_before_any_session(tmp_path, key_dir, policy_file):
    canaries = _canaries()
    del canaries["udf"]
    exported = tmp_path / "exported.ipynb"  # %notebook writes the history's stored errors
    text = _run(
        [*_cells(canaries, ["%load_ext sparkseal"]), f"%notebook {exported}"],
        tmp_path / "ext.ipynb",
        {"SPARKSEAL_POLICY": str(policy_file)},
    )
    assert _found(text, canaries) == []
    assert _found(unseal(text, key_dir), canaries) == list(canaries)
    export = exported.read_text()
    assert '"evalue": "[SEALED:' in export and _found(export, canaries) == []


def test_the_error_a_failing_notebook_run_reports_is_sealed(tmp_path, policy_file):
    """ipykernel's execute_reply carries the cell's error (nbclient raises it to CI logs)."""
    canary = f"nb-reply-{secrets.token_hex(6)}@example.org"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext sparkseal"),
        nbformat.v4.new_code_cell(f"raise ValueError('stop ' + {_value(canary)})"),
    ]
    import os

    os.environ["SPARKSEAL_POLICY"] = str(policy_file)
    try:
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600)
        with pytest.raises(nbclient.exceptions.CellExecutionError) as err:
            client.execute()
    finally:
        del os.environ["SPARKSEAL_POLICY"]
    assert err.value.evalue.startswith("[SEALED:2:") and canary not in str(err.value)


def test_control_without_sparkseal_the_notebook_shows_every_canary(tmp_path):
    canaries = _canaries()
    del canaries["udf"]
    text = _run(_cells(canaries, []), tmp_path / "stock.ipynb", {})
    assert _found(text, canaries) == list(canaries)


def test_when_sealing_fails_the_shell_shows_a_placeholder_never_the_text(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from sparkseal.sealing import ipython_hook

    class BrokenSealer:
        def seal_text(self, text: str) -> str:
            raise RuntimeError("sealing failed")

    canary = f"nb-broken-{secrets.token_hex(6)}@example.org"
    shell = InteractiveShell.instance()
    try:
        assert ipython_hook.install(BrokenSealer(), shell)
        shell.run_cell(f"raise ValueError({_value(canary)})")
        shell.run_cell("%tb")
    finally:
        InteractiveShell.clear_instance()
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "SS003" in shown and "ValueError" in shown
    assert canary not in shown
