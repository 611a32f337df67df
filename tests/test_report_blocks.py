"""The report and the cards made whole (issue 17): goals judged once, abandonment, peak
load, costs, a scoring window, precision, the auto warm-up, sweep figures and the displays
of the sequential drivers. Structure and numbers, not pixels (tests/test_report_browser.py
loads a report in Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.cli._verdicts import sweep_verdict_section
from supportsim.report._display import CardDisplay, number, share

GOLIVE = "scenarios/golive_tiered.toml"
ROLLOUT = "scenarios/rollout_tiered.toml"
SHORT = {"horizon": "3w", "warmup": "1w"}


def _goal_rows(html: str) -> dict[tuple[str, str], str]:
    """(priority, target) -> verdict from the goals table of a card or a report."""
    rows = re.findall(r"<td>(P\d)</td><td>(response|resolution) within [^<]*</td>"
                      r".*?<td>(holds|fails|uncertain|n/a)</td></tr>", html)
    return {(p, t): v for p, t, v in rows}


def _cli_goal_rows(text: str) -> dict[tuple[str, str], str]:
    """The same from the text of ``supportsim run``."""
    rows = re.findall(r"^\s+(P\d)\s+(response|resolution) \S+\s+\d+%\s+.*?"
                      r"(holds|fails|uncertain|n/a)\s*$", text, re.MULTILINE)
    return {(p, t): v for p, t, v in rows}


@pytest.fixture(scope="module")
def rollout() -> ss.SimulationResult:
    scenario = ss.load_scenario(ROLLOUT).with_overrides(SHORT)
    return ss.simulate(scenario, replications=2, seed=5, tickets="keep", progress=False)


# --------------------------------------------------------------------------- verdicts


# One replication has no interval: every goal is "uncertain" in supportsim.analysis (the
# report's own rule used to say "n/a"); three give a mix.
@pytest.mark.parametrize("replications", [1, 3])
def test_run_card_report_and_sweep_give_the_same_verdicts(replications, capsys) -> None:
    scenario = ss.load_scenario(GOLIVE).with_overrides(SHORT)
    res = ss.simulate(scenario, replications=replications, seed=7, tickets="keep",
                      progress=False)
    expected = {(str(r.priority), str(r.target)): str(r.verdict)
                for r in res.verdicts().itertuples()}
    assert len(expected) == 8  # golive_tiered states a goal per priority and target
    assert _goal_rows(res._repr_html_()) == expected
    assert _goal_rows(res.to_html()) == expected
    assert main(["run", GOLIVE, "-q", "--seed", "7", "-r", str(replications), "--set",
                 'horizon="3w"', "--set", 'warmup="1w"']) == 0
    assert _cli_goal_rows(capsys.readouterr().out) == expected
    # A sweep of the same desk on the same seed: its one variant is the same result.
    sweep = ss.sweep(scenario, factors={"team.tiers.l1.staff": [
        scenario.team.tiers["l1"].headcount]}, replications=replications, seed=7,
        executor=1, progress=False)
    judged = sweep.verdicts()
    assert {(str(r.priority), str(r.target)): str(r.verdict)
            for r in judged.itertuples()} == expected
    assert _goal_cells(sweep._repr_html_()) == sorted(expected.values())  # the card
    printed = sweep_verdict_section(judged)  # what `supportsim sweep` prints
    assert _goal_cells(sweep.to_html()) == sorted(expected.values())
    assert all(v in printed for v in expected.values())


def _goal_cells(html: str) -> list[str]:
    """The verdict cells of a sweep's goals table, sorted."""
    return sorted(re.findall(r"<td>(holds|fails|uncertain|n/a)</td>",
                             _table(html, "Goals per variant")))


def _table(html: str, caption: str) -> str:
    found = re.search(rf"<caption>{re.escape(caption)}.*?</table>", html, re.DOTALL)
    assert found is not None, caption
    return found.group(0)


# --------------------------------------------------------------------------- blocks


