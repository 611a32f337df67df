"""Agent groups at sites, follow-the-sun, demand on local clocks, skills per site (issue 14).

Reference instants are worked out by hand in each test's comment: simulation time is
hours since `start` (Monday 2026-03-02 00:00 UTC unless stated); China Standard Time is
UTC+8 all year; London is UTC+0 and Berlin/Copenhagen UTC+1 until the last Sunday of March
(EU rule). Holidays: 2026-05-01 (Friday) is a German public holiday and not a Danish one
(the `holidays` package). Statistical checks use fixed seeds and 4 standard errors.
"""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim.demand import expected_arrivals, generate
from supportsim.engine._records import ReplicationRecord
from tests.support import mmc_dict
from tests.test_routing import run_logged as _run

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
SITES = {"berlin": {"timezone": "Europe/Berlin", "business_hours": ["08:00", "17:00"],
                    "holidays": "DE"},
         "shanghai": {"timezone": "Asia/Shanghai", "business_hours": ["08:00", "17:00"]}}


def _desk(groups: dict[str, Any], sites: dict[str, Any] | None = None,
          demand_sites: dict[str, float] | None = None, rate: float = 4.0,
          horizon: str = "1w", start: str = "2026-03-02T00:00", **team: Any) -> dict[str, Any]:
    data = mmc_dict(rate=rate, staff=1, horizon=horizon, warmup="0h")
    data["start"], data["start_zone"] = start, "UTC"
    data["sites"] = copy.deepcopy(sites or SITES)
    data["demand"]["sites"] = demand_sites or dict.fromkeys(data["sites"],
                                                            1 / len(data["sites"]))
    data["team"]["tiers"]["l1"] = {"groups": groups}
    data["team"].update(team)
    return data


def _shift(start: str, end: str, staff: int, days: list[str] | None = None) -> dict[str, Any]:
    return {"start": start, "end": end, "staff": staff, "days": days or WEEKDAYS}


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ss.ScenarioError) as err:
        ss.Scenario.from_dict(data, source="globe.toml")
    text = str(err.value)
    assert "\n" not in text and "globe.toml" in text
    return text


# ------------------------------------------------------------------ group hours on site clocks


def test_shanghai_group_works_midnight_to_nine_utc_in_a_simulation() -> None:
    # 08:00-17:00 CST (UTC+8) is 00:00-09:00 UTC, Monday to Friday; Berlin 08:00-17:00 CET
    # (UTC+1) is 07:00-16:00 UTC.
    data = _desk({"sha": {"skills": ["any"], "site": "shanghai",
                          "hours": [_shift("08:00", "17:00", 2)]},
                  "ber": {"skills": ["any"], "site": "berlin", "staff": 3,
                          "hours": "business"}})
    res = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=5)
    timeline = res.timeline
    hour = timeline["t"].to_numpy() % 24
    weekday = timeline["t"].to_numpy() < 5 * 24
    expected_sha = np.where(weekday & (hour < 9), 2, 0)
    expected_ber = np.where(weekday & (hour >= 7) & (hour < 16), 3, 0)
    np.testing.assert_array_equal(timeline["on_duty_l1_sha"], expected_sha)
    np.testing.assert_array_equal(timeline["on_duty_l1_ber"], expected_ber)
    np.testing.assert_array_equal(timeline["on_duty_site_shanghai"], expected_sha)
    np.testing.assert_array_equal(timeline["on_duty_site_berlin"], expected_ber)
    staff = res.staff
    assert list(staff["site"]) == ["shanghai"] * 2 + ["berlin"] * 3
    assert list(staff["group"]) == ["sha"] * 2 + ["ber"] * 3
    assert (staff["on_duty_time"] == 45.0).all()  # 5 days x 9 h
    util = res.utilisation(sites=True)
    assert list(util["site"]) == ["berlin", "shanghai"]
    assert util["busy_time"].sum() == pytest.approx(staff["busy_time"].sum())


def test_a_group_without_a_site_works_at_the_first_site() -> None:
    data = _desk({"ber": {"skills": ["any"], "staff": 1, "hours": "business"}})
    res = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=5)
    assert list(res.staff["site"]) == ["berlin"]
    hour = res.timeline["t"].to_numpy() % 24
    on = res.timeline["on_duty_l1_ber"].to_numpy()
    assert (on[(hour >= 7) & (hour < 16) & (res.timeline["t"] < 120)] == 1).all()
    assert "on_duty_site_berlin" not in res.timeline  # agents at one site: no site columns


