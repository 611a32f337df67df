"""Back-test: simulate the calibrated scenario and set it beside the history.

Tickets arrive over the observed window (the skeleton's horizon: the span rounded up, at
least a day); the simulation then runs on without arrivals for a follow-up period -- by
default as long as the history follows its tickets (to its latest timestamp) -- so that
simulated tickets get the same chance to resolve as the observed ones. The arrivals stop
through a zero-multiplier burst, an ordinary scenario key.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from supportsim._errors import CapacityWarning
from supportsim.analysis import mean_interval
from supportsim.calibrate._estimate import ALL
from supportsim.results import SimulationResult
from supportsim.simulation import simulate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from supportsim.calibrate._api import CalibrationResult

__all__ = ["Backtest", "run_backtest"]


@dataclass(frozen=True)
class Backtest:
    """Simulated against observed, for one calibration.

    Attributes
    ----------
    table : DataFrame
        ``metric``, ``group`` (priority or ``all``), ``observed``, ``simulated`` (mean over
        replications), ``simulated_low``, ``simulated_high`` (t-interval across
        replications), ``unit`` and ``note``. Metrics: ``tickets`` and ``arrivals_per_day``
        in the window; per priority ``resolved_share`` (resolved by the end of follow-up),
        ``median_resolution_time`` and ``p90_resolution_time`` (resolved tickets) and,
        where the history has ``made_sla``, ``attainment`` (observed: the log's
        ``made_sla``; simulated: resolution attainment against the skeleton's targets).
    daily : DataFrame
        Arrivals per day of the window: ``day`` (0-based), ``date``, ``hours`` (the last day
        may be partial), ``observed``, ``simulated``, ``simulated_low``, ``simulated_high``.
    observed : DataFrame
        The history's tickets with ``arrived_at`` and ``resolution_time`` in hours.
    result : SimulationResult
        The simulation (its scenario is the skeleton plus follow-up).
    window : float
        Hours of arrivals; ``follow_up``: hours simulated after them.
    """

    table: pd.DataFrame
    daily: pd.DataFrame
    observed: pd.DataFrame = field(repr=False)
    result: SimulationResult = field(repr=False)
    window: float
    follow_up: float
    credit: str | None = None

    def figure(self) -> Figure:
        """Resolution-time ECDF per priority and arrivals per day, observed vs simulated."""
        from supportsim.calibrate._figures import backtest_figure

        return backtest_figure(self)

    def files(self, directory: str | Path, dpi: int = 150) -> dict[Path, bytes | str]:
        """``backtest.csv``, ``backtest_daily.csv`` and ``backtest.png``, path -> content."""
        from supportsim.calibrate._output import png

        directory = Path(directory)
        return {directory / "backtest.csv": self.table.to_csv(index=False),
                directory / "backtest_daily.csv": self.daily.to_csv(index=False),
                directory / "backtest.png": png(self.figure(), dpi)}

    def save(self, directory: str | Path, dpi: int = 150) -> list[Path]:
        """Write ``backtest.csv``, ``backtest_daily.csv`` and ``backtest.png`` to `directory`
        (all or nothing)."""
        from supportsim.calibrate._output import write_files

        return write_files(self.files(directory, dpi))


def _quantile(values: pd.Series, q: float) -> float:
    values = values.dropna()
    return float(values.quantile(q)) if len(values) else math.nan


def _row(metric: str, group: str, observed: float, per_rep: np.ndarray, unit: str,
         note: str = "") -> dict[str, Any]:
    scale = ("logit" if unit == "share"
             else "nonnegative" if unit in ("h", "tickets", "tickets/day") else "linear")
    mean, low, high = mean_interval(np.asarray(per_rep, dtype=float), scale=scale)
    return {"metric": metric, "group": group, "observed": float(observed),
            "simulated": float(mean), "simulated_low": float(low),
            "simulated_high": float(high), "unit": unit, "note": note}


def run_backtest(cal: CalibrationResult, replications: int = 5, seed: int = 0,
                 follow_up: float | None = None) -> Backtest:
    """Simulate `cal.scenario` over the observed window plus follow-up; see :class:`Backtest`."""
    if replications < 2:
        raise ValueError(f"replications must be an integer >= 2 (for an interval), "
                         f"got {replications!r}")
    skeleton = cal.scenario
    window = skeleton.horizon
    start = pd.Timestamp(skeleton.start)
    tickets = cal.tickets
    if follow_up is None:
        follow_up = max(0.0, (cal.observed_until - start).total_seconds() / 3600 - window)
        follow_up = float(math.ceil(follow_up))
    if follow_up < 0 or not math.isfinite(follow_up):
        raise ValueError(f"follow_up must be a finite number of hours >= 0, got {follow_up!r}")
    overrides: dict[str, Any] = {"horizon": window + follow_up, "warmup": 0.0}
    if follow_up > 0:
        overrides["demand.bursts"] = [{"name": "end of the observed window", "at": window,
                                       "multiplier": 0.0, "duration": follow_up}]
    scenario = skeleton.with_overrides(overrides)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)  # a back-test replays history
        result = simulate(scenario, replications=replications, seed=seed)
    sim = result.tickets
    reps = np.arange(replications)

    observed = pd.DataFrame({
        "priority": tickets["priority"].to_numpy(),
        "arrived_at": (tickets["opened_at"] - start).dt.total_seconds().to_numpy() / 3600,
        "resolution_time": tickets["resolution_time"].to_numpy(),
        "made_sla": tickets["made_sla"].to_numpy(),
    })
    days = math.ceil(window / 24)
    edges = np.minimum(np.arange(days + 1) * 24.0, window)
    obs_days = np.histogram(observed["arrived_at"], bins=edges)[0]
    sim_days = np.stack([np.histogram(sim.loc[sim["replication"] == r, "arrived_at"],
                                      bins=edges)[0] for r in reps])
    mean, low, high = mean_interval(sim_days.astype(float), scale="nonnegative")
    daily = pd.DataFrame({
        "day": np.arange(days), "date": start + pd.to_timedelta(edges[:-1], unit="h"),
        "hours": np.diff(edges), "observed": obs_days, "simulated": mean,
        "simulated_low": low, "simulated_high": high,
    })

    rows = [
        _row("tickets", ALL, len(observed), sim_days.sum(axis=1), "tickets",
             f"arrivals in the {window:g} h window"),
        _row("arrivals_per_day", ALL, len(observed) / window * 24,
             sim_days.sum(axis=1) / window * 24, "tickets/day"),
    ]
    attainment = result.attainment() if cal.has_made_sla else None
    groups = [ALL, *skeleton.priority_names]
    for group in groups:
        obs = observed if group == ALL else observed[observed["priority"] == group]
        simg = sim if group == ALL else sim[sim["priority"] == group]
        by_rep = simg.groupby("replication", observed=True)["resolution_time"]
        resolved = by_rep.apply(lambda s: s.notna().mean()).reindex(reps)
        rows.append(_row("resolved_share", group, obs["resolution_time"].notna().mean(),
                         resolved.to_numpy(), "share", "by the end of follow-up"))
        for metric, q in (("median_resolution_time", 0.5), ("p90_resolution_time", 0.9)):
            per_rep = by_rep.apply(lambda s, q=q: _quantile(s, q)).reindex(reps)
            rows.append(_row(metric, group, _quantile(obs["resolution_time"], q),
                             per_rep.to_numpy(), "h", "resolved tickets"))
        if attainment is not None:
            flags = obs["made_sla"].dropna()
            if group == ALL:
                att = _pooled_attainment(attainment).reindex(reps).to_numpy()
            else:
                att = attainment[attainment["priority"] == group].set_index(
                    "replication")["resolution_attainment"].reindex(reps).to_numpy()
            rows.append(_row("attainment", group, flags.mean() if len(flags) else math.nan,
                             att, "share", "observed: log's made_sla; simulated: "
                             "resolution within the skeleton's target"))
    return Backtest(table=pd.DataFrame(rows), daily=daily, observed=observed, result=result,
                    window=window, follow_up=follow_up, credit=cal.credit)


def _pooled_attainment(attainment: pd.DataFrame) -> pd.Series:
    """Resolution attainment over all priorities, per replication (weighted by scored)."""
    met = attainment["resolution_attainment"].fillna(0.0) * attainment["resolution_tickets"]
    frame = attainment.assign(met=met).groupby("replication")[["met", "resolution_tickets"]]
    sums = frame.sum()
    return sums["met"] / sums["resolution_tickets"].replace(0, np.nan)
