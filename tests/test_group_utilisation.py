"""Utilisation over time per agent group and per site (issue 14: "the utilisation views
report per group and site as well as per tier").

The per-group and per-site views are sums of the timeline's hourly snapshots, so they
must add up exactly to the tier's (and the desk's); the rostered hours of a group on a
known shift are counted by hand in the comment.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import supportsim as ss
from tests.support import mmc_dict

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


@pytest.fixture(scope="module")
def rollout() -> ss.SimulationResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = ss.load_scenario(SCENARIOS / "global_rollout.toml").with_overrides(
            {"horizon": "2w", "warmup": "0h"})
    return ss.simulate(sc, replications=2, seed=3)


def follow_the_sun() -> dict[str, Any]:
    """Notebook 07's layout: a Berlin and a Shanghai group on their business hours, from
    Monday 2026-04-13 00:00 UTC for a week (summer time: Berlin UTC+2)."""
    data = mmc_dict(rate=3.0, mean=0.3, staff=1, horizon="1w", warmup="0h")
    data["replications"], data["seed"] = 2, 7
    data["start"], data["start_zone"] = "2026-04-13T00:00", "UTC"
    data["sites"] = {
        "berlin": {"timezone": "Europe/Berlin", "business_hours": ["08:00", "17:00"]},
        "shanghai": {"timezone": "Asia/Shanghai", "business_hours": ["08:00", "17:00"]}}
    data["demand"]["sites"] = {"berlin": 0.5, "shanghai": 0.5}
    data["team"]["tiers"]["l1"] = {"groups": {
        "berlin": {"site": "berlin", "skills": ["any"], "staff": 4, "hours": "business"},
        "shanghai": {"site": "shanghai", "skills": ["any"], "staff": 3,
                     "hours": "business"}}}
    return data


def test_group_hours_add_up_to_their_tier_per_period(rollout: ss.SimulationResult) -> None:
    tiers = rollout.utilisation_over_time(period=24)
    groups = rollout.utilisation_over_time(period=24, groups=True)
    assert set(groups["group"].astype(str)) == {"central", "danish", "finnish", "chinese",
                                                "erp_berlin", "erp_shanghai"}
    summed = groups.groupby(["replication", "tier", "period_start"], observed=True)[
        ["busy", "on_duty", "overtime"]].sum().reset_index()
    merged = tiers.merge(summed, on=["replication", "tier", "period_start"],
                         suffixes=("", "_groups"))
    assert len(merged) == len(tiers) and merged["busy"].sum() > 0
    for column in ("busy", "on_duty", "overtime"):
        np.testing.assert_array_equal(merged[column], merged[f"{column}_groups"])
    assert merged["overtime"].sum() > 0  # the overtime check has power
    util = groups["utilisation"].dropna()
    assert ((util >= 0) & (util <= 1)).all()


def test_site_hours_add_up_to_the_desk_per_period(rollout: ss.SimulationResult) -> None:
    sites = rollout.utilisation_over_time(period=168, sites=True)
    # The sites agents work at (London's users are served from Berlin).
    assert set(sites["site"].cat.categories) == {"berlin", "copenhagen", "helsinki",
                                                 "shanghai"}
    assert "tier" not in sites.columns
    desk = rollout.utilisation_over_time(period=168).groupby(
        ["replication", "period_start"])[["busy", "on_duty", "overtime"]].sum()
    summed = sites.groupby(["replication", "period_start"])[
        ["busy", "on_duty", "overtime"]].sum()
    pd.testing.assert_frame_equal(summed, desk)
    # With groups too, each group's row names its site.
    both = rollout.utilisation_over_time(groups=True, sites=True)
    where = both.drop_duplicates("group").set_index("group")["site"].astype(str)
    assert where["chinese"] == "shanghai" and where["erp_berlin"] == "berlin"
    assert where["danish"] == "copenhagen"


def test_a_groups_rostered_hours_per_day_are_its_site_clock() -> None:
    res = ss.simulate(ss.Scenario.from_dict(follow_the_sun()))
    daily = res.utilisation_over_time(period=24, groups=True)
    one = daily[daily["replication"] == 0].set_index(["group", "period_start"])["on_duty"]
    # By hand (the snapshot at the top of each hour stands for the hour): Berlin
    # 08:00-17:00 CEST = 06:00-15:00 UTC, 9 h x 4 agents = 36 agent-hours a weekday;
    # Shanghai 08:00-17:00 CST = 00:00-09:00 UTC, 9 h x 3 = 27; nothing at weekends.
    days = np.arange(7) * 24.0
    np.testing.assert_array_equal(one.loc["berlin"].reindex(days), [36] * 5 + [0, 0])
    np.testing.assert_array_equal(one.loc["shanghai"].reindex(days), [27] * 5 + [0, 0])
    by_site = res.utilisation_over_time(period=24, sites=True)
    site = by_site[by_site["replication"] == 0].set_index(["site", "period_start"])["on_duty"]
    np.testing.assert_array_equal(site.loc["shanghai"].reindex(days), [27] * 5 + [0, 0])


def test_without_groups_the_group_view_is_the_tier_view() -> None:
    res = ss.simulate(ss.Scenario.from_dict(mmc_dict(horizon="1w", warmup="0h")),
                      replications=1, seed=2)
    plain = res.utilisation_over_time()
    grouped = res.utilisation_over_time(groups=True)
    assert grouped["group"].astype(str).eq("").all()
    pd.testing.assert_frame_equal(grouped.drop(columns="group"), plain,
                                  check_categorical=False)
    # One site at work: the per-site view is the desk's, at the first (implicit) site.
    sites = res.utilisation_over_time(sites=True)
    np.testing.assert_array_equal(sites["busy"], plain["busy"])


def legend_labels(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_utilisation_figure_has_a_line_per_group_and_per_site() -> None:
    res = ss.simulate(ss.Scenario.from_dict(follow_the_sun()))
    by_group = ss.plot.utilisation(res, groups=True, dates=False)
    assert legend_labels(by_group) == ["l1 berlin (24 h rolling)",
                                       "l1 shanghai (24 h rolling)", "all paid agents busy"]
    assert "per agent group" in by_group.axes[0].get_title()
    # Each group's bold line is its own rolling utilisation: the Shanghai line is drawn
    # exactly where Shanghai's paid hours are, whatever Berlin does.
    lines = [line for line in by_group.axes[0].get_lines() if line.get_linewidth() == 1.5]
    assert len(lines) == 2
    assert not np.array_equal(np.asarray(lines[0].get_ydata(), dtype=float),
                              np.asarray(lines[1].get_ydata(), dtype=float), equal_nan=True)
    by_site = ss.plot.utilisation(res, sites=True, dates=False, window=1)
    assert legend_labels(by_site) == ["berlin (hourly)", "shanghai (hourly)",
                                      "all paid agents busy"]
    both = ss.plot.utilisation(res, groups=True, sites=True, dates=False, window=1)
    assert legend_labels(both)[:2] == ["l1 berlin @ berlin (hourly)",
                                       "l1 shanghai @ shanghai (hourly)"]
    plain = ss.plot.utilisation(res, dates=False)
    assert legend_labels(plain) == ["l1 (24 h rolling)", "all paid agents busy"]
