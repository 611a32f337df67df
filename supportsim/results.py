"""Simulation results: tables of tickets, staff and the hourly timeline, plus SLA views."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supportsim.analysis import sla_attainment, sla_table, t_interval
from supportsim.scenario import Scenario

__all__ = ["SimulationResult"]


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`supportsim.simulate` returns.

    Attributes
    ----------
    scenario : Scenario
        The scenario that produced these results (``scenario.to_dict()`` travels with them).
    seed : int
        The root seed actually used; ``simulate(scenario, seed=seed)`` reproduces the tables.
    replications : int
    tickets : DataFrame
        One row per ticket per replication (columns in docs/results.md).
    staff : DataFrame
        One row per agent per replication.
    timeline : DataFrame
        One row per replication and hour: state at the top of the hour, arrivals within it.
    events : DataFrame
        Workforce events (joins, leaves, reserve calls) per replication, in time order.
    """

    scenario: Scenario
    seed: int
    replications: int
    tickets: pd.DataFrame = field(repr=False)
    staff: pd.DataFrame = field(repr=False)
    timeline: pd.DataFrame = field(repr=False)
    events: pd.DataFrame = field(repr=False)

    def sla(self, confidence: float = 0.95, method: str = "t") -> pd.DataFrame:
        """Response and resolution attainment per priority with intervals across replications.

        `method` is ``"t"`` (Student t) or ``"bootstrap"``. See
        :func:`supportsim.analysis.sla_table` for the columns and :mod:`supportsim.analysis`
        for the scoring rules (warm-up excluded).
        """
        return sla_table(self.attainment(), self.scenario, confidence=confidence,
                         method=method)

    def attainment(self) -> pd.DataFrame:
        """Per replication x priority attainment (:func:`supportsim.analysis.sla_attainment`)."""
        return sla_attainment(self.tickets, self.scenario)

    def utilisation(self) -> pd.DataFrame:
        """Busy time over on-duty time, per replication and tier."""
        grouped = self.staff.groupby(["replication", "tier"], observed=True)
        sums = grouped[["busy_time", "on_duty_time"]].sum()
        sums["utilisation"] = sums["busy_time"] / sums["on_duty_time"]
        return sums.reset_index()

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Headline figures, one row per metric: mean across replications with t-interval.

        Returns
        -------
        DataFrame
            ``metric``, ``value``, ``low``, ``high``, ``unit``.
        """
        scored = self.tickets[~self.tickets["warmup"]]
        per_rep = scored.groupby("replication")
        metrics: dict[str, tuple[pd.Series, str]] = {
            "tickets": (per_rep.size(), "tickets"),
            "resolved_share": (per_rep["resolved_at"].apply(lambda s: s.notna().mean()), "share"),
            "abandoned_share": (per_rep["abandoned"].mean(), "share"),
            "mean_wait": (per_rep["wait_time"].mean(), "h"),
            "p90_wait": (per_rep["wait_time"].quantile(0.9), "h"),
            "mean_resolution_time": (per_rep["resolution_time"].mean(), "h"),
            "p90_resolution_time": (per_rep["resolution_time"].quantile(0.9), "h"),
            "escalations_per_ticket": (per_rep["escalations"].mean(), "hand-offs"),
            "bounces_per_ticket": (per_rep["bounces"].mean(), "bounces"),
        }
        last = self.timeline.groupby("replication")["backlog"].last()
        metrics["backlog_at_end"] = (last, "tickets")
        per_hour = self.timeline[self.timeline["t"] >= self.scenario.warmup].groupby("replication")
        metrics["on_duty"] = (per_hour["on_duty"].mean(), "agents")
        metrics["effective_fte"] = (per_hour["effective_fte"].mean(), "agents")
        metrics["vacancies"] = (per_hour["vacancies"].mean(), "seats")
        metrics["reserve_on_duty"] = (per_hour["reserve_on_duty"].mean(), "agents")
        calls = self.events[self.events["kind"].isin(["surge_on", "backfill"])]
        activations = calls.groupby("replication").size().reindex(last.index, fill_value=0)
        metrics["reserve_activations"] = (activations, "calls")
        leavers = self.events[self.events["kind"] == "leave"].groupby("replication").size()
        metrics["leavers"] = (leavers.reindex(last.index, fill_value=0), "people")
        util = self.utilisation()
        for level, rows in util.groupby("tier", observed=True):
            metrics[f"utilisation_l{level}"] = (rows.set_index("replication")["utilisation"],
                                                "share")
        att = self.attainment()
        for kind in ("response", "resolution"):
            for name, rows in att.groupby("priority", observed=False, sort=False):
                metrics[f"{kind}_attainment_{name}"] = (
                    rows.set_index("replication")[f"{kind}_met"], "share")
        out = []
        for metric, (series, unit) in metrics.items():
            mean, low, high = t_interval(series.to_numpy(dtype=float), confidence=confidence)
            if unit == "share":
                low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
            elif unit != "h":  # counts cannot be negative
                low = np.maximum(low, 0)
            out.append({"metric": metric, "value": float(mean), "low": float(low),
                        "high": float(high), "unit": unit})
        return pd.DataFrame(out)

    def weekly_attainment(self, period: float = 168.0) -> pd.DataFrame:
        """Attainment per replication x priority x week of arrival
        (:func:`supportsim.analysis.weekly_attainment`)."""
        from supportsim.analysis import weekly_attainment

        return weekly_attainment(self.tickets, self.scenario, period=period)

    def backlog_by_age(self, at: np.ndarray | list[float] | None = None, *,
                       clock: str = "wall", by_priority: bool = True) -> pd.DataFrame:
        """Open tickets per age bucket at instants `at` (default: every week end), per
        replication (:func:`supportsim.analysis.backlog_by_age`)."""
        from typing import Literal, cast

        from supportsim.analysis import backlog_by_age

        return backlog_by_age(self.tickets, self.scenario, at, by_priority=by_priority,
                              clock=cast(Literal["wall", "sla"], clock))

    def time_percentiles(self, q: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99), *,
                         clock: str = "wall", by_replication: bool = False) -> pd.DataFrame:
        """Percentiles (hours) of wait and resolution time per priority after the warm-up
        (:func:`supportsim.analysis.time_percentiles`)."""
        from typing import Literal, cast

        from supportsim.analysis import time_percentiles

        return time_percentiles(self.tickets, self.scenario, q, by_replication=by_replication,
                                clock=cast(Literal["wall", "sla"], clock))

    def utilisation_over_time(self, period: float = 24.0) -> pd.DataFrame:
        """Busy over on-duty agent-hours per replication x tier x period
        (:func:`supportsim.analysis.utilisation_over_time`)."""
        from supportsim.analysis import utilisation_over_time

        return utilisation_over_time(self.timeline, self.scenario, period=period)