def test_german_holiday_closes_the_berlin_group_while_the_danish_group_works() -> None:
    # Friday 2026-05-01 is a German holiday, not a Danish one. Start Monday 2026-04-27
    # 00:00 UTC; CEST (UTC+2) then: 08:00-17:00 local is 06:00-15:00 UTC. Friday is
    # day 4: hours 102-111.
    sites = {"berlin": {"timezone": "Europe/Berlin", "holidays": "DE",
                        "business_hours": ["08:00", "17:00"]},
             "copenhagen": {"timezone": "Europe/Copenhagen", "holidays": "DK",
                            "business_hours": ["08:00", "17:00"]}}
    data = _desk({"de": {"skills": ["any"], "site": "berlin", "staff": 2,
                         "hours": "business"},
                  "dk": {"skills": ["any"], "site": "copenhagen", "staff": 2,
                         "hours": "business"}},
                 sites=sites, start="2026-04-27T00:00")
    timeline = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=2).timeline
    at = timeline.set_index("t")
    for day in range(4):  # Monday to Thursday both work 06-15 UTC
        assert at.loc[24 * day + 6, "on_duty_l1_de"] == 2
        assert at.loc[24 * day + 6, "on_duty_l1_dk"] == 2
    friday = [24 * 4 + h for h in range(6, 15)]
    assert (at.loc[friday, "on_duty_l1_de"] == 0).all()
    assert (at.loc[friday, "on_duty_l1_dk"] == 2).all()


# ------------------------------------------------------------------ follow-the-sun


def _covered_hours(groups: dict[str, Any]) -> int:
    data = _desk(groups, sites={
        "london": {"timezone": "Europe/London", "business_hours": ["08:00", "17:00"]},
        "shanghai": {"timezone": "Asia/Shanghai", "business_hours": ["08:00", "17:00"]}})
    timeline = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=1).timeline
    on = sum(timeline[c] for c in timeline.columns if c.startswith("on_duty_l1_"))
    return int((on[timeline["t"] < 24] > 0).sum())


def test_two_sites_eight_hours_apart_cover_more_hours_than_one() -> None:
    # London (UTC+0 in March) 08-17 UTC, Shanghai (UTC+8) 00-09 UTC: together 00-17 UTC,
    # 17 hours of a Monday against 9.
    london = {"ldn": {"skills": ["any"], "site": "london", "staff": 2, "hours": "business"}}
    both = {**london,
            "sha": {"skills": ["any"], "site": "shanghai", "staff": 2, "hours": "business"}}
    assert _covered_hours(london) == 9
    assert _covered_hours(both) == 17


def test_a_ticket_waiting_after_berlin_closes_is_taken_by_shanghai_when_it_opens() -> None:
    # Berlin closes at 16:00 UTC; Shanghai opens at 24:00 UTC (08:00 CST Tuesday). Tickets
    # arriving Monday 16:00-24:00 UTC (no patience) wait; each is first started at 24:00
    # or later, by a Shanghai agent, and the first of them exactly at 24:00.
    data = _desk({"ber": {"skills": ["any"], "site": "berlin", "staff": 2,
                          "hours": "business"},
                  "sha": {"skills": ["any"], "site": "shanghai", "staff": 2,
                          "hours": "business"}}, rate=2.0)
    tickets = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=4).tickets
    evening = tickets[(tickets["arrived_at"] >= 16) & (tickets["arrived_at"] < 24)]
    assert len(evening) > 5
    assert (evening["first_response_at"] >= 24).all()
    assert evening["first_response_at"].min() == 24.0
    done = evening[evening["resolved_at"].notna()]
    assert len(done) and (done["group"] == "sha").all()


