"""Distributions (ECDF) of the wait for a first response and of the resolution time."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from supportsim.analysis import score_tickets
from supportsim.analysis._sla import business_elapsed, ticket_sites
from supportsim.plot._common import (
    _ECDF_POINTS,
    _MINUTES_UP_TO,
    HEIGHT,
    _figure,
    _grid,
    _replication_note,
)
from supportsim.plot._style import title as style_title
from supportsim.results import SimulationResult

__all__ = ["resolution_distribution", "wait_distribution"]

# --------------------------------------------------------------------------- data

_EVENTS = {"response": ("first_response_at", "wait"),
           "resolution": ("resolved_at", "resolution")}


def _sla_times(result: SimulationResult, kind: Literal["response", "resolution"],
               clock: Literal["sla", "wall"]) -> pd.DataFrame:
    """Tickets scored for `kind` with their time to the event in hours; inf where it missed
    without one.

    Abandoned tickets and tickets that missed their deadline without the event are kept
    at +inf, so the ECDF at the target equals the pooled attainment.
    """
    column, name = _EVENTS[kind]
    tickets = result.tickets
    outcome = score_tickets(tickets, result.scenario)
    scored = tickets.loc[outcome.index[outcome[f"{kind}_scored"].to_numpy()]]
    arrived = scored["arrived_at"].to_numpy()
    done = scored[column].to_numpy()
    taken = done - arrived
    if clock == "sla":
        business = scored["priority"].map(
            {name: p.clock == "business" for name, p in result.scenario.priorities.items()}
        ).to_numpy(dtype=bool)
        if business.any():
            taken = taken.copy()
            site = ticket_sites(scored, result.scenario)
            taken[business] = business_elapsed(result.scenario,
                                               None if site is None else site[business],
                                               arrived[business], done[business])
    missed = np.isnan(done) | scored["abandoned"].to_numpy()
    taken = np.where(missed, np.inf, taken)
    return pd.DataFrame({"priority": scored["priority"].to_numpy(), name: taken})


def _sla_waits(result: SimulationResult, clock: Literal["sla", "wall"]) -> pd.DataFrame:
    """Scored tickets (response) with their wait in hours; inf where no response counts."""
    return _sla_times(result, "response", clock)


# --------------------------------------------------------------------------- panels


def _ecdf_panel(ax: Axes, values: np.ndarray, name: str, target: float, business: bool,
                clock: Literal["sla", "wall"], quantity: str = "wait") -> None:
    scale, unit = (60.0, "min") if target <= _MINUTES_UP_TO else (1.0, "h")
    on_business = business and clock == "sla"
    target_text = (f"target {target * scale:g} business {unit}" if business
                   else f"target {target * scale:g} {unit} (24x7)")
    ax.set_title(f"{name}")
    ax.set_xlabel(f"{quantity} [{'business ' if on_business else ''}{unit}]")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1.02)
    if values.size == 0:
        ax.text(0.5, 0.5, "no scored tickets", ha="center", va="center", transform=ax.transAxes)
        ax.axvline(target * scale, color="C3", ls="--", label=target_text)
        ax.legend(loc="lower right", fontsize="small")
        return
    ordered = np.sort(values) * scale
    finite = ordered[np.isfinite(ordered)]
    right = max(2.0 * target * scale, float(np.quantile(finite, 0.95)) if finite.size else 0.0)
    # NOTE: the ECDF is evaluated on a fixed grid (exact at each grid point) so that a
    # million tickets cost no more to draw than a thousand.
    xs = np.linspace(0.0, right * 1.05, _ECDF_POINTS)
    ys = np.searchsorted(ordered, xs, side="right") / ordered.size
    ax.step(xs, ys, where="post", color="C0", label=f"simulated ({values.size:,} tickets)")
    met = float(np.mean(values <= target))
    ax.axvline(target * scale, color="C3", ls="--", lw=1.0, label=target_text)
    ax.plot([0, target * scale], [met, met], color="C3", ls=":", lw=1.0)
    ax.annotate(f"{met:.0%} in target", (target * scale, met), xytext=(4, -12),
                textcoords="offset points", fontsize="small", color="C3")
    ax.set_xlim(0, right * 1.05)
    ax.legend(loc="lower right", fontsize="small")


def _distribution(result: SimulationResult, kind: Literal["response", "resolution"],
                  clock: Literal["sla", "wall"]) -> Figure:
    if clock not in ("sla", "wall"):
        raise ValueError(f"clock must be 'sla' or 'wall', got {clock!r}")
    priorities = result.scenario.priorities
    rows, cols = _grid(len(priorities))
    fig = _figure(HEIGHT if rows <= 2 else 2.4 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    quantity = _EVENTS[kind][1]
    frame = _sla_times(result, kind, clock)
    groups = frame.groupby("priority", observed=False)[quantity]
    for ax, (name, priority) in zip(axes, priorities.items(), strict=False):
        values = groups.get_group(name).to_numpy() if name in groups.groups else np.empty(0)
        _ecdf_panel(ax, values, name, getattr(priority, kind), priority.clock == "business",
                    clock, "wait" if kind == "response" else "resolution time")
    verb = "answered" if kind == "response" else "resolved"
    for ax in axes[: len(priorities) : cols]:  # first column
        ax.set_ylabel(f"share of tickets {verb}")
    for ax in axes[len(priorities):]:
        ax.set_visible(False)
    what = "on each priority's SLA clock" if clock == "sla" else "wall-clock"
    title = "Wait for first response" if kind == "response" else "Resolution time"
    style_title(fig, f"{title} ({what}) — {result.scenario.name}",
                f"after warm-up, pooled over {_replication_note(result)}")
    return fig


# --------------------------------------------------------------------------- figures


def wait_distribution(result: SimulationResult, *,
                      clock: Literal["sla", "wall"] = "sla") -> Figure:
    """Distribution (ECDF) of the wait for a first response, one panel per priority.

    Parameters
    ----------
    result : SimulationResult
    clock : {"sla", "wall"}, default "sla"
        ``"sla"`` measures each priority's wait on its own SLA clock (business hours for
        ``clock = "business"`` priorities), so where the curve crosses the target line is
        the pooled response attainment. ``"wall"`` plots the ``wait_time`` column (wall
        hours) against the same targets, which for business-clock priorities are then
        business hours (the legend says so).

    Returns
    -------
    Figure
        Tickets after the warm-up that are scored for response, pooled over replications.
        Abandoned tickets and tickets never answered in time count as infinite waits, so
        a curve may stay below 100 %. Each panel uses minutes when the target is at most
        two hours, hours otherwise.
    """
    return _distribution(result, "response", clock)


def resolution_distribution(result: SimulationResult, *,
                            clock: Literal["sla", "wall"] = "sla") -> Figure:
    """Distribution (ECDF) of the resolution time, one panel per priority.

    Parameters
    ----------
    result : SimulationResult
    clock : {"sla", "wall"}, default "sla"
        ``"sla"`` measures each priority's resolution time on its own SLA clock, so where
        the curve crosses the target line is the pooled resolution attainment; ``"wall"``
        plots wall hours against the same targets.

    Returns
    -------
    Figure
        Tickets after the warm-up that are scored for resolution, pooled over
        replications, with each priority's resolution target as a dashed line. Abandoned
        tickets and tickets still open past their deadline count as infinitely long.
        Panels use minutes when the target is at most two hours, hours otherwise.
    """
    return _distribution(result, "resolution", clock)
