"""Under ``--window`` the blocks that do not use the window say so, the same in the CLI
and the HTML report: the paired comparison (``ss.compare`` has no window) and the cost
penalties (``cost_table`` has no window) cover the whole run. Window lengths read as
hours (``31.5h``), not as the exact but unreadable ``1890min``."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import pytest

from supportsim.cli import main
from supportsim.units import span_text

COSTS = ('costs={currency = "EUR", tiers = {l1 = {hourly = 38.0}}, '
         "penalties = {P1 = {response = 10.0}}}")
BASE = ["run", "scenarios/mmc.toml", "-r", "2", "--seed", "3", "-q", "--set", 'horizon="1w"',
        "--set", "warmup=1d", "--set", COSTS, "--vs", "eight:team.tiers.l1.staff=8"]


def _text(path: Path) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", path.read_text(
        encoding="utf-8"))).split())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """(printed, report text) without and with a 31.5-hour window."""
    import contextlib
    import io

    found = {}
    for name, extra in (("whole", []), ("window", ["--window", "48,31.5"])):
        report = tmp_path_factory.mktemp(name) / "r.html"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main([*BASE, *extra, "--report", str(report)]) == 0
        found[name] = (" ".join(out.getvalue().split()), _text(report))
    return found


def test_the_comparison_says_it_covers_the_whole_run(outputs) -> None:
    printed, report = outputs["window"]
    assert ("Paired comparison, eight − base, on common random numbers over the whole run, "
            "not only the window") in printed
    assert ("Paired comparison eight − base on common random numbers over the whole run "
            "(not only the window)") in report
    for text in outputs["whole"]:  # no window: nothing to say
        assert "not only the window" not in text


def test_penalties_under_a_window_cover_the_whole_run(outputs) -> None:
    printed, report = outputs["window"]
    assert ("penalties and missed targets on every ticket after the warm-up, the whole "
            "run's, not only the window's") in printed
    assert ("penalties are charged on every ticket after the warm-up over the whole run, "
            "not only on the window's") in report
    printed, report = outputs["whole"]
    assert "penalties on the tickets the SLA table scores" in printed
    assert "penalties are charged on the tickets the SLA table scores" in report


def test_window_length_reads_in_hours(outputs) -> None:
    printed, report = outputs["window"]
    assert "to 2026-01-08 07:30 (31.5h)" in printed
    assert "to Thu 2026-01-08 07:30 (31.5h)" in report
    assert "1890min" not in printed + report
    # Whole weeks and days as written; minutes only below an hour.
    assert [span_text(h) for h in (336.0, 720.0, 31.5, 0.25, 1 / 7)] == \
        ["2w", "30d", "31.5h", "15min", "8.57min"]