def test_overflow_to_a_site_serves_other_skills_only_after_the_wait() -> None:
    # German tickets have one Berlin agent; after 20 min Shanghai's Chinese-only group may
    # take them. Both sites on 24x7 hours so the overflow can be seen at every hour.
    data = _desk({"de": {"skills": ["de"], "site": "berlin", "staff": 1},
                  "zh": {"skills": ["zh"], "site": "shanghai", "staff": 4}},
                 rate=12.0, routing={"overflow": {"after": "20min", "site": "shanghai"}})
    data["demand"]["skills"] = {"de": 0.5, "zh": 0.5}
    scenario = ss.Scenario.from_dict(data)
    desk, starts = _run(scenario, 3)
    helped = [s for s in starts if desk.skill[s[1]] == 0
              and desk.team_names[desk.agent_team[s[0]]] == "zh"]
    assert helped
    for _, _, now, queued_at, overflowed in helped:
        assert overflowed and now - queued_at >= 20 / 60 - 1e-12


# ------------------------------------------------------------------ validation


def _sha(**changes: Any) -> dict[str, Any]:
    return _desk({"sha": {"skills": ["any"], "site": "shanghai",
                          "hours": [_shift("08:00", "17:00", 2)], **changes}})


@pytest.mark.parametrize(("data", "fragments"), [
    (_sha(site="beijing"),
     ["team.tiers.l1.groups.sha.site", "beijing", "is not a site of [sites]"]),
    (_sha(hours=[_shift("08:00", "17:00", 2, ["Mon", "Sat"])]),
     ["team.tiers.l1.groups.sha.hours.0.days", "Sat", "not a business day of its site"]),
    (_sha(hours=[{"start": "08:00", "end": "17:00", "staff": 2}]),  # every day by default
     ["team.tiers.l1.groups.sha.hours.0.days", "Sat, Sun", "'shanghai'"]),
    ({**_sha(), "team": {**_sha()["team"], "routing": {"overflow": {"after": "5min",
                                                                    "site": "mars"}}}},
     ["team.routing.overflow.site", "mars", "is not a site"]),
    ({**_sha(), "team": {**_sha()["team"], "routing": {"overflow": {"after": "5min",
                                                                    "site": "berlin"}}}},
     ["team.routing.overflow.site names a site where no agent group works", "berlin"]),
    ({**_sha(), "team": {**_sha()["team"], "routing": {"overflow": {"after": "5min"}}}},
     ["team.routing.overflow must give exactly one of skill and site"]),
    ({**_sha(), "sites": {**SITES, "shanghai": {**SITES["shanghai"],
                                                "skills": {"zh": 1.0}}}},
     ["sites.shanghai.skills.zh", "is not a skill of [demand.skills]"]),
])
def test_bad_group_sites_fail_with_one_line(data: dict[str, Any], fragments: list[str]
                                             ) -> None:
    text = _error(data)
    for fragment in fragments:
        assert fragment in text, text


def test_a_site_that_works_saturdays_may_roster_them() -> None:
    data = _sha(hours=[_shift("08:00", "17:00", 2, ["Mon", "Sat"])])
    data["sites"]["shanghai"]["business_days"] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    ss.Scenario.from_dict(data)


# ------------------------------------------------------------------ demand on local clocks


def _profiled(**sites: float) -> ss.Scenario:
    data = mmc_dict(rate=20.0, staff=8, horizon="2w", warmup="0h")
    data["demand"]["profile"] = "office"
    data["start"], data["start_zone"] = "2026-03-02T00:00", "UTC"
    data["sites"] = {name: {"timezone": zone} for name, zone in
                     [("berlin", "Europe/Berlin"), ("shanghai", "Asia/Shanghai")]}
    data["demand"]["sites"] = sites
    return ss.Scenario.from_dict(data)


def test_each_site_raises_tickets_in_its_own_office_hours() -> None:
    sc = _profiled(berlin=0.5, shanghai=0.5)
    # Berlin (UTC+1) 09:00-12:00 local is 08-11 UTC; Shanghai (UTC+8) 09-12 local is 01-04
    # UTC. Expected share of each site's tickets in those hours: from the closed form of
    # one site alone on its own clock (the office profile's 09-12 weights).
    alone = {name: _profiled(**{name: 1.0, other: 0.0})
             for name, other in [("berlin", "shanghai"), ("shanghai", "berlin")]}
    counts = {"berlin": [0, 0], "shanghai": [0, 0]}
    for rep in range(4):
        stream = generate(sc, rep, 9)
        hour = np.floor(stream.arrived_at) % 24
        for k, (name, window) in enumerate([("berlin", (8, 11)), ("shanghai", (1, 4))]):
            mine = stream.site == k
            counts[name][0] += int(np.sum(mine & (hour >= window[0]) & (hour < window[1])))
            counts[name][1] += int(np.sum(mine))
    for name, window in [("berlin", (8, 11)), ("shanghai", (1, 4))]:
        one = alone[name]
        inside = sum(expected_arrivals(one, 24 * d + window[0], 24 * d + window[1])
                     for d in range(14))
        p = inside / expected_arrivals(one)
        got, n = counts[name]
        assert abs(got / n - p) < 4 * math.sqrt(p * (1 - p) / n), (name, got / n, p)
        assert p > 0.2  # the windows are office peaks on the site's own clock
    # Each site still raises its share of the tickets (4 binomial standard errors).
    total = sum(n for _, n in counts.values())
    assert abs(counts["berlin"][1] / total - 0.5) < 4 * math.sqrt(0.25 / total)


