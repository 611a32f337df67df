"""ss.roster: the integer program covers the curve at least cost, and says what it cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.engine._hours import duty_groups

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
WEEKEND = ["Sat", "Sun"]
# A catalogue: 8 h shifts starting every hour on weekdays, 12 h ones every second hour at
# weekends (paid 1.25 x), and 4 h part-time weekday shifts every hour.
CATALOGUE = (
    [{"start": f"{h:02d}:00", "length": 8, "days": WEEKDAYS} for h in range(24)]
    + [{"start": f"{h:02d}:00", "length": 12, "days": WEEKEND, "hourly": 1.25}
       for h in range(0, 24, 2)]
    + [{"start": f"{h:02d}:00", "length": 4, "days": WEEKDAYS, "name": f"part {h}"}
       for h in range(24)]
)


def _curve(rng: np.random.Generator) -> pd.DataFrame:
    hour = np.arange(168) % 24
    shape = 2 + 4 * np.exp(-((hour - 11) / 4) ** 2)  # a day peak, as a desk's demand
    staff = rng.poisson(shape * (1 + (np.arange(168) < 120)))  # weekdays twice weekends
    return pd.DataFrame({"interval_start": np.arange(168.0), "staff": staff})


def _cover_matrix(catalogue: list[dict], period: int = 168) -> tuple[np.ndarray, np.ndarray]:
    """Independent of the module: which hours of the week each shift covers, its cost."""
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    cover = np.zeros((period, len(catalogue)), dtype=int)
    cost = np.zeros(len(catalogue))
    for j, shift in enumerate(catalogue):
        for day in shift.get("days", days):
            for k in range(shift["length"]):
                cover[(days.index(day) * 24 + int(shift["start"][:2]) + k) % period, j] += 1
        cost[j] = shift.get("hourly", 1.0) * shift["length"] * len(shift.get("days", days))
    return cover, cost


def _greedy_cost(curve: pd.DataFrame, catalogue: list[dict]) -> float:
    """A simple greedy cover: add one agent to the shift covering the most missing
    agent-hours per unit of cost, until nothing is missing."""
    cover, cost = _cover_matrix(catalogue)
    missing = curve["staff"].to_numpy().astype(int)
    total = 0.0
    while missing.max() > 0:
        gain = (np.minimum(cover, missing[:, None]) * (cover > 0)).sum(axis=0) / cost
        j = int(np.argmax(gain))
        missing = np.maximum(missing - cover[:, j], 0)
        total += cost[j]
    return total


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_roster_covers_the_curve_and_beats_a_greedy_cover(seed: int) -> None:
    curve = _curve(np.random.default_rng(seed))
    result = ss.roster(curve, CATALOGUE)
    assert result.uncovered.empty
    # Coverage recomputed from the chosen shifts, independently of the module.
    cover, cost = _cover_matrix(CATALOGUE)
    names = [s.get("name") or f"{s['start']}+{s['length']}h" for s in CATALOGUE]
    agents = np.zeros(len(CATALOGUE))
    for row in result.shifts.itertuples():
        agents[next(i for i, n in enumerate(names) if n == row.name and
                CATALOGUE[i]["days"] == list(row.days))] = row.staff
    assert (cover @ agents >= curve["staff"].to_numpy()).all()
    assert result.cost == pytest.approx(float(cost @ agents))
    assert result.cost <= _greedy_cost(curve, CATALOGUE) + 1e-9


def test_roster_reports_exactly_what_a_cap_leaves_uncovered() -> None:
    # A day: 2 agents all day, 5 from 08:00 to 16:00. Three 8 h shifts; the day shift is
    # capped at 3 agents, so 08:00-16:00 is short of 5 - 3 = 2 (the night and late shifts
    # cannot reach those hours), and nowhere else.
    curve = pd.DataFrame({"interval_start": range(24),
                          "staff": [2] * 8 + [5] * 8 + [2] * 8})
    catalogue = [{"name": "night", "start": "00:00", "length": 8},
                 {"name": "day", "start": "08:00", "length": 8, "max": 3},
                 {"name": "late", "start": "16:00", "length": 8}]
    result = ss.roster(curve, catalogue, costs=30.0)
    assert result.uncovered["interval_start"].tolist() == list(range(8, 16))
    assert result.uncovered["required"].tolist() == [5] * 8
    assert result.uncovered["covered"].tolist() == [3] * 8
    assert result.uncovered["short"].tolist() == [2] * 8
    # Least shortfall first, then least cost: 2 + 3 + 2 agents x 8 h x 30 per hour.
    assert result.shifts.set_index("name")["staff"].to_dict() == {"night": 2, "day": 3,
                                                                  "late": 2}
    assert result.cost == 7 * 8 * 30.0


def test_roster_prefers_less_shortfall_to_less_cost() -> None:
    # The 12 h shift costs three times as much per hour as the capped 6 h one; covering
    # with it still beats leaving hours short (leaving everything uncovered costs 0).
    curve = pd.DataFrame({"interval_start": range(24), "staff": [0] * 6 + [2] * 12 + [0] * 6})
    catalogue = [{"name": "long", "start": "06:00", "length": 12, "hourly": 3.0},
                 {"name": "short", "start": "06:00", "length": 6, "max": 1}]
    result = ss.roster(curve, catalogue)
    assert result.uncovered.empty
    assert result.shifts.set_index("name")["staff"].to_dict() == {"long": 2}
    # Without the long shift, 12:00-18:00 is short by 2 and 06:00-12:00 by 1.
    capped = ss.roster(curve, catalogue[1:])
    assert capped.uncovered["short"].tolist() == [1] * 6 + [2] * 6


def test_roster_apply_rosters_the_tier_as_planned() -> None:
    curve = _curve(np.random.default_rng(5))
    result = ss.roster(curve, CATALOGUE)
    scenario = result.apply(ss.load_scenario("scenarios/mmc.toml"), "l1")  # starts a Monday
    on = np.zeros(168)
    for group in duty_groups(scenario, scenario.team.tiers["l1"]):
        assert group.intervals is not None
        for start, end in group.intervals:
            if start < 168:
                on[int(start):min(int(end), 168)] += group.size
    assert (on >= curve["staff"].to_numpy()).all()


@pytest.mark.parametrize(("catalogue", "message"), [
    ([{"start": "08:30", "length": 8}], r"shifts\.0\.start must be a whole hour"),
    ([{"start": "08:00", "length": 24}], r"shifts\.0\.length must be whole hours in \[1, 23\]"),
    ([{"start": "08:00", "length": 8, "days": ["Mon", "Xyz"]}], r"shifts\.0\.days"),
    ([{"start": "08:00", "length": 8, "staff": 2}], r"shifts\.0 has unknown keys"),
    ([], "at least one catalogue shift"),
])
def test_roster_rejects_a_bad_catalogue(catalogue: list[dict], message: str) -> None:
    curve = pd.DataFrame({"interval_start": range(24), "staff": [1] * 24})
    with pytest.raises(ValueError, match=message):
        ss.roster(curve, catalogue)


def test_roster_apply_refuses_to_pool_a_grouped_tier_and_rosters_one_group() -> None:
    # global_rollout.toml: L1 is four agent groups (central on shifts 4 + 3, danish,
    # finnish, chinese); shifts for "l1" would replace them by one multilingual pool.
    desk = ss.load_scenario("scenarios/global_rollout.toml")
    # Two agents 08:00-18:00 on weekdays (a group's shifts fall on its site's business
    # days).
    need = ([0] * 8 + [2] * 10 + [0] * 6) * 5 + [0] * 48
    day = ss.roster(pd.DataFrame({"interval_start": range(168), "staff": need}),
                    [{"start": "08:00", "length": 10, "days": WEEKDAYS}])
    with pytest.raises(ValueError, match=r"tier l1 is split into agent groups \['central', "
                                         r"'danish', 'finnish', 'chinese'\].*pass group="):
        day.apply(desk, "l1")
    with pytest.raises(ValueError, match="group='nordic'"):
        day.apply(desk, "l1", group="nordic")
    # E7 (trial 5): another case is suggested, as for scenario keys.
    with pytest.raises(ValueError, match=r"group='Central' \(did you mean 'central'\?\)"):
        day.apply(desk, "l1", group="Central")
    with pytest.raises(ValueError, match=r"got 'L1' \(did you mean 'l1'\?\)"):
        day.apply(desk, "L1", group="central")
    with pytest.raises(ValueError, match="tier l1 has no agent groups"):
        day.apply(ss.load_scenario("scenarios/mmc.toml"), "l1", group="central")
    planned = day.apply(desk, "l1", group="danish")
    groups = planned.team.tiers["l1"].groups
    assert groups is not None and list(groups) == ["central", "danish", "finnish", "chinese"]
    assert groups["danish"].headcount == 2 and groups["danish"].site == "copenhagen"
    assert groups["danish"].skills == ("da", "en")
    assert groups["central"] == desk.team.tiers["l1"].groups["central"]  # type: ignore[index]


def test_roster_refuses_weekdays_on_a_daily_curve() -> None:
    # A 24-hour curve is every day alike; a Monday-only shift used to be silently
    # rostered every day.
    day = pd.DataFrame({"interval_start": range(24), "staff": [0] * 8 + [2] * 8 + [0] * 8})
    catalogue = [{"start": "08:00", "length": 8},
                 {"name": "monday", "start": "08:00", "length": 8, "days": ["Mon"]}]
    with pytest.raises(ValueError, match=r"shifts\.1 \('monday'\)\.days = \['Mon'\] cannot "
                                         r"apply to a 24-hour curve"):
        ss.roster(day, catalogue)
    # Every day listed is the daily cycle itself, and a weekly curve takes weekdays.
    assert ss.roster(day, [{"start": "08:00", "length": 8,
                            "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}]).cost == 16
    week = pd.DataFrame({"interval_start": range(168), "staff": list(day["staff"]) * 7})
    assert ss.roster(week, catalogue[1:] + catalogue[:1]).cost == 16 * 7
