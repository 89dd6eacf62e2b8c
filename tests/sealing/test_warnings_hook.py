"""Warnings shown with the message sealed; category, file and line readable."""

from __future__ import annotations

import logging
import warnings

from sparkseal.sealing import warnings_hook
from tests.conftest import run_python

CANARY = "warn.canary@example.net"


def test_warning_message_is_sealed_and_opens(key_dir, opener):
    proc = run_python(
        f"""
        import warnings
        from sparkseal.core.keys import load_public
        from sparkseal.core.token import Sealer
        from sparkseal.sealing import warnings_hook
        warnings_hook.install(Sealer(load_public({str(key_dir / "sparkseal.pub")!r})))
        warnings.warn("could not convert " + {CANARY!r}, UserWarning)
        """
    )
    assert CANARY not in proc.stderr
    assert "<string>:7: UserWarning: [SEALED:2:X:" in proc.stderr
    assert CANARY in opener.unseal_text(proc.stderr)[0]


def test_captured_warnings_in_logging_are_sealed(sealer, monkeypatch, caplog):
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    logging.captureWarnings(True)  # replaces showwarning; ours must wrap what is in place
    try:
        warnings_hook.install(sealer)
        with warnings.catch_warnings(), caplog.at_level(logging.WARNING, "py.warnings"):
            warnings.simplefilter("always")
            warnings.warn(f"value {CANARY}", RuntimeWarning, stacklevel=1)
    finally:
        logging.captureWarnings(False)
    assert caplog.records and CANARY not in caplog.text and "RuntimeWarning" in caplog.text


def test_control_without_the_hook_the_warning_is_plain():
    proc = run_python(f"import warnings; warnings.warn({CANARY!r})")
    assert CANARY in proc.stderr


def test_a_failing_sealer_shows_a_placeholder():
    proc = run_python(
        f"""
        import warnings
        from sparkseal.core.keys import PublicKey
        from sparkseal.core.suites import X25519
        from sparkseal.core.token import Sealer
        from sparkseal.sealing import warnings_hook
        warnings_hook.install(Sealer(PublicKey(X25519, bytes(32))))
        warnings.warn({CANARY!r})
        """
    )
    assert CANARY not in proc.stderr and "SS003" in proc.stderr