def test_closed_forms_add_up_per_site() -> None:
    # The sum of each site alone, scaled by its share, is the scenario's closed form, and
    # demand_curve integrates to expected_arrivals.
    sc = _profiled(berlin=0.3, shanghai=0.7)
    berlin, shanghai = _profiled(berlin=1.0, shanghai=0.0), _profiled(berlin=0.0, shanghai=1.0)
    for t0, t1 in [(0, 336), (5.5, 30.25), (100, 101)]:
        assert expected_arrivals(sc, t0, t1) == pytest.approx(
            0.3 * expected_arrivals(berlin, t0, t1) + 0.7 * expected_arrivals(shanghai, t0, t1),
            rel=1e-12)
    curve = ss.demand_curve(sc, step=1.0)
    assert curve["total"].sum() == pytest.approx(expected_arrivals(sc), rel=1e-9)
    # Different from start's clock alone: Shanghai's peak is at night in UTC.
    assert expected_arrivals(sc, 1, 4) != pytest.approx(expected_arrivals(berlin, 1, 4))
    # Simulated arrivals match the closed form within 4 Poisson standard errors.
    n = sum(generate(sc, rep, 3).arrived_at.size for rep in range(3))
    mean = 3 * expected_arrivals(sc)
    assert abs(n - mean) < 4 * math.sqrt(mean)


def test_sites_on_one_clock_keep_the_arrivals_of_one_site() -> None:
    # Berlin and Copenhagen share start's clock (start_zone Berlin): the same arrival
    # instants as the scenario without sites (CRN). With start in UTC both are an hour
    # ahead of it: the arrivals follow their clock instead.
    data = mmc_dict(rate=10.0, horizon="1w", warmup="0h")
    data["demand"]["profile"] = "office"
    plain = generate(ss.Scenario.from_dict(data), 0, 3)
    data["sites"] = {"berlin": {"timezone": "Europe/Berlin"},
                     "copenhagen": {"timezone": "Europe/Copenhagen"}}
    data["demand"]["sites"] = {"berlin": 0.5, "copenhagen": 0.5}
    data["start_zone"] = "Europe/Berlin"
    np.testing.assert_array_equal(generate(ss.Scenario.from_dict(data), 0, 3).arrived_at,
                                  plain.arrived_at)
    data["start_zone"] = "UTC"
    shifted = generate(ss.Scenario.from_dict(data), 0, 3).arrived_at
    assert shifted.size != plain.arrived_at.size or (shifted != plain.arrived_at).any()


def test_a_site_draws_its_users_skills() -> None:
    data = _desk({"all": {"skills": ["de", "zh", "en"], "staff": 3}}, rate=20.0)
    data["demand"]["skills"] = {"de": 0.2, "zh": 0.2, "en": 0.6}
    data["sites"]["shanghai"]["skills"] = {"zh": 0.9, "en": 0.1}
    sc = ss.Scenario.from_dict(data)
    stream = generate(sc, 0, 2)
    shanghai = stream.site == 1
    n = int(shanghai.sum())
    share = float(np.mean(stream.skill[shanghai] == 1))
    assert abs(share - 0.9) < 4 * math.sqrt(0.09 / n)
    assert not np.any(stream.skill[shanghai] == 0)
    berlin = ~shanghai
    share = float(np.mean(stream.skill[berlin] == 2))
    assert abs(share - 0.6) < 4 * math.sqrt(0.24 / int(berlin.sum()))
    from supportsim.scenario._routing import skill_shares
    assert skill_shares(sc) == pytest.approx({"de": 0.1, "zh": 0.55, "en": 0.35})


