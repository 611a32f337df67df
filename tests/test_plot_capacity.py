"""The capacity and comparison figures: titled, labelled, and drawing the right numbers."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import supportsim as ss
from supportsim import plot

ROOT = Path(__file__).resolve().parent.parent


VARIANTS: dict[str, dict[str, Any]] = {
    "": {},
    "swarming": {"team.structure": "swarming"},
    "workforce": {"workforce": {
        "attrition": {"annual_rate": 3.0, "hiring_lead": "1w"},
        "learning": {"learning": "1w", "improvement": "2w", "start": 1.8, "plateau": 1.3,
                     "initial_joiners": {"l1": 2}},
        "reserve": {"fraction": 0.2, "mode": "pool"},
    }},
}


@functools.cache
def simulated(name: str, variant: str = "") -> ss.SimulationResult:
    """A short run of a shipped scenario with the overrides of `variant`, shared by the
    tests."""
    scenario = ss.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    short = scenario.with_overrides({"horizon": "2w", "warmup": "2d", **VARIANTS[variant]})
    return ss.simulate(short, replications=2, seed=1)


def line(ax: Axes, prefix: str) -> Line2D:
    found = [ln for ln in ax.get_lines() if str(ln.get_label()).startswith(prefix)]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()]
    return found[0]


def legend_labels(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# --------------------------------------------------------------------------- capacity


@pytest.mark.parametrize("name", ["mmc", "golive_tiered"])
def test_capacity_is_titled_and_labelled(name: str) -> None:
    result = simulated(name)
    fig = plot.capacity(result)
    assert isinstance(fig, Figure)
    top = fig.axes[0]
    assert "Offered load and capacity" in top.get_title()
    assert top.get_xlabel() and "Erlangs" in top.get_ylabel()
    labels = legend_labels(top)
    assert "offered load (24 h mean)" in labels
    assert "effective FTE (24 h mean)" in labels
    assert any("warm-up" in label for label in labels)
    # One panel for a one-tier desk; a second, per tier, otherwise; no right-hand axes.
    panels = fig.axes
    assert len(panels) == (1 if name == "mmc" else 2)
    assert all(ax.get_ylabel() for ax in panels)
    if len(panels) == 2:
        assert "agents per tier" in panels[1].get_ylabel()
        assert panels[1].get_title() == "Capacity per tier: on duty and effective FTE"
        assert {"l1 effective FTE", "l2 on duty", "l3 effective FTE"} <= set(
            legend_labels(panels[1]))
    for ax in panels:  # every legend outside the data, to the right of its axes
        anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        assert anchor.x0 >= 1.0


def test_offered_load_integrates_to_the_effort_of_the_tickets() -> None:
    result = simulated("golive_tiered")
    tickets = result.tickets
    warmup = result.scenario.warmup
    hourly = line(plot.capacity(result, window=1, dates=False).axes[0], "offered load")
    hours = np.asarray(hourly.get_xdata(), dtype=float) * 24  # days since start -> hours
    load = np.asarray(hourly.get_ydata(), dtype=float)
    # Erlangs over one-hour steps: the area after the warm-up is the agent-hours of work
    # that arrived after it, per replication.
    scored = tickets.loc[~tickets["warmup"], "effort"].sum() / result.replications
    assert load[hours >= warmup - 1e-9].sum() == pytest.approx(scored, rel=1e-9)
    assert load.sum() == pytest.approx(tickets["effort"].sum() / result.replications, rel=1e-9)
    # The default 24 h rolling mean moves work between hours but hardly loses any: only
    # the half windows at both ends are averaged over fewer hours.
    smooth = line(plot.capacity(result, dates=False).axes[0], "offered load")
    assert np.asarray(smooth.get_ydata(), dtype=float).sum() == pytest.approx(load.sum(),
                                                                               rel=0.05)


def test_effective_fte_line_is_the_timeline_mean() -> None:
    result = simulated("mmc", "workforce")
    drawn = line(plot.capacity(result, window=1).axes[0], "effective FTE")
    expected = result.timeline.groupby("t")["effective_fte"].mean().to_numpy()
    np.testing.assert_allclose(np.asarray(drawn.get_ydata(), dtype=float), expected)
    # Joiners on the learning curve count less than a full agent.
    on_duty = result.timeline.groupby("t")["on_duty"].mean().to_numpy()
    assert np.all(expected <= on_duty + 1e-9)
    assert np.any(expected < on_duty - 0.5)


def test_capacity_shows_reserve_and_vacancies_in_their_own_panel() -> None:
    result = simulated("golive_tiered", "workforce")
    assert result.timeline["vacancies"].max() > 0
    fig = plot.capacity(result)
    assert len(fig.axes) == 3  # load vs capacity, per tier, vacancies and reserve
    top, _, bottom = fig.axes
    assert not any("reserve" in label or "vacanc" in label for label in legend_labels(top))
    assert bottom.get_title() == "Vacant seats and reserve agents on duty"
    labels = legend_labels(bottom)
    assert "l1 reserve on duty" in labels
    assert any(label.endswith(" vacancies") for label in labels)
    # The drawn reserve line is the timeline's per-tier mean (24 h rolling).
    drawn = line(bottom, "l1 reserve on duty")
    hourly = result.timeline.groupby("t")["reserve_on_duty_l1"].mean()
    expected = hourly.rolling(24, center=True, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(np.asarray(drawn.get_ydata(), dtype=float), expected)


def test_capacity_without_workforce_has_no_workforce_panel() -> None:
    fig = plot.capacity(simulated("mmc"))
    assert len(fig.axes) == 1
    assert not any("reserve" in label for label in legend_labels(fig.axes[0]))


# --------------------------------------------------------------------------- comparison


def test_comparison_is_titled_and_labelled() -> None:
    base = simulated("golive_tiered")
    swarm = simulated("golive_tiered", "swarming")
    fig = plot.comparison(base, swarm, labels=("tiered", "swarming"))
    assert isinstance(fig, Figure)
    suptitle = fig.get_suptitle()
    assert "swarming vs tiered" in suptitle and "paired on seed 1" in suptitle
    response, resolution, ecdf = fig.axes
    assert response.get_title() == "Response attainment"
    assert resolution.get_title() == "Resolution attainment"
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert "[h]" in ecdf.get_xlabel()
    assert ecdf.get_xscale() == "log"
    # Both variants for each of the four priorities: 4 x 2 curves.
    assert len([ln for ln in ecdf.get_lines() if ln.get_linestyle() in ("-", "--")]) == 8
    assert len(fig.legends) == 1
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:2] == ["tiered (solid)", "swarming (hatched / dashed)"]
    assert texts[2:] == ["P1", "P2", "P3", "P4"]


def test_comparison_annotates_paired_differences() -> None:
    result = simulated("golive_tiered")
    fig = plot.comparison(result, result)
    # A result against itself: every paired difference is exactly zero, none significant.
    for ax in fig.axes[:2]:
        notes = list(ax.texts)
        assert [t.get_text() for t in notes] == ["+0.0"] * 4
        assert all(t.get_fontweight() == "normal" for t in notes)


def test_comparison_refuses_different_priorities() -> None:
    other = simulated("mmc")
    with pytest.raises(ValueError, match="different priorities"):
        plot.comparison(simulated("golive_tiered"), other)
