"""``[logs] format = "json"`` through the driver's hook installation."""

import io
import json
import logging
import sys
from uuid import uuid4

import pytest

from sparkseal.core.errors import PolicyError
from sparkseal.core.policy import load_policy
from sparkseal.logs import SealedJsonFormatter
from sparkseal.logs.install import install


@pytest.fixture
def clean_root():
    """The root logger without handlers; the test empties it again first thing, since
    pytest adds its capture handlers after the fixtures ran."""
    root = logging.getLogger()
    saved = root.handlers[:]
    yield root
    root.handlers = saved


def _policy(private_key, **logs):
    base = {"seal": {"public_key": private_key.public.to_text()}}
    return load_policy({**base, "logs": logs} if logs else base)


def test_json_on_every_root_handler(clean_root, private_key, sealer, opener):
    clean_root.handlers = []
    stream = io.StringIO()
    mine = logging.StreamHandler(stream)
    clean_root.addHandler(mine)
    policy = _policy(private_key, format="json", job="daily_orders")
    first = install(policy, sealer)
    again = install(policy, sealer)  # idempotent: same run id, one handler
    assert isinstance(again, SealedJsonFormatter) and mine.formatter is again
    assert clean_root.handlers == [mine]
    assert again.context is first.context
    secret = f"canary-{uuid4().hex}@example.com"
    logging.getLogger("app.install").warning("customer %s", secret)
    (rec,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert rec["job"] == "daily_orders" and rec["run_id"] == first.context.run_id
    assert secret not in stream.getvalue() and secret in opener.unseal_text(rec["message"])[0]


def test_adds_a_stderr_handler_when_there_is_none(clean_root, private_key, sealer):
    clean_root.handlers = []
    install(_policy(private_key, format="json"), sealer)
    (handler,) = clean_root.handlers
    assert handler.stream is sys.stderr and isinstance(handler.formatter, SealedJsonFormatter)


def test_text_or_no_section_changes_nothing(clean_root, private_key, sealer):
    clean_root.handlers = []
    assert install(_policy(private_key, format="text"), sealer) is None
    assert install(_policy(private_key), sealer) is None
    assert clean_root.handlers == []


def test_readable_fields_must_be_field_names(private_key):
    with pytest.raises(PolicyError, match="readable_fields"):
        _policy(private_key, readable_fields=["ok", "not a name"])


def test_json_formatter_for_a_later_handler_shares_the_run(clean_root, private_key, sealer):
    from sparkseal.logs import json_formatter

    clean_root.handlers = []
    policy = _policy(private_key, format="json", job="late_job")
    installed = install(policy, sealer)
    late = json_formatter(policy)
    assert late.context is installed.context and late.context.job == "late_job"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(late)
    log = logging.getLogger("app.late")
    log.addHandler(handler)
    secret = f"canary-{uuid4().hex}@example.com"
    try:
        log.warning("customer %s", secret)
    finally:
        log.removeHandler(handler)
    assert secret not in stream.getvalue()
    assert json.loads(stream.getvalue().splitlines()[0])["run_id"] == installed.context.run_id