# ------------------------------------------------------------------ properties


ZONES = [("berlin", "Europe/Berlin", "DE"), ("copenhagen", "Europe/Copenhagen", "DK"),
         ("shanghai", "Asia/Shanghai", "CN"), ("london", "Europe/London", "GB"),
         ("helsinki", "Europe/Helsinki", "FI")]


@st.composite
def layouts(draw: st.DrawFn) -> ss.Scenario:
    """Random sites (1-3 of five zones), skills (1-3), groups (1-4) at random sites with
    random skills and hours (24x7, business, a weekday shift), routing and overflow."""
    chosen = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3,
                           unique_by=lambda z: z[0]))
    sites = {name: {"timezone": zone, "holidays": country,
                    "business_hours": [draw(st.sampled_from(["07:00", "08:00", "09:30"])),
                                       draw(st.sampled_from(["16:00", "17:30"]))]}
             for name, zone, country in chosen}
    names = ["a", "b", "c"][:draw(st.integers(1, 3))]
    skills = {n: 1 / len(names) for n in names}
    groups: dict[str, Any] = {}
    for g in range(draw(st.integers(1, 4))):
        held = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        hours = draw(st.sampled_from(["24x7", "business", "shift"]))
        group: dict[str, Any] = {"skills": held, "site": draw(st.sampled_from(list(sites)))}
        if hours == "shift":
            group["hours"] = [_shift(draw(st.sampled_from(["06:00", "13:00", "22:00"])),
                                     draw(st.sampled_from(["14:00", "21:00", "06:30"])),
                                     draw(st.integers(1, 3)))]
        else:
            group.update(hours=hours, staff=draw(st.integers(1, 3)))
        groups[f"g{g}"] = group
    missing = [n for n in names if not any(n in g["skills"] for g in groups.values())]
    if missing:
        groups["rest"] = {"skills": missing, "staff": 1, "hours": "business"}
    routing: dict[str, Any] = {"agent": draw(st.sampled_from(["longest_idle", "random"])),
                               "queue": draw(st.sampled_from(["oldest", "priority"]))}
    overflow = draw(st.sampled_from(["none", "skill", "site"]))
    if overflow == "skill":
        routing["overflow"] = {"after": "10min", "skill": draw(st.sampled_from(names))}
    elif overflow == "site":
        routing["overflow"] = {"after": "10min",
                               "site": draw(st.sampled_from([g["site"] for g in groups.values()
                                                             if "site" in g]))}
    data = _desk(groups, sites=sites, rate=draw(st.floats(1.0, 12.0)), horizon="3d",
                 start=draw(st.sampled_from(["2026-03-27T00:00", "2026-04-30T12:00"])),
                 routing=routing, discipline=draw(st.sampled_from(["fifo", "priority"])))
    data["demand"]["profile"] = draw(st.sampled_from(["flat", "office"]))
    data["demand"]["skills"] = skills
    data["demand"]["channels"] = {"phone": {"share": 0.5, "patience": "30min"},
                                  "mail": {"share": 0.5}}
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        return ss.Scenario.from_dict(data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts(), st.integers(0, 2**31))
def test_agents_work_only_on_their_site_clock_and_skills(scenario: ss.Scenario,
                                                          seed: int) -> None:
    desk, starts = _run(scenario, seed)
    overflow = scenario.team.routing.overflow if scenario.team.routing else None
    # The duty intervals of a group on business hours are its site's open hours (local
    # clock, days, holidays), whatever its place among the groups.
    groups = scenario.team.tiers["l1"].groups
    assert groups is not None
    for a, team in enumerate(desk.agent_team):
        group = groups.get(desk.team_names[team])
        if group is not None and group.hours == "business":
            site = group.site or scenario.site_names[0]
            np.testing.assert_array_equal(
                desk.groups[desk.agent_group[a]][2],
                scenario.site_calendars[site].open_intervals(0.0, scenario.horizon))
    for a, i, now, queued_at, overflowed in starts:
        # A service starts only inside the agent's duty intervals, which are its group's
        # hours on its site's clock (finishing the ticket in hand after them is the
        # stated exception: that is no start).
        intervals = desk.groups[desk.agent_group[a]][2]
        if intervals is not None:
            k = np.searchsorted(intervals[:, 0], now, side="right") - 1
            assert k >= 0 and intervals[k, 0] - 1e-9 <= now <= intervals[k, 1] + 1e-9
        team = desk.agent_team[a]
        if desk.skill[i] in desk.team_skills[team]:
            continue
        # Outside its skills: only an overflowed ticket, after `after`, for a team of
        # the fallback skill or at the overflow site.
        assert overflow is not None and overflowed
        assert team in desk.overflow_teams[desk.team_tier[team]]
        if overflow.site is not None:
            assert desk.team_site[team] == overflow.site
        assert now - queued_at >= overflow.after - 1e-9
    resolved = sum(1 for t in desk.resolved_at if t == t)
    assert desk.closed == resolved + sum(desk.abandoned)
    in_hand = sum(1 for i in desk.agent_ticket if i >= 0)
    assert desk.next_ticket - desk.closed == sum(desk.queued) + in_hand
    again, _ = _run(scenario, seed)
    np.testing.assert_array_equal(ReplicationRecord.from_desk(desk).resolved_at,
                                  ReplicationRecord.from_desk(again).resolved_at)


