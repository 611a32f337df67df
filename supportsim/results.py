"""Simulation results: tables of tickets, staff and the hourly timeline, plus SLA views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supportsim.analysis import (
    abandonment_counts,
    abandonment_table,
    mean_interval,
    parse_window,
    sla_table,
    verdicts,
    window_attainment,
)
from supportsim.analysis._verdict import GoalSpec
from supportsim.analysis._window import Window
from supportsim.scenario import Scenario

if TYPE_CHECKING:
    from supportsim.analysis import Warmup
    from supportsim.sequential import PrecisionReport

__all__ = ["SimulationResult", "ticket_metrics"]


def ticket_metrics(tickets: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the ticket figures of :meth:`SimulationResult.summary`.

    Computed on each replication's tickets as it finishes, so the summary needs no ticket
    table (``simulate(..., tickets="drop")``); rows of several calls concatenate to the
    call on their joined tables.

    Returns
    -------
    DataFrame
        Indexed by ``replication`` (replications with no ticket after the warm-up have no
        row), one column per metric of the same name in :meth:`SimulationResult.summary`:
        ``tickets_per_replication``, ``resolved_share``, ``abandoned_share``,
        ``mean_wait``, ``median_wait``, ``p90_wait``, ``mean_resolution_time``,
        ``median_resolution_time``, ``p90_resolution_time``, ``escalations_per_ticket``,
        ``bounces_per_ticket``; and ``resolved_tickets``, tickets resolved before the
        horizon over the whole run, warm-up included (for :meth:`SimulationResult.costs`).
    """
    scored = tickets[~tickets["warmup"]]
    per_rep = scored.groupby("replication")
    metrics = pd.DataFrame({
        "tickets_per_replication": per_rep.size(),
        "resolved_share": per_rep["resolved_at"].apply(lambda s: s.notna().mean()),
        "abandoned_share": per_rep["abandoned"].mean(),
        "mean_wait": per_rep["wait_time"].mean(),
        "median_wait": per_rep["wait_time"].median(),
        "p90_wait": per_rep["wait_time"].quantile(0.9),
        "mean_resolution_time": per_rep["resolution_time"].mean(),
        "median_resolution_time": per_rep["resolution_time"].median(),
        "p90_resolution_time": per_rep["resolution_time"].quantile(0.9),
        "escalations_per_ticket": per_rep["escalations"].mean(),
        "bounces_per_ticket": per_rep["bounces"].mean(),
    })
    resolved = tickets["resolved_at"].notna().groupby(tickets["replication"]).sum()
    metrics["resolved_tickets"] = resolved.reindex(metrics.index).astype(float)
    return metrics


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
    staff : DataFrame
        One row per agent per replication.
    timeline : DataFrame
        One row per replication and hour: state at the top of the hour, arrivals within it.
    events : DataFrame
        Workforce events (joins, leaves, reserve calls) per replication, in time order.
    scores : DataFrame
        Per replication x priority attainment (:meth:`attainment`), scored as each
        replication finished.
    metrics : DataFrame
        Per replication ticket figures (:func:`ticket_metrics`), computed as each
        replication finished.
    ticket_table : DataFrame or None
        The ticket table when it was kept in memory (``tickets="keep"``).
    ticket_files : tuple of Path
        One parquet file per replication when the tickets were spilled to a directory.
    fresh_scores : DataFrame or None
        As `scores` without the ``[initial]`` backlog's tickets; None without a backlog
        (then `scores` has none to leave out).
    auto_warmup : Warmup or None
        With ``warmup = "auto"``: the MSER-5 cut applied (its ``hours``, and ``settled``
        with a ``message`` when the series does not settle); `scenario` then holds the
        cut as its ``warmup``.
    precision : PrecisionReport or None
        With ``simulate(..., precision=...)``: per target, the half-width reached and the
        replications it took (:class:`supportsim.sequential.PrecisionReport`).
    abandonment_counts : DataFrame or None
        Per replication x channel x priority: tickets and abandoned tickets after the
        warm-up (:func:`supportsim.analysis.abandonment_counts`), counted as each
        replication finished; None in results built without it (then :meth:`abandonment`
        counts from the tickets).

    Notes
    -----
    :attr:`tickets` is the ticket table whichever way it was kept: in memory, read back
    from the spilled files, or an error if it was dropped. :meth:`sla`, :meth:`summary`
    and :meth:`attainment` never need it.
    """

    scenario: Scenario
    seed: int
    replications: int
    staff: pd.DataFrame = field(repr=False)
    timeline: pd.DataFrame = field(repr=False)
    events: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    metrics: pd.DataFrame = field(repr=False)
    ticket_table: pd.DataFrame | None = field(default=None, repr=False)
    ticket_files: tuple[Path, ...] = field(default=(), repr=False)
    fresh_scores: pd.DataFrame | None = field(default=None, repr=False)
    auto_warmup: Warmup | None = field(default=None, repr=False)
    precision: PrecisionReport | None = field(default=None, repr=False)
    abandonment_counts: pd.DataFrame | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        from supportsim.report._result import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        from supportsim.report._display import render_card
        from supportsim.report._result import result_card

        return render_card(result_card(self))

    def to_html(self, path: str | Path | None = None, *,
                vs: Mapping[str, SimulationResult] | None = None,
                command: str | None = None, window: Window | None = None) -> str:
        """A self-contained HTML report (:func:`supportsim.report.write_report`): the
        scenario in words, SLA against targets and goals, abandonment, costs, figures,
        reproduction; with `vs`, a paired comparison with each labelled variant; with
        `window`, scored over it (:meth:`sla`). Written to `path` if given; returns the HTML."""
        from supportsim.report import write_report

        return write_report(self, path, vs=vs, command=command, window=window)

    @property
    def tickets(self) -> pd.DataFrame:
        """One row per ticket per replication (columns in docs/results.md).

        Raises
        ------
        ValueError
            If the simulation dropped the tickets (``tickets="drop"``).
        """
        if self.ticket_table is not None:
            return self.ticket_table
        if self.ticket_files:
            return pd.concat([pd.read_parquet(path) for path in self.ticket_files],
                             ignore_index=True)
        raise ValueError(
            "this result has no ticket table: it was simulated with tickets='drop'; "
            "simulate with tickets='keep' or tickets=DIRECTORY (spilled to parquet) for "
            "ticket-level analysis (sla(), summary() and attainment() work without it)")

    def sla(self, confidence: float = 0.95, method: str = "t", *, initial: bool = True,
            window: Window | None = None) -> pd.DataFrame:
        """Response and resolution attainment per priority with intervals across replications.

        `method` is ``"t"`` (Student t) or ``"bootstrap"``. See
        :func:`supportsim.analysis.sla_table` for the columns and :mod:`supportsim.analysis`
        for the scoring rules (warm-up excluded). The ``[initial]`` backlog's tickets are
        scored, their clocks running from their opening; ``initial=False`` leaves them out.
        `window` ``(start, length or end)``, e.g. ``("2026-03-02", "30d")``, scores only
        the tickets that *arrived* in it, each on its whole outcome
        (:func:`supportsim.analysis.parse_window`; needs the ticket table).
        """
        return sla_table(self.attainment(initial=initial, window=window), self.scenario,
                         confidence=confidence, method=method)

    def attainment(self, *, initial: bool = True, window: Window | None = None
                   ) -> pd.DataFrame:
        """Per replication x priority attainment (:func:`supportsim.analysis.sla_attainment`);
        ``initial=False`` without the ``[initial]`` backlog's tickets; `window` as in
        :meth:`sla` (:func:`supportsim.analysis.window_attainment`)."""
        if window is not None:
            return window_attainment(self._tickets_for("a window"), self.scenario, window,
                                     initial=initial)
        if not initial and self.fresh_scores is not None:
            return self.fresh_scores.copy()
        return self.scores.copy()

    def verdicts(self, goal: GoalSpec = None, *, confidence: float = 0.95,
                 window: Window | None = None) -> pd.DataFrame:
        """Holds / fails / uncertain per priority and target against the attainment goals.

        A goal holds when the whole `confidence` interval of the attainment lies at or
        above it, fails when it lies below, and is uncertain otherwise
        (:func:`supportsim.analysis.verdicts` has the columns).

        Parameters
        ----------
        goal : float or mapping, optional
            None (default): the scenario's ``priorities.NAME.goal``; a share for every
            target; or ``{priority: share or {"response": share, ...}}``.
        confidence : float, default 0.95
        window : (start, length or end), optional
            Judge the tickets that arrived in this window (:meth:`sla`).
        """
        return verdicts(self.sla(confidence, window=window), self.scenario, goal)

    def abandonment(self, by: Sequence[str] = ("channel", "priority"), *,
                    confidence: float = 0.95, window: Window | None = None) -> pd.DataFrame:
        """Abandoned share by channel and/or priority, with intervals across replications.

        Tickets after the warm-up; with `window`, those that arrived in it (needs the
        ticket table). Columns in :func:`supportsim.analysis.abandonment_table`.
        """
        if window is None and self.abandonment_counts is not None:
            counts = self.abandonment_counts
        else:
            tickets = self._tickets_for("abandonment" if window is None else "a window")
            if window is not None:
                start, end = parse_window(window, self.scenario)
                arrived = tickets["arrived_at"].to_numpy(dtype=float)
                tickets = tickets[(arrived >= start) & (arrived < end)]
            counts = abandonment_counts(tickets)
        return abandonment_table(counts, by, confidence=confidence)

    def _tickets_for(self, what: str) -> pd.DataFrame:
        try:
            return self.tickets
        except ValueError as exc:
            raise ValueError(f"scoring {what} needs the ticket table: {exc}") from None

    def utilisation(self, *, groups: bool = False, sites: bool = False) -> pd.DataFrame:
        """Busy time over paid time, per replication and tier (and agent group).

        Parameters
        ----------
        groups : bool, default False
            One row per agent group of ``team.tiers.lN.groups`` too (``group`` empty for
            a tier without groups).
        sites : bool, default False
            One row per site agents work at too (``site``: the group's, else the first
            site; follow-the-sun desks).

        Returns
        -------
        DataFrame
            ``replication``, ``tier`` (and ``group`` with `groups`, ``site`` with
            `sites`), ``busy_time``,
            ``on_duty_time`` (rostered),
            ``overtime_time`` (after the end of duty, finishing the ticket in hand: all of
            it busy), ``utilisation`` = busy / (on duty + overtime), which cannot exceed 1,
            and ``overtime_share`` = overtime / (on duty + overtime). Agent-hours over the
            whole horizon, warm-up included.
        """
        keys = ["replication", "tier", *(["group"] if groups else []),
                *(["site"] if sites else [])]
        grouped = self.staff.groupby(keys, observed=True)
        sums = grouped[["busy_time", "on_duty_time", "overtime_time"]].sum()
        paid = sums["on_duty_time"] + sums["overtime_time"]
        sums["utilisation"] = sums["busy_time"] / paid
        sums["overtime_share"] = sums["overtime_time"] / paid
        return sums.reset_index()

    def costs(self) -> pd.DataFrame:
        """What each replication cost, by the scenario's ``[costs]``.

        People are paid for the whole horizon (warm-up included), penalties follow the
        SLA scoring (warm-up tickets are not scored); the rules are in
        :mod:`supportsim.analysis._costs` and docs/results.md. Works in every
        ``tickets=`` mode.

        Returns
        -------
        DataFrame
            One row per replication (:func:`supportsim.analysis.replication_costs`):
            ``replication``, ``staff_lN`` per tier, ``staff``, ``overtime``, ``reserve``,
            ``hiring``, ``penalties``, ``total``, ``per_resolved_ticket`` (money) and
            ``joiners``, ``missed_response``, ``missed_resolution``,
            ``resolved_tickets`` (counts).

        Raises
        ------
        ValueError
            The scenario has no ``[costs]`` section.
        """
        from supportsim.analysis import replication_costs

        replications = sorted(self.timeline["replication"].unique().tolist())
        resolved = self.metrics.get("resolved_tickets")
        return replication_costs(self.staff, self.scores, self.scenario, resolved=resolved,
                                 replications=replications)

    def cost_table(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean and interval across replications of each column of :meth:`costs`
        (:func:`supportsim.analysis.cost_table`: ``item``, ``value``, ``low``, ``high``,
        ``unit``, ``share`` of the total)."""
        from supportsim.analysis import cost_table

        return cost_table(self.costs(), self.scenario, confidence)

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Headline figures, one row per metric: mean across replications with an interval.

        Each metric is computed per replication (tickets after the warm-up) and averaged
        across replications; the interval is the t-interval of that mean on the scale of
        the quantity (:func:`supportsim.analysis.mean_interval`: logit for shares, cut at
        0 for times and counts), so it contains the value and stays in range.

        Returns
        -------
        DataFrame
            ``metric``, ``value``, ``low``, ``high``, ``unit`` and ``clock`` (``"wall"`` for
            the wait and resolution times, which are wall-clock hours whatever a
            priority's SLA clock; empty otherwise). Metrics are listed in docs/results.md.
        """
        out = []
        for metric, (series, unit) in self.per_replication().items():
            mean, low, high = mean_interval(series.to_numpy(dtype=float),
                                            scale="logit" if unit == "share" else "nonnegative",
                                            confidence=confidence)
            out.append({"metric": metric, "value": float(mean), "low": float(low),
                        "high": float(high), "unit": unit,
                        "clock": "wall" if unit == "h" else ""})
        return pd.DataFrame(out)

    def per_replication(self) -> dict[str, tuple[pd.Series, str]]:
        """The values behind :meth:`summary`: per metric, one value per replication
        (a Series indexed by replication) and its unit."""
        per_rep = self.metrics  # per replication, computed as each one finished
        metrics: dict[str, tuple[pd.Series, str]] = {
            "tickets_per_replication": (per_rep["tickets_per_replication"], "tickets"),
            "resolved_share": (per_rep["resolved_share"], "share"),
            "abandoned_share": (per_rep["abandoned_share"], "share"),
            "mean_wait": (per_rep["mean_wait"], "h"),
            "median_wait": (per_rep["median_wait"], "h"),
            "p90_wait": (per_rep["p90_wait"], "h"),
            "mean_resolution_time": (per_rep["mean_resolution_time"], "h"),
            "median_resolution_time": (per_rep["median_resolution_time"], "h"),
            "p90_resolution_time": (per_rep["p90_resolution_time"], "h"),
            "escalations_per_ticket": (per_rep["escalations_per_ticket"], "hand-offs"),
            "bounces_per_ticket": (per_rep["bounces_per_ticket"], "bounces"),
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
        weeks = self.scenario.horizon / 168.0
        for level, rows in util.groupby("tier", observed=True):
            rows = rows.set_index("replication")
            metrics[f"utilisation_l{level}"] = (rows["utilisation"], "share")
            metrics[f"overtime_l{level}"] = (rows["overtime_time"] / weeks, "agent-h/week")
        att = self.attainment()
        for kind in ("response", "resolution"):
            for name, rows in att.groupby("priority", observed=False, sort=False):
                metrics[f"{kind}_attainment_{name}"] = (
                    rows.set_index("replication")[f"{kind}_attainment"], "share")
        if self.scenario.costs is not None:  # without [costs] there are no costs, not zeros
            from supportsim.analysis._costs import summary_costs

            metrics.update(summary_costs(self.costs(), self.scenario))
        return metrics

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

    def utilisation_over_time(self, period: float = 24.0, *, groups: bool = False,
                              sites: bool = False) -> pd.DataFrame:
        """Busy over paid (on-duty plus overtime) agent-hours per replication x tier (or
        agent group, or site) x period (:func:`supportsim.analysis.utilisation_over_time`)."""
        from supportsim.analysis import utilisation_over_time

        return utilisation_over_time(self.timeline, self.scenario, period=period,
                                     groups=groups, sites=sites)
