"""In headless Chromium: the report of a comparison whose base dropped its tickets, with a
group paid its own rate (see tests/test_report_browser.py for the browser's setup).

The report is written (no traceback), the variant's comparison figure is listed as left
out in its section, and the group's own-rate staff cost sits indented "of which" under
its tier's in the cost table.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.report._figures import result_figures
from tests.browser import Browser, chromium
from tests.test_group_costs import SHANGHAI, two_sites

REQUIRED = bool(os.environ.get("SUPPORTSIM_REQUIRE_BROWSER"))

pytestmark = pytest.mark.skipif(
    chromium() is None and not REQUIRED,
    reason="needs headless Chromium (apt-get install chromium, or `make browser`); "
           "CI installs it")


@pytest.fixture()
def browser(tmp_path: Path):
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


def test_dropped_base_with_a_group_rate_renders(browser, tmp_path) -> None:
    cheap = ss.Scenario.from_dict(two_sites(hourly=SHANGHAI))
    dear = ss.Scenario.from_dict(two_sites(hourly=30.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        a = ss.simulate(cheap, replications=2, seed=3, tickets="drop", progress=False)
        b = ss.simulate(dear, replications=2, seed=3, tickets="keep", progress=False)
    report = tmp_path / "dropped.html"
    a.to_html(report, vs={"dearer": b})
    browser.open(report)
    assert browser.console_errors == []
    # Only the base's figures that need no tickets; no comparison figure ...
    images = browser.evaluate("[...document.images].map(i => i.naturalWidth)")
    assert len(images) == len(result_figures(a)[0]) and all(w > 0 for w in images)
    assert browser.evaluate("document.getElementById('figure-compare_dearer')") is None
    # ... but a note in the variant's section saying why.
    note = browser.evaluate(
        "document.querySelector('#variant-1 p.note').innerText")
    assert note.startswith("Left out: compare_dearer") and "the base has no ticket" in note
    # The group's own rate indented under its tier, as `supportsim run` prints it.
    cells = browser.evaluate("""
        [...document.querySelectorAll('table')]
          .filter(t => t.caption && t.caption.textContent.startsWith('Costs over'))
          .flatMap(t => [...t.tBodies[0].rows].map(r => [r.cells[0].textContent,
               parseFloat(getComputedStyle(r.cells[0]).paddingLeft)]))""")
    labels = [label for label, _ in cells]
    at = labels.index("staff l1")
    assert labels[at + 1] == "of which sha (own rate)"
    assert cells[at + 1][1] > cells[at][1]
    print(f"\nscreenshot: {browser.screenshot(tmp_path / 'dropped.png')}")
