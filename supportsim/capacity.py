"""Offered load against capacity per tier, before any simulation.

The offered load of a tier is the agent-hours of work that arrive per hour: the mean
arrival rate over the horizon times the mean work a ticket brings to that tier (effort
where it is resolved, triage where it is escalated, and a second triage for the share
that bounces back). Capacity is the mean number of agents on duty. A tier whose offered
load reaches its capacity cannot keep up on average; that is a :class:`CapacityWarning`,
not an error, because locating that edge is what the tool is for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from supportsim import analytic
from supportsim._errors import CapacityWarning
from supportsim.demand import expected_arrivals
from supportsim.distributions import moments
from supportsim.engine._hours import duty_groups, on_duty_hours
from supportsim.scenario import Scenario
from supportsim.scenario._schema import TIERS

__all__ = ["tier_loads", "warn_if_overloaded"]


def _poisson_stationary(scenario: Scenario) -> bool:
    demand = scenario.demand
    return (demand.profile == "flat" and demand.growth == 0 and not demand.bursts
            and demand.storms is None)


def tier_loads(scenario: Scenario) -> pd.DataFrame:
    """The analytic sanity view: one row per tier.

    Returns
    -------
    DataFrame
        ``tier``, ``arrival_rate`` (tickets/h reaching the tier), ``work_time`` (mean hours
        of work per ticket there), ``service_cv``, ``offered_load`` (Erlangs), ``staff``,
        ``on_duty`` (mean agents on duty), ``utilisation`` (offered load / on duty),
        ``model`` (``"M/M/c"`` where the tier is exactly M/M/c, ``"M/G/c"`` where arrivals
        are Poisson but work is not exponential, else ``""``), ``wait_probability`` and
        ``mean_wait`` (hours; Erlang C, scaled by (1 + cv^2)/2 for M/G/c, the
        Allen-Cunneen approximation; NaN where no such model applies).
    """
    rate = expected_arrivals(scenario) / scenario.horizon
    work = scenario.work
    bounce = scenario.team.tennis.bounce
    levels = scenario.levels
    rows = []
    for level, (name, tier) in zip(levels, scenario.team.tiers.items(), strict=True):
        # Which tickets reach this tier, and what they bring: (share, mean, cv) components.
        parts: list[tuple[float, float, float]] = []
        lower = max((lv for lv in levels if lv < level), default=0)
        for need_level, tier_name in enumerate(TIERS, start=1):
            share = work.mix.get(tier_name, 0.0)  # type: ignore[call-overload]
            if share == 0 or need_level <= lower:
                continue
            if need_level <= level:
                parts.append((share, *moments(work.effort[tier_name])))  # type: ignore[index]
            else:
                mean, cv = moments(work.triage[name])
                # A bounced ticket is triaged here twice (approximation: bounce applied once).
                parts.append((share * (1 + bounce), mean, cv))
        reach = sum(s for s, _, _ in parts)
        mean_work = sum(s * m for s, m, _ in parts) / reach if reach else 0.0
        second = sum(s * m * m * (1 + cv * cv) for s, m, cv in parts) / reach if reach else 0.0
        cv2 = second / mean_work**2 - 1 if mean_work else 0.0
        groups = duty_groups(scenario, tier)
        on_duty = sum(g.size * on_duty_hours(g, scenario.horizon) for g in groups)
        on_duty /= scenario.horizon
        offered = rate * reach * mean_work
        # Poisson arrivals: stationary demand, always open, and no feedback from tennis.
        poisson = (_poisson_stationary(scenario) and tier.hours == "24x7"
                   and (level == levels[0] or bounce == 0))
        exponential = all(abs(cv - 1) < 1e-12 for _, _, cv in parts) and len(
            {m for _, m, _ in parts}) == 1
        model = ("M/M/c" if exponential else "M/G/c") if poisson else ""
        wait_p = mean_wait = np.nan
        if model and offered > 0:
            c, mu = tier.headcount, 1 / mean_work
            wait_p = float(analytic.erlang_c(c, offered))
            mean_wait = float(analytic.mean_wait(c, rate * reach, mu)) * (1 + cv2) / 2
        rows.append({
            "tier": name, "arrival_rate": rate * reach, "work_time": mean_work,
            "service_cv": float(np.sqrt(max(cv2, 0.0))), "offered_load": offered,
            "staff": tier.headcount, "on_duty": on_duty,
            "utilisation": offered / on_duty if on_duty else np.inf,
            "model": model, "wait_probability": wait_p, "mean_wait": mean_wait,
        })
    return pd.DataFrame(rows)


def warn_if_overloaded(scenario: Scenario) -> None:
    """Emit a :class:`CapacityWarning` for each tier whose offered load reaches its capacity."""
    source = f" ({scenario.source})" if scenario.source else ""
    for row in tier_loads(scenario).itertuples():
        if row.offered_load >= row.on_duty:
            warnings.warn(
                f"team.tiers.{row.tier}: offered load {row.offered_load:.2f} Erlangs "
                f"({row.arrival_rate:.2f} tickets/h x {row.work_time:.3f} h of work) >= "
                f"{row.on_duty:.2f} agents on duty on average; the queue will grow{source}",
                CapacityWarning,
                stacklevel=3,
            )
