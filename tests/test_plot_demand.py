"""plot.demand: the expected demand by rollout wave, stacked, titled and labelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import supportsim as ss
from supportsim import plot

ROOT = Path(__file__).resolve().parent.parent


def test_demand_stacks_the_base_and_each_wave() -> None:
    sc = ss.load_scenario(ROOT / "scenarios" / "rollout_waves.toml")
    fig = plot.demand(sc)
    (ax,) = fig.axes
    assert "Expected demand by rollout wave" in ax.get_title()
    assert "per day" in ax.get_title()
    assert ax.get_ylabel() == "expected tickets per hour"
    assert ax.get_xlabel().startswith("date")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["base (with growth, bursts, storms)", "Germany", "Denmark", "China",
                      "UK", "Finland"]
    # The top of the stack is the curve's total (daily bins).
    curve = ss.demand_curve(sc, step=24.0)
    top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(curve["total"].max(), rel=1e-9)


def test_demand_takes_a_curve() -> None:
    sc = ss.load_scenario(ROOT / "scenarios" / "rollout_waves.toml")
    fig = plot.demand(ss.demand_curve(sc, step=6.0))
    (ax,) = fig.axes
    assert ax.get_xlabel() == "time since start [days]"
    assert "per 6 h" in ax.get_title()
    with pytest.raises(ValueError, match="lacks"):
        plot.demand(ss.demand_curve(sc).drop(columns="base"))
    assert np.isfinite(ax.get_ylim()).all()
