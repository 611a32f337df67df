"""Simulation results: tables of tickets, staff and the hourly timeline, plus SLA views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supportsim.analysis import sla_attainment, sla_table, t_interval
from supportsim.demand import TicketStream
from supportsim.engine import ReplicationRecord
from supportsim.engine._hours import duty_groups, on_duty_hours
from supportsim.scenario import Scenario
from supportsim.scenario._schema import TIERS

__all__ = ["SimulationResult", "build_tables"]


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
    """

    scenario: Scenario
    seed: int
    replications: int
    tickets: pd.DataFrame = field(repr=False)
    staff: pd.DataFrame = field(repr=False)
    timeline: pd.DataFrame = field(repr=False)

    def sla(self, confidence: float = 0.95) -> pd.DataFrame:
        """Response and resolution attainment per priority with t-intervals across replications.

        See :func:`supportsim.analysis.sla_table` for the columns and
        :mod:`supportsim.analysis` for the scoring rules (warm-up excluded).
        """
        return sla_table(self.attainment(), self.scenario, confidence=confidence)

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
            out.append({"metric": metric, "value": float(mean), "low": float(low),
                        "high": float(high), "unit": unit})
        return pd.DataFrame(out)


def build_tables(
    scenario: Scenario,
    runs: list[tuple[int, TicketStream, ReplicationRecord]],
) -> dict[str, Any]:
    """Assemble the three result tables from per-replication arrays."""
    return {
        "tickets": _tickets(scenario, runs),
        "staff": _staff(scenario, runs),
        "timeline": _timeline(scenario, runs),
    }


def _tickets(scenario: Scenario, runs: list[tuple[int, TicketStream, ReplicationRecord]]
             ) -> pd.DataFrame:
    def cat(get: Any) -> np.ndarray:
        parts = [get(stream, rec) for _, stream, rec in runs]
        return np.concatenate(parts) if parts else np.empty(0)

    arrived = cat(lambda s, r: s.arrived_at)
    first = cat(lambda s, r: r.first_response_at)
    resolved = cat(lambda s, r: r.resolved_at)
    counts = [len(stream) for _, stream, _ in runs]
    return pd.DataFrame({
        "replication": np.repeat([rep for rep, _, _ in runs], counts).astype(np.int32),
        "ticket": np.concatenate([np.arange(c, dtype=np.int32) for c in counts])
        if counts else np.empty(0, np.int32),
        "priority": pd.Categorical.from_codes(cat(lambda s, r: s.priority).astype(np.int8),
                                              scenario.priority_names),
        "channel": pd.Categorical.from_codes(cat(lambda s, r: s.channel).astype(np.int8),
                                             scenario.channel_names),
        "need": cat(lambda s, r: s.need).astype(np.int8),
        "arrived_at": arrived,
        "first_response_at": first,
        "resolved_at": resolved,
        "abandoned": cat(lambda s, r: r.abandoned).astype(bool),
        "resolved_by": cat(lambda s, r: r.resolved_by).astype(np.int8),
        "escalations": cat(lambda s, r: r.escalations).astype(np.int8),
        "bounces": cat(lambda s, r: r.bounces).astype(np.int8),
        "effort": cat(lambda s, r: r.effort),
        "wait_time": first - arrived,
        "resolution_time": resolved - arrived,
        "warmup": arrived < scenario.warmup,
        "storm": cat(lambda s, r: s.storm).astype(bool),
    })


def _staff(scenario: Scenario, runs: list[tuple[int, TicketStream, ReplicationRecord]]
           ) -> pd.DataFrame:
    duty = np.concatenate([
        np.full(g.size, on_duty_hours(g, scenario.horizon))
        for tier in scenario.team.tiers.values() for g in duty_groups(scenario, tier)
    ] or [np.empty(0)])
    frames = []
    for rep, _, rec in runs:
        agents = len(rec.agent_tier)
        frames.append(pd.DataFrame({
            "replication": np.full(agents, rep, dtype=np.int32),
            "agent": np.arange(agents, dtype=np.int32),
            "tier": rec.agent_tier,
            "joined_at": np.zeros(agents),
            "left_at": np.full(agents, np.nan),
            "origin": pd.Categorical(["initial"] * agents,
                                     categories=["initial", "hire", "reserve"]),
            "busy_time": rec.busy_time,
            "on_duty_time": duty,
            "hours": rec.agent_hours,
        }))
    return pd.concat(frames, ignore_index=True)


def _timeline(scenario: Scenario, runs: list[tuple[int, TicketStream, ReplicationRecord]]
              ) -> pd.DataFrame:
    names = [TIERS[level - 1] for level in scenario.levels]
    frames = []
    for rep, stream, rec in runs:
        steps = len(rec.snapshot_open)
        t = np.arange(steps, dtype=float)
        queued, busy, on_duty = (rec.snapshots[:, k, :] for k in range(3))
        frame = {
            "replication": np.full(steps, rep, dtype=np.int32),
            "t": t,
            "arrivals": np.histogram(stream.arrived_at, bins=np.append(t, scenario.horizon))[0],
            "backlog": rec.snapshot_open,
            "queued": queued.sum(axis=1),
            "busy": busy.sum(axis=1),
            "on_duty": on_duty.sum(axis=1),
        }
        for k, name in enumerate(names):
            frame[f"backlog_{name}"] = queued[:, k] + busy[:, k]
            frame[f"queued_{name}"] = queued[:, k]
            frame[f"busy_{name}"] = busy[:, k]
            frame[f"on_duty_{name}"] = on_duty[:, k]
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)