def test_report_has_goals_abandonment_peaks_and_costs(rollout) -> None:
    html = rollout.to_html()
    # Goals: the numbers of res.verdicts(), a failed goal's row marked.
    goals = _table(html, "Goals:")
    for r in rollout.verdicts().itertuples():
        assert f"<td>{r.priority}</td><td>{r.target} within {r.target_time}</td>" in goals
        assert share(r.attainment, r.low, r.high) in goals
    # Abandonment by channel and priority: res.abandonment(), the phone channel only
    # (nobody hangs up on the portal).
    block = _table(html, "Abandonment by channel and priority")
    table = rollout.abandonment()
    phone = table[table["channel"] == "phone"]
    assert len(phone) == 4 and "portal" not in block
    for r in phone.itertuples():
        assert share(r.abandoned_share, r.abandoned_share_low, r.abandoned_share_high) \
            in block
    # Peak load next to the load check: check(...).peaks, each tier's busiest hour.
    peaks = _table(html, "Peak and burst load")
    expected = ss.check(rollout.scenario).peaks
    assert peaks.count("<tr") == 1 + len(expected) == 1 + 9
    for r in expected.itertuples():
        assert f">{r.offered_load:.2f}<" in peaks
    assert html.index("Analytic load check") < html.index("Peak and burst load")
    # Costs: res.cost_table() with units and intervals; the total marked.
    costs = _table(html, "Costs over the 3 weeks")
    rows = rollout.cost_table().set_index("item")
    total = rows.loc["total"]
    assert (f"<td>total</td><td class=\"num\">{number(total['value'], 0)} "
            f"[{number(total['low'], 0)}, {number(total['high'], 0)}]</td><td>EUR</td>"
            in costs)
    assert f">{number(rows.loc['per_resolved_ticket', 'value'], 2)} [" in costs
    assert '<tr class="total">' in costs and "<td>tickets</td>" in costs


def test_report_without_costs_or_abandonment_has_no_such_block() -> None:
    scenario = ss.load_scenario("scenarios/mmc.toml").with_overrides(
        {"horizon": "1w", "warmup": "1d"})
    html = ss.simulate(scenario, replications=2, seed=1, progress=False).to_html()
    assert "<h2>Costs</h2>" not in html and "<h2>Abandonment</h2>" not in html
    assert "Goals:" not in html  # mmc states no goal


def test_report_scores_over_a_window_and_says_so(rollout, capsys, tmp_path: Path) -> None:
    window = ("2026-01-19", "7d")
    html = rollout.to_html(window=window)
    assert ("Scored over the window: the tickets that arrived from Mon 2026-01-19 00:00 to "
            "Mon 2026-01-26 00:00 (1w)") in html
    sla = rollout.sla(window=window)
    whole = rollout.sla()
    for r, w in zip(sla.itertuples(), whole.itertuples(), strict=True):
        assert share(r.response_attainment, r.response_attainment_low,
                     r.response_attainment_high) in html
        assert r.tickets_per_replication < w.tickets_per_replication
    goals = _table(html, "Goals:")
    for r in rollout.verdicts(window=window).itertuples():
        assert share(r.attainment, r.low, r.high) in goals
    assert "Scored over the window" not in rollout.to_html()
    # The CLI's --window reaches the report.
    path = tmp_path / "report.html"
    assert main(["run", "scenarios/mmc.toml", "-q", "-r", "2", "--seed", "3", "--set",
                 'horizon="2w"', "--set", 'warmup="2d"', "--window", "2026-01-12,3d",
                 "--report", str(path)]) == 0
    capsys.readouterr()
    assert "Scored over the window" in path.read_text(encoding="utf-8")


def test_report_shows_precision_and_the_auto_warmup() -> None:
    scenario = ss.load_scenario("scenarios/mmc.toml").with_overrides(
        {"horizon": "1w", "warmup": "auto"})
    res = ss.simulate(scenario, replications=3, seed=2, precision={"P1.response": 0.05},
                      max_replications=12, progress=False)
    assert res.precision is not None and res.auto_warmup is not None
    html = res.to_html()
    table = _table(html, f"Precision: {res.precision.replications} replications")
    for target in res.precision.targets:
        assert f"±{target.half_width:.3g}" in table and f"±{target.target:g}" in table
    assert "warm-up (auto)" in html and "cut by MSER-5 on the" in html
    assert 'id="figure-warmup"' in html  # plot.warmup of res.auto_warmup
    assert "Precision:" in res._repr_html_() and "warm-up (auto)" in res._repr_html_()
    # The report object's own displays.
    report = res.precision
    assert isinstance(report, CardDisplay)
    assert "\n" not in repr(report) and repr(report).startswith("<PrecisionReport 'met'"
                                                                if report.met else
                                                                "<PrecisionReport")
    assert 'class="ss-card"' in report._repr_html_()


