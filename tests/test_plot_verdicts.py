"""Figures that answer a question (issue 17): goals on SLA figures, bars coloured by
verdict, sweep heat maps and lines. Structure, not pixels."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import supportsim as ss
from supportsim import plot
from supportsim.cli import main
from supportsim.plot._style import NEUTRAL_COLOUR, VERDICT_COLOURS
from tests.support import build, mmc_dict

ROOT = Path(__file__).resolve().parent.parent
GOLIVE = ROOT / "scenarios" / "golive_tiered.toml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@functools.cache
def golive() -> ss.SimulationResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        scenario = ss.load_scenario(GOLIVE).with_overrides({"horizon": "3w", "warmup": "2d"})
    return ss.simulate(scenario, replications=3, seed=1)


@functools.cache
def staffing_sweep() -> ss.SweepResult:
    base = build(mmc_dict(horizon="1w", warmup="1d")).with_overrides(
        {"priorities.P1.goal": {"response": 0.9}})
    return ss.sweep(base, {"demand.rate": [16.0, 20.0], "team.tiers.l1.staff": [6, 8]},
                    replications=2, seed=4, executor=1, progress=False)


def goal_segments(ax: object) -> list[tuple[float, float, float]]:
    """(x0, x1, y) of each dashed goal segment drawn by sla_bars."""
    out = []
    for collection in ax.collections:  # type: ignore[attr-defined]
        if isinstance(collection, LineCollection) and collection.get_gid() == "goal":
            for (x0, y0), (x1, _) in collection.get_segments():
                out.append((float(x0), float(x1), float(y0)))
    return out


def test_sla_bars_mark_each_goal_and_colour_by_verdict() -> None:
    res = golive()
    fig = plot.sla_bars(res)
    ax = fig.axes[0]
    assert ax.get_title().startswith("SLA attainment against goals")
    assert "[%]" in ax.get_ylabel() and ax.get_xlabel()
    judged = res.verdicts()
    # One goal segment per goal (8 in the go-live scenario), at the goal, over its bar.
    segments = goal_segments(ax)
    assert sorted(y for *_, y in segments) == sorted(judged["goal"] * 100)
    bars = [p for p in ax.patches if p.get_width() > 0 and p.get_height() >= 0][:8]
    response, resolution = bars[:4], bars[4:]
    for kind, group in (("response", response), ("resolution", resolution)):
        rows = judged[judged["target"] == kind]
        expected = [VERDICT_COLOURS[v] for v in rows["verdict"]]
        assert [to_hex(b.get_facecolor()) for b in group] == expected
        for bar, goal in zip(group, rows["goal"], strict=True):
            left, right = bar.get_x(), bar.get_x() + bar.get_width()
            assert any(abs(x0 - left) < 1e-9 and abs(x1 - right) < 1e-9 and
                       abs(y - goal * 100) < 1e-9 for x0, x1, y in segments)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "goal" in labels and "resolution" in labels
    anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 >= 1.0  # outside the data


def test_sla_bars_without_goals_are_neutral() -> None:
    res = ss.simulate(build(mmc_dict(horizon="3d", warmup="1d")), replications=2, seed=1)
    ax = plot.sla_bars(res).axes[0]
    assert goal_segments(ax) == []
    assert {to_hex(p.get_facecolor()) for p in ax.patches[:2]} == {NEUTRAL_COLOUR}
    # A goal given to the call is drawn and judged.
    ax = plot.sla_bars(res, goal=0.5).axes[0]
    assert [y for *_, y in goal_segments(ax)] == [50.0, 50.0]


def test_weekly_attainment_draws_the_scenario_goals() -> None:
    res = golive()
    fig = plot.weekly_attainment(res)
    response, resolution = fig.axes[:2]

    def goals(ax: object) -> dict[float, str]:
        return {float(line.get_ydata()[0]): str(line.get_label())
                for line in ax.get_lines() if line.get_gid() == "goal"}  # type: ignore[attr-defined]

    # golive_tiered.toml: P1 response 95 %, every other target 90 %.
    assert goals(response) == {0.95: "goal 95% (P1)", 0.9: "goal 90% (P2, P3, P4)"}
    assert goals(resolution) == {0.9: "goal 90% (P1, P2, P3, P4)"}
    # No goal stated, none drawn (the hard-coded 90 % line is gone).
    plain = ss.simulate(build(mmc_dict(horizon="2w", warmup="1d")), replications=2, seed=1)
    assert not any(line.get_gid() == "goal"
                   for ax in plot.weekly_attainment(plain).axes for line in ax.get_lines())


def test_sweep_heatmap_cells_are_the_summary_means() -> None:
    sweep = staffing_sweep()
    fig = plot.sweep_heatmap(sweep, priority="P1")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "demand.rate" and ax.get_ylabel() == "team.tiers.l1.staff"
    assert "Response attainment (P1)" in fig.get_suptitle()
    sla = sweep.sla()
    expected = {f"{v:.0%}" for v in sla["response_attainment"]}
    assert {t.get_text() for t in ax.texts} == expected
    below = [p for p in ax.patches if p.get_gid() == "below-goal"]
    assert len(below) == int((sla["response_attainment"] < 0.9).sum())  # the P1 goal
    with pytest.raises(ValueError, match="metric must be one of"):
        plot.sweep_heatmap(sweep, metric="nonsense")
    with pytest.raises(ValueError, match="factor must be one of"):
        plot.sweep_heatmap(sweep, "demand.rate", "team.size")


def test_sweep_lines_one_per_strategy_and_other_factor() -> None:
    sweep = staffing_sweep()
    fig = plot.sweep_lines(sweep, "demand.rate", priority="P1")
    ax = fig.axes[0]
    drawn = [line for line in ax.get_lines() if line.get_gid() != "goal"]
    assert len(drawn) == 2  # one strategy x staff 6 and 8
    goal = [line for line in ax.get_lines() if line.get_gid() == "goal"]
    assert len(goal) == 1 and goal[0].get_ydata()[0] == 0.9
    assert ax.get_xlabel() == "demand.rate" and "[%]" in ax.get_ylabel()
    table = sweep.sla()
    six = table[(table["priority"] == "P1") & (table["team.tiers.l1.staff"] == 6)]
    line = next(line for line in drawn if "staff=6" in str(line.get_label()))
    np.testing.assert_allclose(line.get_ydata(), six["response_attainment"])


def test_sweep_out_writes_the_figures(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'name = "grid"\nbase = "{ROOT / "scenarios" / "mmc.toml"}"\n'
                     'replications = 2\n[factors]\n"demand.rate" = [16.0, 20.0]\n'
                     '"team.tiers.l1.staff" = [7, 8]\n', encoding="utf-8")
    out = tmp_path / "out"
    code = main(["sweep", str(sweep), "-q", "-w", "1", "--set", 'horizon="3d"', "--set",
                 'warmup="1d"', "--set", "priorities.P1.goal={response=0.9}",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    for name in ("lines.png", "heatmap.png"):
        assert (out / name).read_bytes()[:8] == PNG_SIGNATURE
    assert (out / "verdicts.csv").read_text().startswith("variant,strategy,demand.rate")


@pytest.mark.parametrize("name", ["backlog", "sla", "utilisation", "weekly_attainment",
                                  "capacity"])
def test_standard_figures_share_the_house_look(name: str) -> None:
    from supportsim.plot import _STANDARD
    from supportsim.plot._style import FONT_SIZE

    fig = _STANDARD[name](golive())
    first = fig.axes[0]
    heading = first.title if first.get_title() else fig._suptitle
    assert heading is not None and heading.get_text()
    assert heading.get_fontsize() == pytest.approx(
        matplotlib_size(FONT_SIZE))  # the house title size
    for ax in fig.axes:
        assert ax.get_ylabel(), f"{name}: an axis without a label"
        legend = ax.get_legend()
        if legend is not None:  # outside the data, to the right
            anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
            assert anchor.x0 >= 1.0, name


def matplotlib_size(name: str) -> float:
    from matplotlib.font_manager import FontProperties

    return float(FontProperties(size=name).get_size_in_points())
