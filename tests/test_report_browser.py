"""The HTML report and the rich displays in a real browser (headless Chromium).

Chromium comes from the OS packages (``apt-get install chromium``; ``.ci/run`` and
``make browser`` install it when missing). Without it these tests skip, saying why.
Each test saves what it looked at (screenshot, PDF) under its tmp_path and prints the
path, for a human to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.report._display import share
from tests.browser import Browser, chromium

#: Set by .ci/run: there a missing Chromium fails the tests instead of skipping them.
REQUIRED = bool(os.environ.get("SUPPORTSIM_REQUIRE_BROWSER"))

pytestmark = pytest.mark.skipif(
    chromium() is None and not REQUIRED,
    reason="needs headless Chromium (apt-get install chromium, or `make browser`); "
           "CI installs it")

#: Seven standard figures of a result (plot.save_figures) and one per compared variant.
RESULT_FIGURES = 7


@pytest.fixture(scope="module")
def results() -> tuple[ss.SimulationResult, ss.SimulationResult]:
    base = ss.load_scenario("scenarios/mmc.toml").with_overrides(
        {"horizon": "2w", "warmup": "2d"})
    a = ss.simulate(base, replications=3, seed=11, tickets="keep")
    b = ss.simulate(base.with_overrides({"team.tiers.l1.staff": 8}), replications=3,
                    seed=11, tickets="keep")
    return a, b


@pytest.fixture()
def browser(tmp_path: Path):
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


def _cells(browser: Browser, caption: str) -> list[list[str]]:
    return browser.evaluate(f"""
        [...document.querySelectorAll('table')]
          .filter(t => t.caption && t.caption.textContent.startsWith({caption!r}))
          .flatMap(t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent)))
    """)


def test_report_renders_offline_with_every_figure_and_the_sla_numbers(results, browser,
                                                                       tmp_path):
    a, b = results
    report = tmp_path / "report.html"
    a.to_html(report, vs={"l1_8": b})
    browser.open(report)
    # No network: every request is the file itself or an embedded image; a request for
    # anything else would also fail on the proxy to nowhere and log an error.
    outside = [url for url in browser.requests if not url.startswith(("file:", "data:"))]
    assert outside == []
    assert browser.console_errors == []
    images = browser.evaluate(
        "[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == RESULT_FIGURES + 1
    assert all(done and width > 0 and height > 0 for done, width, height in images)
    # The SLA table shows res.sla(): the share met per priority, to 0.1 percentage point.
    sla = a.sla()
    rows = _cells(browser, "SLA attainment: share")
    assert [row[0] for row in rows] == list(sla["priority"].astype(str))
    for row, expected in zip(rows, sla.itertuples(), strict=True):
        assert row[3] == share(expected.response_attainment, expected.response_attainment_low,
                               expected.response_attainment_high)
        assert abs(float(row[3].split("%")[0]) / 100 - expected.response_attainment) <= 5e-4
        assert abs(float(row[5].split("%")[0]) / 100 - expected.resolution_attainment) <= 5e-4
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    shot = browser.screenshot(tmp_path / "report.png")
    pdf = browser.pdf(tmp_path / "report.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    # On paper no table or figure is split across pages, and a figure fits on one.
    browser.call("Emulation.setEmulatedMedia", session=True, media="print")
    breaks = browser.evaluate(
        "[...document.querySelectorAll('table, figure')].map(e => getComputedStyle(e)"
        ".breakInside)")
    # Load check, peak load, SLA, utilisation; the variant's SLA and comparison; the
    # figures.
    assert set(breaks) == {"avoid"} and len(breaks) == 4 + 2 + RESULT_FIGURES + 1
    heights = browser.evaluate("[...document.images].map(i => i.getBoundingClientRect()"
                               ".height)")
    assert 0 < max(heights) <= 9 / 2.54 * 96 + 1  # at most 9 cm (96 CSS px per inch)
    print(f"\nreport screenshot: {shot}\nprinted: {pdf}")


def test_report_follows_a_dark_colour_scheme(results, browser, tmp_path):
    report = tmp_path / "report.html"
    results[0].to_html(report)
    browser.call("Emulation.setEmulatedMedia", session=True,
                 features=[{"name": "prefers-color-scheme", "value": "dark"}])
    browser.open(report)
    text, ground = browser.evaluate(
        "[getComputedStyle(document.body).color,"
        " getComputedStyle(document.documentElement).backgroundColor]")
    # Light text on a dark ground (color-scheme: light dark); no hard white page.
    assert _luminance(text) > 0.6 > 0.2 > _luminance(ground), (text, ground)
    print(f"\ndark screenshot: {browser.screenshot(tmp_path / 'dark.png')}")


def _luminance(css: str) -> float:
    values = css[css.index("(") + 1:css.index(")")].split(",")
    red, green, blue = (float(v) / 255 for v in values[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("ground", ["#111111", "#ffffff"])
def test_cards_take_the_notebook_colours(results, browser, tmp_path, ground):
    a, _ = results
    ink = "#eeeeee" if ground == "#111111" else "#111111"
    page = tmp_path / "cards.html"
    page.write_text(f"<!DOCTYPE html><html><body style='background:{ground};color:{ink}'>"
                    f"{a.scenario._repr_html_()}{a._repr_html_()}</body></html>",
                    encoding="utf-8")
    browser.open(page)
    assert browser.console_errors == []
    styles = browser.evaluate(
        "[...document.querySelectorAll('.ss-card td, .ss-card th, .ss-card dd')]"
        ".map(e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor])")
    assert styles
    expected = "rgb(238, 238, 238)" if ink == "#eeeeee" else "rgb(17, 17, 17)"
    # Every cell in the notebook's own ink on a transparent ground: readable in both.
    assert {color for color, _ in styles} == {expected}
    assert {background for _, background in styles} == {"rgba(0, 0, 0, 0)"}
    print(f"\ncards screenshot: {browser.screenshot(tmp_path / f'cards{ground}.png')}")


def test_report_of_the_flagship_shows_goals_abandonment_and_costs(browser, tmp_path):
    scenario = ss.load_scenario("scenarios/rollout_tiered.toml").with_overrides(
        {"horizon": "3w", "warmup": "1w"})
    res = ss.simulate(scenario, replications=2, seed=3, tickets="keep", progress=False)
    report = tmp_path / "rollout.html"
    res.to_html(report)
    browser.open(report)
    assert browser.console_errors == []
    images = browser.evaluate(
        "[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == RESULT_FIGURES
    assert all(done and width > 0 and height > 0 for done, width, height in images)
    # The goals table as the browser lays it out: res.verdicts(), row by row.
    rows = _cells(browser, "Goals:")
    verdicts = res.verdicts()
    assert [(row[0].rstrip(" \u2691"), row[4]) for row in rows] == list(
        zip(verdicts["priority"].astype(str), verdicts["verdict"], strict=True))
    assert _cells(browser, "Abandonment by channel and priority")
    total = res.cost_table().set_index("item").loc["total", "value"]
    costs = {row[0]: row[1] for row in _cells(browser, "Costs over")}
    assert costs["total"].startswith(f"{total:,.0f} [")
    # Nothing wider than the page: no table runs past the text column.
    overflow = browser.evaluate(
        "[...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect()"
        ".right > document.body.getBoundingClientRect().right + 1).length")
    assert overflow == 0
    print(f"\nflagship screenshot: {browser.screenshot(tmp_path / 'rollout.png')}")
