"""Result views by site of agent groups (issue 14): the staff table's ``site`` and the
timeline's ``busy_site_NAME`` / ``on_duty_site_NAME`` / ``overtime_site_NAME`` columns.

An agent's site is its group's (``team.tiers.lN.groups.NAME.site``), else the scenario's
first site (:func:`supportsim.scenario._group_sites.group_site`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from supportsim.scenario import Scenario
from supportsim.scenario._group_sites import group_site
from supportsim.scenario._schema import TIERS

if TYPE_CHECKING:
    from supportsim.engine import ReplicationRecord

__all__ = ["agent_sites", "site_timeline"]


def agent_sites(scenario: Scenario) -> dict[tuple[int, str], str]:
    """The site of each (tier level, group name) of the team (group ``""``: the tier)."""
    out = {}
    for tier, section in scenario.team.tiers.items():
        level = TIERS.index(tier) + 1
        out[(level, "")] = scenario.site_names[0]
        for name in section.groups or ():
            out[(level, name)] = group_site(scenario, tier, name)
    return out


def site_timeline(scenario: Scenario, rec: ReplicationRecord) -> dict[str, np.ndarray]:
    """``busy_site_NAME``, ``on_duty_site_NAME`` and ``overtime_site_NAME`` per site of a
    scenario whose agent groups work at more than one site (nothing otherwise): agents
    of every tier, a tier without groups counted at the first site."""
    where = agent_sites(scenario)
    grouped = set(rec.group_tier.tolist())
    working = {where[(int(level), name)]
               for level, name in zip(rec.group_tier.tolist(), rec.group_names, strict=True)}
    if any(level not in grouped for level in scenario.levels):
        working.add(scenario.site_names[0])
    if len(working) < 2:
        return {}
    steps = rec.busy.shape[0]
    busy = {site: np.zeros(steps, dtype=np.int32) for site in scenario.site_names}
    on = {site: np.zeros(steps, dtype=np.int32) for site in scenario.site_names}
    over = {site: np.zeros(steps, dtype=np.int32) for site in scenario.site_names}
    for k, level in enumerate(scenario.levels):
        if level not in grouped:
            site = scenario.site_names[0]
            busy[site] += rec.busy[:, k].astype(np.int32)
            on[site] += rec.on_duty[:, k].astype(np.int32)
            over[site] += rec.overtime[:, k].astype(np.int32)
    for k, (level, name) in enumerate(zip(rec.group_tier.tolist(), rec.group_names,
                                          strict=True)):
        site = where[(int(level), name)]
        busy[site] += rec.group_busy[:, k].astype(np.int32)
        on[site] += rec.group_on_duty[:, k].astype(np.int32)
        over[site] += rec.group_overtime[:, k].astype(np.int32)
    columns: dict[str, np.ndarray] = {}
    for site in scenario.site_names:
        columns[f"busy_site_{site}"] = busy[site]
        columns[f"on_duty_site_{site}"] = on[site]
        columns[f"overtime_site_{site}"] = over[site]
    return columns