def test_attempts_with_retrials() -> None:
    from supportsim.analysis import abandonment_shares

    scenario = ss.load_scenario(ROLLOUT).with_overrides(
        {**SHORT, "demand.channels.phone.retry": 0.5,
         "demand.channels.phone.retry_after": "30min"})
    res = ss.simulate(scenario, replications=2, seed=3, tickets="keep", progress=False)
    block = _table(res.to_html(), "Attempts with retrials")
    per = abandonment_shares(res.tickets, by="channel")
    phone = per[per["channel"] == "phone"].mean(numeric_only=True)
    assert phone["retrials"] > 0
    assert f"<td>phone</td><td class=\"num\">{number(phone['tickets'], 0)}</td>" \
        f"<td class=\"num\">{number(phone['attempts'], 0)}</td>" in block
    assert share(phone["attempt_abandoned_share"]) in block
    # Without retrials there is no attempts table.
    assert "Attempts with retrials" not in res.scenario.name
    plain = ss.simulate(scenario.with_overrides({"demand.channels.phone.retry": 0}),
                        replications=2, seed=3, tickets="keep", progress=False)
    assert "Attempts with retrials" not in plain.to_html()


def test_sweep_report_with_costs_has_the_frontier_and_the_goal_columns() -> None:
    scenario = ss.load_scenario(ROLLOUT).with_overrides(SHORT)
    sweep = ss.sweep(scenario, factors={"team.tiers.l2.staff": [9, 11]}, replications=2,
                     seed=4, executor=1, progress=False)
    html = sweep.to_html()
    assert 'id="figure-frontier"' in html and 'id="figure-sweep_lines"' in html
    # One factor: no heat map, and the report says why.
    assert "sweep_heatmap: a heat map needs two different factors" in html
    costs = _table(html, "Costs per variant (EUR per replication)")
    summary = sweep.summary()
    for r in summary.itertuples():
        assert f">{number(r.cost_total, 0)} [" in costs
    front = ss.frontier(sweep)
    assert costs.count("<td>yes</td>") == int((~front["dominated"]).sum())
    goals = _table(html, "Goals per variant")
    # The variant, a column per goal, the count held.
    assert len(re.findall(r"<th[ >]", goals)) == 1 + 8 + 1


def test_selection_displays_through_the_card_mechanism() -> None:
    selection = ss.sequential.Selection(
        best="c=8", eliminated={"c=6": 5}, replications={"c=8": 12, "c=6": 5},
        means={"c=8": 0.93, "c=6": 0.71}, guarantee="with probability ≥ 95 %, ...",
        decided=True, contenders=["c=8"], metric="P1.response", indifference=0.01,
        confidence=0.95, higher_is_better=True)
    assert isinstance(selection, CardDisplay)
    html = selection._repr_html_()
    assert 'class="ss-card"' in html and "<td>c=6</td>" in html
    assert "eliminated after 5 replications" in html and "17 in all" in html
    assert "best = 'c=8'" in repr(selection)  # its own few-line repr stays


def test_report_of_a_comparison_shows_each_variants_verdicts(rollout) -> None:
    from supportsim.analysis import verdict_changes

    variant = ss.simulate(rollout.scenario.with_overrides({"team.tiers.l2.staff": 8}),
                          replications=2, seed=5, tickets="keep", progress=False)
    block = _table(rollout.to_html(vs={"l2_8": variant}), "Goals (l2_8) against the base")
    changes = verdict_changes(rollout.verdicts(), variant.verdicts())
    rows = re.findall(r"<td>(P\d)</td><td>(\w+) within [^<]*</td><td>[^<]*</td>"
                      r"<td>([^<]*)</td><td>([^<]*)</td>", block)
    assert rows == [(str(r.priority), str(r.target), str(r.baseline_verdict),
                     str(r.verdict)) for r in changes.itertuples()]


def test_report_of_a_result_without_tickets_or_counts_says_what_it_leaves_out() -> None:
    scenario = ss.load_scenario(ROLLOUT).with_overrides(SHORT)
    dropped = ss.simulate(scenario, replications=2, seed=1, tickets="drop", progress=False)
    bare = ss.SimulationResult(**{**dropped.__dict__, "abandonment_counts": None})
    html = bare.to_html()
    assert "<h2>Abandonment</h2>" not in html
    assert "abandonment by channel and priority: this result has no ticket table" in html
    assert "<h2>Abandonment</h2>" in dropped.to_html()  # counted as it ran
