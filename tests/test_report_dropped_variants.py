"""``res.to_html(path, vs={...})`` when either side was simulated with ``tickets="drop"``.

docs/results.md promises that ticket-level figures of a dropped result are listed as
left out: the variant's comparison figure (its resolution-time ECDF needs both ticket
tables) is left out with the reason, the rest of the report is written. Mismatched seeds
give a message with plain numbers that says what to simulate.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import supportsim as ss

ROOT = Path(__file__).resolve().parent.parent
# Two short days of scenarios/mmc.toml keep each simulation well under a second.
SHORT = {"horizon": "2d", "warmup": "0h"}


def _pair(base: str, variant: str, seed: int = 1) -> tuple[ss.SimulationResult, ...]:
    scenario = ss.load_scenario(ROOT / "scenarios" / "mmc.toml").with_overrides(SHORT)
    more = scenario.with_overrides({"team.tiers.l1.staff": scenario.team.tiers["l1"].staff + 1})
    return (ss.simulate(scenario, replications=2, seed=1, tickets=base, progress=False),
            ss.simulate(more, replications=2, seed=seed, tickets=variant, progress=False))


@pytest.mark.parametrize(("base", "variant", "who"), [
    ("drop", "keep", "the base has"), ("keep", "drop", "variant more has"),
    ("drop", "drop", "the base and variant more have")])
def test_a_dropped_side_leaves_out_the_comparison_figure_only(
        base: str, variant: str, who: str, tmp_path: Path) -> None:
    a, b = _pair(base, variant)
    path = tmp_path / "report.html"
    html = a.to_html(path, vs={"more": b})
    assert path.read_text(encoding="utf-8") == html
    section = html[html.index('<section id="variant-1"'):]
    section = section[:section.index("</section>")]
    # Left out with the reason, like the single result's ticket-level figures ...
    assert ("Left out: compare_more (paired differences and resolution-time ECDF): "
            f"{who} no ticket table (simulated with tickets=&#39;drop&#39;).") in section
    assert 'id="figure-compare_more"' not in html
    # ... and the rest of the variant is there: its SLA table and the paired numbers.
    assert "SLA attainment (more)" in section
    row = ss.compare(a, b, labels=("base", "more")).set_index("metric")
    diff = row.loc["response_attainment"]
    assert f"{diff.difference * 100:+.1f} pp" in section


def test_both_kept_still_draws_the_comparison_figure(tmp_path: Path) -> None:
    a, b = _pair("keep", "keep")
    html = a.to_html(vs={"more": b})
    assert 'id="figure-compare_more"' in html and "Left out: compare_more" not in html


def test_mismatched_seeds_name_what_to_do_in_plain_numbers() -> None:
    a, b = _pair("drop", "keep", seed=2)
    with pytest.raises(ValueError) as caught:
        a.to_html(vs={"more": b})
    text = str(caught.value)
    assert "np.int64" not in text
    assert ("the base ran seed 1 with 2 replications and 'more' seed 2 with 2; simulate "
            "'more' with seed=1, replications=2") in text
    with pytest.raises(ValueError) as caught:
        ss.compare(a, b)
    text = str(caught.value)
    assert re.search(r"replications \[0, 1\] vs \[0, 1\]; simulate 'b' with seed=1, "
                     r"replications=2 as 'a' was, or pass paired=False", text), text
