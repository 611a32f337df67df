"""The report and the displays in words (defects of the new-user trial): a tier split into
agent groups is described by its groups, sites, skills, routing, retrials and costs are
named where the scenario has them, the assumptions follow the mechanisms switched on, a
variant names its changed keys, and the sweep report states the replications it used."""

from __future__ import annotations

import pytest

import supportsim as ss
from supportsim.report._scenario import describe, scenario_card

GLOBAL = "scenarios/global_rollout.toml"
#: Phone callers of the global rollout retry (as in the trial's multi-site desk), on a line
#: open 24x7: retrials on a channel with opening hours are refused (not modelled).
RETRY = {"demand.channels.phone": {"share": 0.35, "patience": "8min", "retry": 0.5,
                                   "retry_after": {"dist": "uniform", "low": "5min",
                                                   "high": "30min"}}}


@pytest.fixture(scope="module")
def global_rollout() -> ss.Scenario:
    return ss.load_scenario(GLOBAL).with_overrides(RETRY)


def test_groups_sites_skills_routing_retrials_and_costs_are_described(global_rollout) -> None:
    scenario = global_rollout
    text = describe(scenario)
    # Each group by name, head count, site, skills and hours on its site's clock: the
    # central Berlin desk works two shifts, Shanghai business hours on Shanghai time.
    assert "l1 14 in 4 groups: central 7 at berlin (de/en; shifts 07:00-15:00 x4 Mon-Fri, " \
           "11:00-19:00 x3 Mon-Fri Europe/Berlin)" in text
    assert "chinese 5 at shanghai (zh/en; business hours 08:00-17:00 Mon-Fri " \
           "Asia/Shanghai)" in text
    assert "24x7)" not in text.partition("SLA targets")[0]  # no tier called 24x7
    assert "berlin (Europe/Berlin, holidays DE-BE" in text and "holidays CN" in text
    assert "Skills: de 90%, en 10%, da 0%, zh 0%, fi 0%" in text
    assert "Routing: longest-idle agent, priority queue, overflow to skill en after 2h." \
        in text
    # uniform 5-30 min: mean 17.5 min (written as minutes, not 1050s).
    assert "Retrials: phone 50% after 17.5min on average." in text
    assert "Costs: EUR: l1 38/h (chinese 21/h), l2 55/h (erp_shanghai 30/h)" in text
    facts = dict(scenario_card(scenario).facts)
    assert facts["team"].startswith("tiered: l1 14 in 4 groups: central 7 at berlin")
    assert {"sites", "skills", "routing", "retrials", "costs"} <= set(facts)
    line = repr(scenario)
    assert "l1 14 (central 7, danish 1, finnish 1, chinese 5)" in line
    for words in ("sites berlin, copenhagen", "skills de, en", "overflow to skill en",
                  "retrials (phone)", "costs in EUR"):
        assert words in line, words


@pytest.fixture(scope="module")
def global_result(global_rollout) -> ss.SimulationResult:
    return ss.simulate(global_rollout.with_overrides({"horizon": "2w", "warmup": "1d"}),
                       replications=2, seed=1, tickets="drop", progress=False)


@pytest.fixture(scope="module")
def global_html(global_result) -> str:
    return global_result.to_html()


def test_the_report_describes_groups_and_retrials(global_html) -> None:
    assert "central 7 at berlin" in global_html and "Retrials: phone 50%" in global_html


def _assumptions(html: str) -> str:
    return html.partition("Tickets arrive as a Poisson process")[2].partition("</p>")[0]


def test_assumptions_state_sites_routing_and_retrials_where_used(global_html) -> None:
    text = _assumptions(global_html)
    assert "Each site works on its own local clock" in text
    assert "Tickets are routed by skill" in text
    assert "waited 2h in a tier&#39;s queue also becomes eligible for the groups holding " \
           "the fallback skill en" in text
    assert "A customer who abandons tries again" in text and "at most 100 times" in text
    plain = ss.simulate(ss.load_scenario("scenarios/mmc.toml").with_overrides(
        {"horizon": "2d", "warmup": "12h"}), replications=2, seed=1, progress=False)
    text = _assumptions(plain.to_html())
    assert text and "local clock" not in text and "routed by skill" not in text
    assert "tries again" not in text


