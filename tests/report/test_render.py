"""The report page: log text escaped, sealed tokens marked, scripts allowed by hash only."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid

import pytest

from sparkseal.report import build_report, locate
from sparkseal.report.render import plot_text, text_html
from tests.report.stock_log import APP_ID, INJECTION, events, write_log

_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def canary(what: str) -> str:
    return f"canary-{what}-{uuid.uuid4().hex}@example.com"


def _without_scripts(page: str) -> str:
    """The page's markup with every script's text removed (plotly.js, figure JSON)."""
    return _SCRIPT.sub(lambda m: f"<script{m.group(1)}></script>", page)


@pytest.fixture
def stock_report(tmp_path):
    c = {k: canary(k) for k in ("description", "task", "job")}
    log = write_log(
        tmp_path / APP_ID,
        events(
            f"load {c['description']} {INJECTION}",
            f"bad record {c['task']}",
            f"Job aborted: {c['job']} {INJECTION}",
        ),
    )
    out = tmp_path / "report.html"
    summary = build_report(locate(log), out)
    return out, out.read_text(encoding="utf-8"), c, summary


def test_text_is_escaped_and_tokens_are_marked_never_opened(sealer):
    token = sealer.seal("secret@example.com")
    fake = "[SEALED:2:X:0123456789abcdef:c2hvcnQ]"  # the grammar, but too short to be a token
    out = text_html(f"<b>x</b> & {token} {fake}")
    assert out.startswith("&lt;b&gt;x&lt;/b&gt; &amp; ")
    assert '<span class="sealed" title="' in out and f">{token}</span>" in out
    assert out.count('class="sealed"') == 1  # the look-alike stays plain text
    assert "secret@example.com" not in out
    assert text_html(None) == text_html("")
    label = plot_text(f"<i>{token}</i>")
    assert "&lt;i&gt;" in label and "(sealed) [SEALED:2:X:" in label and token not in label


def test_log_text_reaches_the_page_only_escaped(stock_report):
    _, page, c, summary = stock_report
    # Control: an unsealed log's text is in the report (so the sealed test's "zero canaries"
    # means the log held none, not that the report drops text).
    for value in c.values():
        assert value in page
    markup = _without_scripts(page)
    assert "<img" not in markup and 'onerror="' not in markup
    assert "&lt;/script&gt;&lt;img src=x onerror=&quot;document.title=" in markup
    assert INJECTION not in page
    # Inside the figure JSON, < and > are \u escapes: nothing there can close the script.
    for attrs, body in _SCRIPT.findall(page):
        if "application/json" in attrs:
            assert "<" not in body and ">" not in body
    assert summary.run.jobs[1].result == "JobFailed"


def test_only_our_two_scripts_may_run(stock_report):
    _, page, _, _ = stock_report
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    allowed = set(re.findall(r"'sha256-([A-Za-z0-9+/=]+)'", csp))
    runnable = [body for attrs, body in _SCRIPT.findall(page) if "application/json" not in attrs]
    assert len(runnable) == 2
    digests = {base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() for b in runnable}
    assert digests == allowed
    assert (
        "default-src 'none'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "http://" not in _without_scripts(page) and "https://" not in _without_scripts(page)


def test_the_page_reports_what_the_log_holds(stock_report):
    _, page, _, _ = stock_report
    for figure in ("fig-timeline", "fig-durations", "fig-io"):
        assert f'data-figure="{figure}"' in page
    assert "stock-app" in page and APP_ID in page
    assert "worker lost" in page  # the executor removed
    assert "15.5x" in page  # stage 1's skew: its longest task (2400 ms) over the median (155 ms)
