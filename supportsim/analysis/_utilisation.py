"""Utilisation per tier over time, from the hourly timeline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportsim.scenario import Scenario

__all__ = ["utilisation_over_time"]


def utilisation_over_time(
    timeline: pd.DataFrame, scenario: Scenario, *, period: float = 24.0
) -> pd.DataFrame:
    """Busy over paid agent-hours (on duty plus overtime) per replication x tier x period.

    Parameters
    ----------
    timeline : DataFrame
        ``SimulationResult.timeline`` (hourly state at the top of each hour, with
        ``busy_<tier>``, ``on_duty_<tier>`` and ``overtime_<tier>`` columns).
    scenario : Scenario
    period : float, default 24
        Length of a bucket in hours (whole hours; a day by default).

    Returns
    -------
    DataFrame
        ``replication``, ``tier``, ``period_start`` (hours since start), ``busy``,
        ``on_duty``, ``overtime`` (agent-hours, each hourly snapshot standing for its
        hour; overtime: agents finishing the ticket in hand after their duty ended) and
        ``utilisation`` = busy / (on duty + overtime), at most 1 (NaN when nobody was
        on duty or working overtime).

    Notes
    -----
    A ratio of sums, not a mean of hourly ratios, so a period that only grazes a shift
    is not dominated by a few minutes of work. Agents finish the ticket in hand after
    their shift: counting that overtime as paid time keeps busy within it.
    """
    step = round(period)
    if step < 1 or abs(period - step) > 1e-9:
        raise ValueError(f"period must be a whole number of hours >= 1, got {period!r}")
    tiers = list(scenario.team.tiers)
    bucket = (timeline["t"].to_numpy(dtype=float) // step).astype(np.int64)
    keys = pd.DataFrame({"replication": timeline["replication"].to_numpy(),
                         "period_start": bucket * float(step)})
    frames = []
    for name in tiers:
        part = keys.assign(busy=timeline[f"busy_{name}"].to_numpy(dtype=float),
                           on_duty=timeline[f"on_duty_{name}"].to_numpy(dtype=float),
                           overtime=timeline[f"overtime_{name}"].to_numpy(dtype=float))
        sums = part.groupby(["replication", "period_start"], sort=True).sum().reset_index()
        sums.insert(1, "tier", name)
        frames.append(sums)
    out = pd.concat(frames, ignore_index=True)
    out["tier"] = pd.Categorical(out["tier"], categories=tiers)
    paid = out["on_duty"].to_numpy() + out["overtime"].to_numpy()
    out["utilisation"] = np.where(paid > 0, out["busy"].to_numpy()
                                  / np.where(paid > 0, paid, 1.0), np.nan)
    return out.sort_values(["replication", "tier", "period_start"],
                           kind="stable").reset_index(drop=True)