def test_a_plain_desk_reads_as_before() -> None:
    scenario = ss.load_scenario("scenarios/mmc.toml")
    text = describe(scenario)
    assert "Team: l1 7 (24x7); queue discipline fifo." in text
    for label in ("Sites:", "Skills:", "Routing:", "Retrials:", "Costs:"):
        assert label not in text
    assert repr(scenario).endswith("l1 7 (24x7)>")


def test_an_unnamed_variant_is_named_by_its_overrides(capsys, tmp_path) -> None:
    from supportsim.cli import main

    path = tmp_path / "vs.html"
    code = main(["run", "scenarios/mmc.toml", "-r", "2", "--seed", "3", "-q", "--set",
                 'horizon="2d"', "--set", 'warmup="12h"', "--vs", "team.tiers.l1.staff=8",
                 "--report", str(path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "SLA attainment (team.tiers.l1.staff=8)" in out and "(variant)" not in out
    assert "Changes against the base: team.tiers.l1.staff=8." in path.read_text("utf-8")


def test_changed_keys_are_dotted_with_values() -> None:
    from supportsim.report._document import changed_keys

    base = ss.load_scenario(GLOBAL)
    variant = base.with_overrides({"team.tiers.l2.groups.erp_berlin.staff": 7,
                                   "horizon": "4w",
                                   "demand.channels.phone.patience": "5min"})
    assert changed_keys(base.to_dict(), variant.to_dict()) == [
        'horizon="4w"', 'demand.channels.phone.patience="5min"',
        "team.tiers.l2.groups.erp_berlin.staff=7"]
    # A distribution replaced by a mean is one change, not its keys removed.
    retry = variant.with_overrides(RETRY)
    back = retry.with_overrides({"demand.channels.phone.retry_after": "10min"})
    assert changed_keys(retry.to_dict(), back.to_dict()) == [
        'demand.channels.phone.retry_after="10min"']


def test_the_sweep_report_embeds_the_replications_it_used() -> None:
    import re

    scenario = ss.load_scenario("scenarios/mmc.toml").with_overrides(
        {"horizon": "2d", "warmup": "12h"})
    assert scenario.replications == 10  # the file's; the sweep runs 2
    sw = ss.sweep(scenario, factors={"team.tiers.l1.staff": [7, 8]}, replications=2,
                  executor=1, progress=False)
    html = sw.to_html()
    assert "2 replications per variant" in html
    toml = re.search(r"<pre>(.*?)</pre>", html, re.DOTALL)
    assert toml is not None
    assert re.search(r"^replications = 2$", toml.group(1), re.MULTILINE), toml.group(1)
    assert f"seed = {sw.seed}" in toml.group(1)
    assert "The base scenario (TOML, with the seed and replications per variant" in html


def test_the_reproduce_command_carries_the_window(capsys, tmp_path) -> None:
    import html as html_module
    import re
    import shlex

    from supportsim.cli import main

    path = tmp_path / "w.html"
    code = main(["run", "scenarios/mmc.toml", "-r", "2", "--seed", "3", "-q", "--set",
                 'horizon="2d"', "--set", 'warmup="12h"', "--window", "2026-01-06,12h",
                 "--report", str(path)])
    assert code == 0
    capsys.readouterr()
    text = path.read_text(encoding="utf-8")
    assert "Scored over the window: the tickets that arrived from Tue 2026-01-06 00:00" in text
    command = re.search(r"Command: <code>([^<]*)</code>", text)
    assert command is not None
    words = shlex.split(html_module.unescape(command.group(1)))
    assert words[-2:] == ["--window", "2026-01-06,12h"], words
    # The API's default command says so too (numbers are hours since the start).
    res = ss.simulate(ss.load_scenario("scenarios/mmc.toml").with_overrides(
        {"horizon": "2d", "warmup": "12h"}), replications=2, seed=3, progress=False)
    assert "supportsim run scenario.toml --window 24,12  # the scenario below" \
        in res.to_html(window=(24, 12))


def test_cost_shares_have_one_decimal_as_on_the_console(global_result, global_html) -> None:
    block = global_html.partition("Costs over the")[2].partition("</table>")[0]
    table = global_result.cost_table().set_index("item")
    shares = table["share"].dropna()
    assert len(shares) >= 6 and shares["total"] == 1.0
    for item, value in shares.items():
        # `supportsim run` prints f"{share:.1%}" (30.2 %, 100.0 %), never whole numbers.
        assert f'<td class="num">{value:.1%}</td>' in block, (item, value)
    per = table.loc["per_resolved_ticket", "value"]
    assert f">{per:,.2f} [" in block  # money per ticket to the cent, as the console
