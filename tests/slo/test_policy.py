"""``[[slo]]`` in a real policy file: accepted, and free text refused before it reaches
rules, dashboards or the store (they carry identifiers only)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from sparkseal.core.policy import PolicyError, policy_from_file
from sparkseal.slo.budget import resolve
from sparkseal.slo.rules import rules, to_yaml


def _policy(tmp_path, key_dir, body: str):
    path = tmp_path / "sparkseal.toml"
    path.write_text(f'[seal]\npublic_key = "{key_dir / "sparkseal.pub"}"\n{body}')
    return policy_from_file(path)


def test_slo_entries_load_and_feed_the_rules(tmp_path, key_dir):
    pol = _policy(
        tmp_path,
        key_dir,
        '[metrics]\njob = "orders_nightly"\n'
        '[[slo]]\nname = "ok"\nkind = "success_ratio"\nobjective = 0.995\n'
        '[[slo]]\nname = "p95"\nkind = "duration"\nobjective = 0.95\nthreshold_seconds = 1200\n'
        'window = "7d"\njob = "orders_hourly"\n',
    )
    slos = resolve(pol.slo, pol.metrics.job)
    assert [(s.name, s.job, s.slo.window) for s in slos] == [
        ("ok", "orders_nightly", "30d"),
        ("p95", "orders_hourly", "7d"),
    ]
    text = to_yaml(rules(slos))
    assert 'job="orders_hourly"' in text and "(1 - 0.995)" in text


@pytest.mark.parametrize("field", ["job", "name"])
def test_free_text_in_an_slo_is_refused_and_not_echoed(tmp_path, key_dir, field):
    canary = f"canary-{uuid4().hex}@example.com"
    entry = {"name": "ok", "kind": "success_ratio", "objective": 0.99, field: canary}
    body = "[[slo]]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in entry.items())
    with pytest.raises(PolicyError) as err:
        _policy(tmp_path, key_dir, body)
    assert f"slo.0.{field}" in str(err.value)
    assert canary not in str(err.value)
    # the control: the same file with an identifier loads
    _policy(tmp_path, key_dir, body.replace(canary, "orders_nightly"))
