"""Utilisation per tier (and per agent group or site) over time, from the hourly timeline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportsim._site_records import agent_sites
from supportsim.scenario import Scenario
from supportsim.scenario._schema import TIERS

__all__ = ["utilisation_over_time"]


def _units(timeline: pd.DataFrame, scenario: Scenario, groups: bool, sites: bool
           ) -> list[dict[str, str]]:
    """The rows to report and their timeline column suffix (``"suffix"``): each tier;
    with `groups` each agent group of a tier with groups instead (``l1_chinese``, with
    its site under `sites`); with `sites` alone each site agents work at
    (``site_shanghai``; the desk's totals when all work at one site)."""
    where = agent_sites(scenario)
    if sites and not groups:
        # The sites agents work at, as in res.utilisation(sites=True): a site with users
        # only (served from elsewhere) has no row.
        staffed = {where[(TIERS.index(tier) + 1, name)]
                   for tier, section in scenario.team.tiers.items()
                   for name in (section.groups or [""])}
        present = [site for site in scenario.site_names
                   if site in staffed and f"busy_site_{site}" in timeline.columns]
        if not present:  # all at one site: no per-site columns, the desk's totals
            only = [site for site in scenario.site_names if site in staffed]
            return [{"site": only[0], "suffix": ""}]
        return [{"site": site, "suffix": f"site_{site}"} for site in present]
    units = []
    for tier, section in scenario.team.tiers.items():
        level = TIERS.index(tier) + 1
        names = list(section.groups or ()) if groups else []
        if not names:
            units.append({"tier": tier, "group": "", "site": where[(level, "")],
                          "suffix": tier})
        for name in names:
            units.append({"tier": tier, "group": name, "site": where[(level, name)],
                          "suffix": f"{tier}_{name}"})
    return units


def _column(timeline: pd.DataFrame, kind: str, suffix: str) -> np.ndarray:
    name = f"{kind}_{suffix}" if suffix else kind
    if name not in timeline.columns:
        raise ValueError(f"the timeline has no column {name!r}: was it made by this "
                         "scenario's simulation?")
    return timeline[name].to_numpy(dtype=float)


def utilisation_over_time(
    timeline: pd.DataFrame, scenario: Scenario, *, period: float = 24.0,
    groups: bool = False, sites: bool = False,
) -> pd.DataFrame:
    """Busy over paid agent-hours (on duty plus overtime) per replication x tier x period.

    Parameters
    ----------
    timeline : DataFrame
        ``SimulationResult.timeline`` (hourly state at the top of each hour, with
        ``busy_<tier>``, ``on_duty_<tier>`` and ``overtime_<tier>`` columns; per agent
        group ``busy_lN_GROUP`` ..., per site ``busy_site_NAME`` ...).
    scenario : Scenario
    period : float, default 24
        Length of a bucket in hours (whole hours; a day by default).
    groups : bool, default False
        One row per agent group (``team.tiers.lN.groups``) instead of per tier, in a
        ``group`` column (empty for a tier without groups, reported whole). The groups'
        busy, on-duty and overtime hours add up to their tier's.
    sites : bool, default False
        Alone: one row per site agents work at instead of per tier, in a ``site`` column
        (agents of every tier; an agent's site is its group's, else the first site). With
        `groups`: each group's row also names its ``site``.

    Returns
    -------
    DataFrame
        ``replication``, ``tier`` (and ``group`` with `groups`, and ``site`` with both;
        ``site`` instead of ``tier`` with `sites` alone), ``period_start`` (hours since
        start), ``busy``, ``on_duty``, ``overtime`` (agent-hours, each hourly snapshot
        standing for its hour; overtime: agents finishing the ticket in hand after their
        duty ended) and ``utilisation`` = busy / (on duty + overtime), at most 1 (NaN
        when nobody was on duty or working overtime).

    Raises
    ------
    ValueError
        A period that is not a whole number of hours, or a timeline without the columns
        the scenario implies.

    Notes
    -----
    A ratio of sums, not a mean of hourly ratios, so a period that only grazes a shift
    is not dominated by a few minutes of work. Agents finish the ticket in hand after
    their shift: counting that overtime as paid time keeps busy within it.
    """
    step = round(period)
    if step < 1 or abs(period - step) > 1e-9:
        raise ValueError(f"period must be a whole number of hours >= 1, got {period!r}")
    units = _units(timeline, scenario, groups, sites)
    bucket = (timeline["t"].to_numpy(dtype=float) // step).astype(np.int64)
    keys = pd.DataFrame({"replication": timeline["replication"].to_numpy(),
                         "period_start": bucket * float(step)})
    labels = (["site"] if sites and not groups else
              ["tier", *(["group"] if groups else []), *(["site"] if sites else [])])
    frames = []
    for unit in units:
        suffix = unit["suffix"]
        part = keys.assign(busy=_column(timeline, "busy", suffix),
                           on_duty=_column(timeline, "on_duty", suffix),
                           overtime=_column(timeline, "overtime", suffix))
        sums = part.groupby(["replication", "period_start"], sort=True).sum().reset_index()
        for k, label in enumerate(labels):
            sums.insert(1 + k, label, unit[label])
        frames.append(sums)
    out = pd.concat(frames, ignore_index=True)
    for label in labels:
        order = list(dict.fromkeys(unit[label] for unit in units))
        out[label] = pd.Categorical(out[label], categories=order)
    paid = out["on_duty"].to_numpy() + out["overtime"].to_numpy()
    out["utilisation"] = np.where(paid > 0, out["busy"].to_numpy()
                                  / np.where(paid > 0, paid, 1.0), np.nan)
    return out.sort_values(["replication", *labels, "period_start"],
                           kind="stable").reset_index(drop=True)
