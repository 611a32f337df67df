"""``ss.check`` / ``supportsim check`` with ``[team.routing.overflow]``: a skill whose own
groups cannot keep up (a group of 0 agents, as ss.plan may set) is served by overflow when
the groups its tickets overflow to keep up with its load and their own; only when even
that pooled capacity is exceeded is it short (a CapacityWarning).

Reference values by hand: flat 4 tickets/h, exponential effort 0.3 h, skills en 80 % and
fi 20 %: offered load en = 4 x 0.8 x 0.3 = 0.96 Erl, fi = 4 x 0.2 x 0.3 = 0.24 Erl. The
Finnish group has 0 agents; the English group 2 agents 24x7 (2.00 on duty). With overflow
to en the English group serves both: 0.96 + 0.24 = 1.20 Erl against 2.00 (60 %), below, so
it keeps up (Hall's condition of the routing graph with the overflow edges); with 1 agent,
1.20 >= 1.00 and the queues grow.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

import supportsim as ss
from supportsim.capacity import warn_if_overloaded
from supportsim.cli import main
from tests.support import mmc_dict


def layout(en_staff: int = 2, overflow: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = mmc_dict(rate=4.0, mean=0.3, staff=1, horizon="1w", warmup="0h")
    data["demand"]["skills"] = {"en": 0.8, "fi": 0.2}
    data["team"]["tiers"]["l1"] = {"groups": {
        "english": {"skills": ["en"], "staff": en_staff},
        "finnish": {"skills": ["fi"], "staff": 0}}}
    if overflow:
        data["team"]["routing"] = {"overflow": {"after": "1h", "skill": "en"}}
    return data


def caught(scenario: ss.Scenario) -> list[str]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warn_if_overloaded(scenario)
    return [str(w.message) for w in seen if issubclass(w.category, ss.CapacityWarning)]


def test_a_skill_without_agents_is_served_by_overflow() -> None:
    scenario = ss.Scenario.from_dict(layout())
    result = ss.check(scenario)
    assert result.ok and result.overloaded == () and caught(scenario) == []
    (note,) = result.served_by_overflow
    assert ("offered load of skill fi 0.24 Erlangs >= 0.00 agents on duty on average in its "
            "own groups (finnish); served by overflow to 'en' after 1h: skills en, fi 1.20 "
            "Erlangs < 2.00 agents on duty in the groups serving them (english, finnish)"
            in note)
    # The notebook card says it too, not only the CLI.
    assert "served by overflow to &#39;en&#39; after 1h" in result._repr_html_()


def test_without_overflow_the_same_layout_is_short() -> None:
    scenario = ss.Scenario.from_dict(layout(overflow=False))
    result = ss.check(scenario)
    assert result.overloaded == ("l1",) and result.served_by_overflow == ()
    assert "skill fi 0.24 Erlangs >= 0.00 agents" in caught(scenario)[0]


def test_pooled_capacity_exceeded_warns_with_the_pooled_numbers() -> None:
    # English 1 agent, Finnish 0, German 1: en 60 % -> 0.72 Erl, fi 25 % -> 0.30, de 15 %
    # -> 0.18. The tier keeps up (1.20 < 2.00) and English alone too (0.72 < 1.00), but
    # English with the Finnish overflow does not: 1.02 >= 1.00.
    data = layout(en_staff=1)
    data["demand"]["skills"] = {"en": 0.6, "fi": 0.25, "de": 0.15}
    data["team"]["tiers"]["l1"]["groups"]["german"] = {"skills": ["de"], "staff": 1}
    scenario = ss.Scenario.from_dict(data)
    result = ss.check(scenario)
    assert result.overloaded == ("l1",) and result.served_by_overflow == ()
    (message,) = caught(scenario)
    assert ("offered load of skills en, fi 1.02 Erlangs >= 1.00 agents on duty on average "
            "in the groups serving them (english, finnish) with overflow to 'en' after 1h; "
            "their queue will grow") in message
    assert result.warnings == (message,)


def test_cli_marks_the_skill_served_by_overflow(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    path = tmp_path / "overflow.toml"
    ss.Scenario.from_dict(layout()).to_toml(path)
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    block = out.split("\nLoad per skill", 1)[1].split("\n\n", 1)[0].splitlines()
    rows = {line.split()[1]: line.split() for line in block[3:] if line.startswith("  l1")}
    assert rows["en"][2:6] == ["0.96", "Erl", "english", "2.00"]
    assert " ".join(rows["fi"][2:]) == (
        "0.24 Erl finnish 0.00 nobody on duty <- served by overflow to 'en' after 1h "
        "(with en, fi: 60.0% of their groups)")
    assert not any("short:" in line for line in block) and "CapacityWarning" not in err


def test_overflow_to_a_site_pools_that_sites_groups() -> None:
    # Follow the sun: a waiting ticket of any skill may go to London's groups. Berlin's
    # group (a) has no agents; London's (b) 2: a 0.96 + b 0.24 = 1.20 < 2.00 -> served.
    data = layout()
    data["sites"] = {"berlin": {"timezone": "Europe/Berlin"},
                     "london": {"timezone": "Europe/London"}}
    data["demand"]["sites"] = {"berlin": 0.5, "london": 0.5}
    data["demand"]["skills"] = {"a": 0.8, "b": 0.2}
    data["team"]["tiers"]["l1"]["groups"] = {
        "berlin_a": {"site": "berlin", "skills": ["a"], "staff": 0},
        "london_b": {"site": "london", "skills": ["b"], "staff": 2}}
    data["team"]["routing"] = {"overflow": {"after": "1h", "site": "london"}}
    result = ss.check(ss.Scenario.from_dict(data))
    assert result.ok
    (note,) = result.served_by_overflow
    assert "served by overflow to site 'london' after 1h: skills a, b 1.20 Erlangs" in note


def test_the_simulation_agrees_with_both_verdicts() -> None:
    # Served by overflow: the English agents take every Finnish ticket after its hour in
    # the queue (they are idle 40 % of the time, the pooled M/M/2 at 60 %), so each one
    # raised a day or more before the end is resolved, by the English group, after at
    # least 1 h of wait. Without overflow (the check's "short"), none is ever resolved.
    for overflow in (True, False):
        data = layout(overflow=overflow)
        data["horizon"] = "4w"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ss.CapacityWarning)
            tickets = ss.simulate(ss.Scenario.from_dict(data), replications=2,
                                  seed=3).tickets
        fi = tickets[(tickets["skill"].astype(str) == "fi")
                     & (tickets["arrived_at"] < 4 * 168 - 24)]
        assert len(fi) > 400  # 0.8 tickets/h over 27 days, two replications
        if overflow:
            assert fi["resolved_at"].notna().all()
            assert (fi["group"].astype(str) == "english").all()
            assert (fi["wait_time"] >= 1.0 - 1e-9).all()
        else:
            assert fi["resolved_at"].isna().all()


@pytest.mark.parametrize(("en", "fi", "served"), [(0.5, 0.2, True), (0.6, 0.25, False)])
def test_more_skills_than_sets_checked(en: float, fi: float, served: bool) -> None:
    # 13 skills: above MAX_SUBSET_SKILLS (12) only single skills are checked, each with all
    # the load of the groups its tickets reach. English 1 agent, Finnish 0, eleven more
    # skills sharing the rest on a group of 2. fi's tickets reach english and finnish,
    # which carry en and fi: 4 x 0.3 x (0.5 + 0.2) = 0.84 < 1.00 (served), or
    # 4 x 0.3 x (0.6 + 0.25) = 1.02 >= 1.00 (short: skills en, fi).
    from supportsim._skill_capacity import MAX_SUBSET_SKILLS

    data = layout(en_staff=1)
    others = [f"s{k}" for k in range(11)]
    data["demand"]["skills"] = {"en": en, "fi": fi,
                                **dict.fromkeys(others, (1 - en - fi) / len(others))}
    data["team"]["tiers"]["l1"]["groups"]["others"] = {"skills": others, "staff": 2}
    assert len(data["demand"]["skills"]) > MAX_SUBSET_SKILLS
    result = ss.check(ss.Scenario.from_dict(data))
    if served:
        assert result.ok
        (note,) = result.served_by_overflow
        assert "served by overflow to 'en' after 1h: skills en, fi 0.84 Erlangs < 1.00" in note
    else:
        assert result.served_by_overflow == ()
        (message,) = result.warnings
        assert "offered load of skills en, fi 1.02 Erlangs >= 1.00 agents" in message
