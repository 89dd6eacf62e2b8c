"""The report in a real browser (Debian's headless Chromium): plots render, nothing from the
log runs, no console message, and the screenshot is not blank."""

from __future__ import annotations

import uuid

import pytest

from sparkseal.report import build_report, locate
from tests.report import browser
from tests.report.stock_log import APP_ID, INJECTION, events, write_log

FIGURES = ("fig-timeline", "fig-durations", "fig-io")


def rendered_figures(dom: str) -> list[str]:
    """The figures whose div holds an SVG plotly drew (``class="main-svg"``)."""
    drawn = []
    for chunk in dom.split('<div id="')[1:]:
        name = chunk.split('"', 1)[0]
        if (
            name in FIGURES
            and 'class="main-svg"' in chunk.split('<script type="application/json"')[0]
        ):
            drawn.append(name)
    return drawn


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    browser.chromium()
    tmp = tmp_path_factory.mktemp("browser")
    c = f"canary-{uuid.uuid4().hex}@example.com"
    log = write_log(tmp / APP_ID, events(f"load {c} {INJECTION}", f"bad {c} {INJECTION}", c))
    out = tmp / "report.html"
    build_report(locate(log), out)
    return out


def test_plots_render_and_nothing_from_the_log_runs(report):
    dom, console = browser.dom(report)
    assert console == []  # no error, no CSP violation, no message at all
    assert rendered_figures(dom) == list(FIGURES)
    assert "<title>Run report: stock-app</title>" in dom  # not retitled "pwned"
    assert "<img" not in dom


def test_control_the_same_text_unescaped_runs_and_is_seen(tmp_path):
    """The checks above can fail: the injection, pasted as markup, retitles the page and
    logs to the console."""
    page = tmp_path / "unsafe.html"
    page.write_text(
        f"<html><head><title>t</title></head><body><script>var d = '{INJECTION}';"
        "</script></body></html>"
    )
    dom, console = browser.dom(page)
    assert "<title>pwned</title>" in dom and "<img" in dom
    assert any("injected" in line for line in console)


def test_screenshot_shows_the_plots(report, tmp_path):
    png = tmp_path / "report.png"
    assert browser.screenshot(report, png, 1000, 1200) == []
    assert browser.colours(png) > 50  # bars, boxes, text: a blank or unstyled page has a few
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body><p>nothing</p></body></html>")
    browser.screenshot(blank, tmp_path / "blank.png", 1000, 1200)
    assert browser.colours(tmp_path / "blank.png") < 50
