"""Working hours: when each group of agents of a tier is on duty.

A tier's agents form duty groups: one group for ``"24x7"`` or ``"business"`` hours, one
per shift for a roster. A group's hours are a sorted array of ``[on, off)`` intervals in
hours since the scenario start, clipped to the horizon; ``None`` means always on duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from supportsim.scenario import Scenario
from supportsim.scenario._schema import DAYS, clock_hours
from supportsim.scenario._team import AgentGroup, Shift, Tier
from supportsim.sites import business_intervals, shift_intervals

__all__ = ["DutyGroup", "duty_groups", "staffing_duty_groups"]


@dataclass(frozen=True)
class DutyGroup:
    """Agents of one tier who share working hours."""

    label: str  # "24x7", "business" or the shift's name
    size: int
    intervals: np.ndarray | None  # (k, 2) [on, off) hours; None = always on duty


def _shift_intervals(shift: Shift, start: datetime, horizon: float) -> np.ndarray:
    length = (clock_hours(shift.end) - clock_hours(shift.start)) % 24 or 24.0
    midnight = datetime(start.year, start.month, start.day)
    offset = (start - midnight).total_seconds() / 3600
    # Start a day early so a night shift that began before `start` is still on duty at 0.
    # NOTE: vectorised over days (not a loop of datetimes) so a long horizon costs nothing.
    day = np.arange(-1, int(np.ceil((horizon + offset) / 24)) + 2)
    worked = np.isin((midnight.weekday() + day) % 7, [DAYS.index(d) for d in shift.days])
    on = day[worked] * 24 + clock_hours(shift.start) - offset
    off = on + length
    keep = (off > 0) & (on < horizon)
    return np.column_stack([np.maximum(on[keep], 0.0), np.minimum(off[keep], horizon)])


def duty_groups(scenario: Scenario, tier: Tier, site: str | None = None) -> list[DutyGroup]:
    """The duty groups of `tier`, in agent order (agents are numbered group by group).

    `site` names the site of [sites] whose local clock, business hours and holidays
    the hours follow (:func:`supportsim.sites.shift_intervals`); None: the first site,
    or, in a scenario without [sites] and `start_zone`, `start`'s own clock as always.
    A tier split into agent groups (``team.tiers.lN.groups``) has each group's duty
    groups in turn, in file order, each on its own `site` (else `site`).
    """
    if tier.groups is not None:
        return [duty for group in tier.groups.values()
                for duty in staffing_duty_groups(scenario, group, group.site or site)]
    return staffing_duty_groups(scenario, tier, site)


def staffing_duty_groups(scenario: Scenario, staffing: Tier | AgentGroup,
                         site: str | None = None) -> list[DutyGroup]:
    """The duty groups of a tier without agent groups, or of one agent group, at `site`.

    NOTE: the one place where hours and shifts become intervals (a site's calendar:
    time zone, business hours, holidays).
    """
    if staffing.hours == "24x7":
        return [DutyGroup("24x7", staffing.headcount, None)]
    if site is not None or scenario.sites or scenario.start_zone is not None:
        return _site_groups(scenario, staffing, site)
    if staffing.hours == "business":
        intervals = scenario.calendar.open_intervals(0.0, scenario.horizon)
        return [DutyGroup("business", staffing.headcount, np.asarray(intervals, dtype=float))]
    assert isinstance(staffing.hours, tuple)
    return [
        DutyGroup(shift.name or f"shift{k + 1}", shift.staff,
                  _shift_intervals(shift, scenario.start, scenario.horizon))
        for k, shift in enumerate(staffing.hours)
    ]


def _site_groups(scenario: Scenario, tier: Tier | AgentGroup, site: str | None
                 ) -> list[DutyGroup]:
    """Duty groups of `tier` (or an agent group) working at `site` (default the first), on
    its local clock."""
    names = scenario.site_names
    name = names[0] if site is None else site
    if name not in names:
        raise ValueError(f"site: {name!r} is not a site of the scenario ({', '.join(names)})")
    calendar = scenario.site_calendars[name]
    horizon = scenario.horizon
    if tier.hours == "business":
        return [DutyGroup("business", tier.headcount, business_intervals(calendar, horizon))]
    assert isinstance(tier.hours, tuple)
    off = scenario.sites is not None and scenario.sites[name].holiday_shifts == "off"
    return [
        DutyGroup(shift.name or f"shift{k + 1}", shift.staff,
                  shift_intervals(calendar, shift.start, shift.end, shift.days, horizon,
                                  holidays_off=off))
        for k, shift in enumerate(tier.hours)
    ]


def on_duty_hours(group: DutyGroup, horizon: float) -> float:
    """Hours one agent of `group` is on duty within the horizon."""
    if group.intervals is None:
        return horizon
    return float(np.sum(group.intervals[:, 1] - group.intervals[:, 0]))