def test_the_capacity_check_counts_a_group_on_its_site_calendar() -> None:
    # Week of Monday 2026-05-04: 4 and 5 May are days off in China (the holidays
    # package), not in Germany. Two Shanghai agents on business hours: 3 days x 9 h = 27 h
    # each, 2 x 27 / 168 = 0.32 agents on duty on average (on Berlin's calendar it would
    # be 2 x 45 / 168 = 0.54). Chinese tickets: 2.4/h x 0.5 x 20 min = 0.40 Erlangs.
    from supportsim._skill_capacity import skill_overloads
    data = _desk({"ber": {"skills": ["de"], "site": "berlin", "staff": 3, "hours": "business"},
                  "sha": {"skills": ["zh"], "site": "shanghai", "staff": 2,
                          "hours": "business"}},
                 sites={name: {**site, "holidays": country} for (name, site), country
                        in zip(SITES.items(), ["DE", "CN"], strict=True)},
                 rate=2.4, start="2026-05-04T00:00")
    data["demand"]["skills"] = {"de": 0.5, "zh": 0.5}
    data["work"]["effort"]["l1"]["mean"] = "20min"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        sc = ss.Scenario.from_dict(data)
    messages = [text for _, text in skill_overloads(sc)]
    assert len(messages) == 1 and "skill zh 0.40 Erlangs >= 0.32 agents" in messages[0]


def test_a_site_wave_follows_its_site_clock_in_the_closed_form_and_the_draws() -> None:
    # A Shanghai wave: its expected tickets in 01-04 UTC each day (09-12 in Shanghai)
    # against its draws (4 Poisson standard errors over 6 replications), and the integral
    # against the rate (midpoint rule on a 1-minute grid, rel. 1e-3).
    from supportsim.demand import wave_integrals, wave_rates
    data = _profiled(berlin=0.5, shanghai=0.5).to_dict()
    data["demand"]["waves"] = [{"name": "cn", "at": "2d", "users": 3000, "rate": 0.2,
                                "early": 1.0, "settle": "1w", "site": "shanghai"}]
    sc = ss.Scenario.from_dict(data)
    edges = np.array([24.0 * d + h for d in range(14) for h in (1, 4)])
    inside = wave_integrals(sc, edges)[0][::2].sum()
    got = 0
    for rep in range(6):
        stream = generate(sc, rep, 5)
        t = stream.arrived_at[stream.wave == 0]
        got += int(np.sum((t % 24 >= 1) & (t % 24 < 4)))
        assert (stream.site[stream.wave == 0] == 1).all()
    assert abs(got - 6 * inside) < 4 * math.sqrt(6 * inside)
    grid = np.arange(0, 336, 1 / 60) + 1 / 120
    assert wave_rates(sc, grid).sum() / 60 == pytest.approx(
        wave_integrals(sc, np.array([0.0, 336.0]))[0, 0], rel=1e-3)
    # On start's clock (UTC) the same window would expect far fewer: Shanghai's morning.
    utc = _profiled(berlin=1.0, shanghai=0.0).to_dict()
    utc["demand"]["waves"] = [{**data["demand"]["waves"][0], "site": "berlin"}]
    assert inside > 1.5 * wave_integrals(ss.Scenario.from_dict(utc), edges)[0][::2].sum()
