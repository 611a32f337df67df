"""Standard figures: titled, labelled, pyplot-free, and saved as PNG."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import supportsim as ss
from supportsim import plot
from tests.support import assert_ecdf_at_target_is_attainment, shipped_short

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def simulated(name: str) -> ss.SimulationResult:
    """A short run of a shipped scenario, shared by every test that plots it."""
    return shipped_short(name, "2w")


@pytest.fixture(params=["mmc", "golive_tiered"])
def result(request: pytest.FixtureRequest) -> ss.SimulationResult:
    return simulated(request.param)


FIGURES: list[Callable[[ss.SimulationResult], Figure]] = [
    plot.backlog, plot.wait_distribution, plot.sla_bars, plot.utilisation,
]


@pytest.mark.parametrize("draw", FIGURES, ids=lambda f: f.__name__)
def test_figure_is_titled_and_labelled(
    result: ss.SimulationResult, draw: Callable[[ss.SimulationResult], Figure]
) -> None:
    fig = draw(result)
    assert isinstance(fig, Figure)
    first = fig.axes[0]
    assert first.get_title()
    assert first.get_xlabel()
    assert first.get_ylabel()
    assert first.get_legend() is not None
    width, height = fig.get_size_inches()
    assert (width, height) == pytest.approx((8.0, 4.5))


def test_backlog_and_utilisation_in_days(result: ss.SimulationResult) -> None:
    for fig in (plot.backlog(result, dates=False), plot.utilisation(result, dates=False,
                                                                    window=1)):
        assert "days" in fig.axes[0].get_xlabel()


@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")  # a burst in a short run
def test_burst_is_shaded_in_the_legend() -> None:
    scenario = ss.load_scenario(ROOT / "scenarios" / "golive_tiered.toml").with_overrides(
        {"horizon": "2w", "warmup": "1d", "demand.bursts.ERP go-live.at": "1w"})
    fig = plot.backlog(ss.simulate(scenario, replications=1, seed=2))
    legend = fig.axes[0].get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert any("ERP go-live" in label for label in labels)
    assert any("warm-up" in label for label in labels)


def test_wait_panels_per_priority_with_business_note(result: ss.SimulationResult) -> None:
    fig = plot.wait_distribution(result, clock="wall")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == result.scenario.priority_names
    for ax, priority in zip(visible, result.scenario.priorities.values(), strict=True):
        legend = ax.get_legend()
        assert legend is not None
        labels = " ".join(t.get_text() for t in legend.get_texts())
        assert ("business" in labels) == (priority.clock == "business")


def test_ecdf_at_target_is_pooled_response_attainment(result: ss.SimulationResult) -> None:
    assert_ecdf_at_target_is_attainment(result, plot._sla_waits(result, "sla"), "wait",
                                        "response")


def test_save_figures_writes_pngs(tmp_path: Path) -> None:
    paths = plot.save_figures(simulated("golive_tiered"), tmp_path / "figures", dpi=60)
    assert [p.name for p in paths] == ["backlog.png", "wait_distribution.png", "sla.png",
                                       "utilisation.png", "weekly_attainment.png",
                                       "resolution_distribution.png", "capacity.png"]
    for path in paths:
        assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_save_figures_rejects_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="histogram"):
        plot.save_figures(simulated("mmc"), tmp_path, names=["histogram"])


def test_plot_module_never_imports_pyplot() -> None:
    # pyplot's global figure manager is what makes plotting unsafe in threads.
    tree = ast.parse(inspect.getsource(plot))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any("pyplot" in name for name in imported)


def test_rolling_utilisation_leaves_weekends_of_business_hours_tiers_as_gaps() -> None:
    # golive_tiered's L2 works business hours: over a weekend the only paid time is
    # Friday's overtime, all of it busy, so a ratio over it read 100 % (and 0 % on Monday
    # morning). Windows with under a quarter of a typical window's paid hours are gaps.
    # (An agent who works a long ticket through the weekend still shows, at 100 %: L3 in
    # this run's first weekend.)
    from supportsim.plot._timeline import _tier_utilisation

    result = simulated("golive_tiered")
    _, rolling = _tier_utilisation(result.timeline, "l2", 24)
    start = result.scenario.start  # a Monday, 00:00
    assert start.weekday() == 0 and start.hour == 0
    weekend = [24.0 * (7 * w + d) + h for w in range(2) for d, h in ((5, 12), (6, 0),
                                                                          (6, 12))]
    assert rolling.loc[weekend].isna().all()
    wednesdays_noon = [24.0 * (7 * w + 2) + 12 for w in range(2)]
    assert rolling.loc[wednesdays_noon].notna().all()
    assert (rolling.dropna() <= 1.0).all()
