"""Figures of the analysis layer: weekly attainment, resolution ECDF, breaking points."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import supportsim as ss
from supportsim import plot
from tests.support import assert_ecdf_at_target_is_attainment, build, mmc_dict, shipped_short

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def simulated(name: str) -> ss.SimulationResult:
    return shipped_short(name, "3w")


@functools.cache
def breakpoints() -> ss.BreakingPoints:
    data = mmc_dict(rate=14.0, mean=0.5, staff=10, horizon="4d", warmup="12h")
    data["priorities"]["P1"]["response"] = "10min"
    return ss.find_breaking_point(
        build(data), "demand.rate", 0.9, values=[10.0, 14.0, 18.0], replications=3, seed=2,
        refine=2, strategies={"ten": {}, "twelve": {"team.tiers.l1.staff": 12}})


@pytest.fixture(params=["mmc", "golive_tiered"])
def result(request: pytest.FixtureRequest) -> ss.SimulationResult:
    return simulated(request.param)


def assert_readable(fig: Figure, size: tuple[float, float] | None = None) -> None:
    assert isinstance(fig, Figure)
    first = fig.axes[0]
    assert first.get_title() or fig.get_suptitle()
    assert first.get_xlabel() and first.get_ylabel()
    assert any(ax.get_legend() is not None for ax in fig.axes)
    if size is not None:
        assert tuple(fig.get_size_inches()) == pytest.approx(size)


def test_weekly_attainment_has_a_line_per_priority(result: ss.SimulationResult) -> None:
    fig = plot.weekly_attainment(result, goal=0.8)
    assert_readable(fig)
    top, bottom = fig.axes[:2]
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    for name in result.scenario.priority_names:
        assert name in labels
    assert any(label.startswith("goal 80% (P1") for label in labels)
    assert "date" in bottom.get_xlabel()
    assert "response" in top.get_ylabel() and "resolution" in bottom.get_ylabel()


def test_weekly_attainment_without_goal_or_dates(result: ss.SimulationResult) -> None:
    fig = plot.weekly_attainment(result, goal=False, dates=False)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert not any(label.startswith("goal") for label in labels)
    assert "days" in fig.axes[1].get_xlabel()


def test_resolution_ecdf_at_target_is_pooled_resolution_attainment(
        result: ss.SimulationResult) -> None:
    fig = plot.resolution_distribution(result)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == result.scenario.priority_names
    assert "Resolution time" in fig.get_suptitle()
    assert all("resolution time" in ax.get_xlabel() for ax in visible)
    times = plot._distributions._sla_times(result, "resolution", "sla")
    assert_ecdf_at_target_is_attainment(result, times, "resolution", "resolution")


def test_breaking_points_figure_marks_each_crossing() -> None:
    bp = breakpoints()
    fig = plot.breaking_points(bp)
    assert_readable(fig, (8.0, 4.5))
    ax = fig.axes[0]
    assert "demand.rate" in ax.get_xlabel() and "tickets/h" in ax.get_xlabel()
    labels = " | ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "goal 90%" in labels
    for row in bp.table.itertuples():
        assert row.strategy in labels
        if row.status == "crossed":
            assert f"{row.strategy}: breaks at" in labels
    if bp.table["erlang_c_estimate"].notna().any():
        assert "Erlang C estimate" in labels


def test_save_figures_includes_the_new_standard_figures(tmp_path: Path) -> None:
    paths = plot.save_figures(simulated("golive_tiered"), tmp_path, dpi=50,
                              names=["weekly_attainment", "resolution_distribution"])
    assert [p.name for p in paths] == ["weekly_attainment.png", "resolution_distribution.png"]
    for path in paths:
        assert path.read_bytes()[:8] == PNG_SIGNATURE
    everything = plot.save_figures(simulated("mmc"), tmp_path / "all", dpi=30)
    assert {"weekly_attainment.png", "resolution_distribution.png"} <= {
        p.name for p in everything}
