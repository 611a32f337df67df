"""The cost–SLA frontier (issue 13, section 2): ``ss.frontier`` and ``ss.plot.frontier``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import supportsim as ss
from supportsim.pareto import dominated
from tests.test_costs import rostered_desk, scenario_of

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


# --------------------------------------------------------------------------- hand-made points


def test_dominated_finds_the_known_non_dominated_set() -> None:
    # Hand-made (cost, attainment): the frontier is A, C, E, G, rising in both.
    points = {
        "A": (100.0, 0.80),
        "B": (120.0, 0.78),  # dearer and worse than A
        "C": (130.0, 0.90),
        "D": (150.0, 0.90),  # as good as C, dearer
        "E": (160.0, 0.95),
        "F": (160.0, 0.93),  # as dear as E, worse
        "G": (200.0, 0.99),
        "H": (210.0, 0.85),  # dominated by C, D, E, F, G (not A): C, the cheapest, is named
    }
    cost, attainment = (np.array(v) for v in zip(*points.values(), strict=True))
    beaten = dominated(cost, attainment)
    names = list(points)
    assert [n for n, b in zip(names, beaten, strict=True) if b < 0] == ["A", "C", "E", "G"]
    by = {n: names[b] for n, b in zip(names, beaten, strict=True) if b >= 0}
    assert by == {"B": "A", "D": "C", "F": "E", "H": "C"}


def test_equal_points_and_nan_do_not_dominate() -> None:
    beaten = dominated([1.0, 1.0, np.nan, 2.0], [0.5, 0.5, 0.9, np.nan])
    assert beaten.tolist() == [-1, -1, -1, -1]
    with pytest.raises(ValueError, match="1-d of one length"):
        dominated([1.0, 2.0], [0.5])


# --------------------------------------------------------------------------- on results


@pytest.fixture(scope="module")
def sweep() -> ss.SweepResult:
    sc = scenario_of(rostered_desk()).with_overrides({"demand.rate": 2.0})
    return ss.sweep(sc, factors={"team.tiers.l2.staff": [3, 5]},
                    strategies={"tiered": {}, "swarming": {"team.structure": "swarming"}},
                    replications=3, executor=1, progress=False, seed=4)


def test_frontier_of_a_sweep_has_intervals_on_both_axes(sweep: ss.SweepResult) -> None:
    table = ss.frontier(sweep)
    assert list(table.columns[:3]) == ["variant", "strategy", "team.tiers.l2.staff"]
    assert len(table) == 4 and table["cost"].is_monotonic_increasing
    for axis in ("cost", "attainment"):
        assert (table[f"{axis}_low"] <= table[axis]).all()
        assert (table[axis] <= table[f"{axis}_high"]).all()
        assert (table[f"{axis}_high"] > table[f"{axis}_low"]).all()
    # The same numbers as the sweep's own summary (pooled attainment, total cost).
    summary = sweep.summary().set_index("variant")
    for row in table.itertuples():
        assert row.cost == pytest.approx(summary.loc[row.variant, "cost_total"])
        assert row.attainment == pytest.approx(summary.loc[row.variant,
                                                           "resolution_attainment"])
    # Dominance is consistent with the means, and at least one variant is beaten here.
    assert table["dominated"].any() and not table["dominated"].all()
    for row in table[table["dominated"]].itertuples():
        by = table.set_index("variant").loc[row.dominated_by]
        assert by["cost"] <= row.cost and by["attainment"] >= row.attainment
    assert table.attrs["currency"] == "EUR" and table.attrs["metric"] == "resolution"


def test_frontier_per_priority_equals_the_sla_table(sweep: ss.SweepResult) -> None:
    table = ss.frontier(sweep, metric="response", priority="P1", cost="staff")
    sla = sweep.sla().set_index(["variant", "priority"])
    for row in table.itertuples():
        expected = sla.loc[(row.variant, "P1")]
        assert row.attainment == pytest.approx(expected["response_attainment"])
        assert row.attainment_low == pytest.approx(expected["response_attainment_low"])


def test_frontier_of_results_matches_their_own_tables() -> None:
    sc = scenario_of(rostered_desk()).with_overrides({"demand.rate": 2.0})
    results = {"lean": ss.simulate(sc, seed=1, replications=3, tickets="drop"),
               "more L2": ss.simulate(sc.with_overrides({"team.tiers.l2.staff": 5}), seed=1,
                                      replications=3, tickets="drop")}
    table = ss.frontier(results, priority="P2").set_index("variant")
    for label, res in results.items():
        costs = res.cost_table().set_index("item")
        sla = res.sla().set_index("priority")
        assert table.loc[label, "cost"] == pytest.approx(costs.loc["total", "value"])
        assert table.loc[label, "cost_low"] == pytest.approx(costs.loc["total", "low"])
        assert table.loc[label, "attainment"] == pytest.approx(
            sla.loc["P2", "resolution_attainment"])
        assert table.loc[label, "attainment_high"] == pytest.approx(
            sla.loc["P2", "resolution_attainment_high"])
    assert table.loc["lean", "strategy"] == "lean"


def test_frontier_errors() -> None:
    sc = scenario_of(rostered_desk())
    res = ss.simulate(sc, seed=1, replications=2, tickets="drop")
    with pytest.raises(ValueError, match="metric must be 'response' or 'resolution'"):
        ss.frontier([res], metric="both")
    with pytest.raises(ValueError, match="priority must be one of"):
        ss.frontier([res], priority="P7")
    with pytest.raises(ValueError, match="cost must be a column"):
        ss.frontier([res], cost="salary")
    with pytest.raises(ValueError, match="cost must be a column"):
        ss.frontier([res], cost="staff_l4")
    with pytest.raises(ValueError, match="distinct scenario names"):
        ss.frontier([res, res])
    data = rostered_desk()
    del data["costs"]
    bare = ss.simulate(scenario_of(data), seed=1, replications=2, tickets="drop")
    with pytest.raises(ValueError, match=r"no \[costs\] section"):
        ss.frontier({"a": res, "b": bare})
    dollars = ss.simulate(sc.with_overrides({"costs.currency": "USD"}), seed=1,
                          replications=2, tickets="drop")
    with pytest.raises(ValueError, match="different currencies"):
        ss.frontier({"a": res, "b": dollars})


# --------------------------------------------------------------------------- plot


def test_plot_frontier_draws_strategies_with_dominated_faint(sweep: ss.SweepResult) -> None:
    table = ss.frontier(sweep)
    fig = ss.plot.frontier(table, target=0.9)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "cost per replication [EUR]" in ax.get_xlabel()
    assert "attainment (all priorities)" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"tiered", "swarming", "frontier (not dominated)"} <= set(labels)
    # Dominated variants are drawn faint, the frontier's in full.
    alphas = {line.get_alpha() for line in ax.lines if line.get_xdata() is not None
              and len(line.get_xdata())}
    assert 0.25 in alphas
    # The same figure straight from the sweep.
    again = ss.plot.frontier(sweep)
    assert again.axes[0].get_title() == ax.get_title()
    with pytest.raises(ValueError, match=r"table of supportsim\.frontier"):
        ss.plot.frontier(pd.DataFrame({"variant": ["a"]}))


def test_clearly_dominated_needs_common_random_numbers() -> None:
    # The same desk at dearer rates: the same simulation (costs change no draw), so the
    # attainment is identical replication by replication and the cost higher in each: on
    # common random numbers it is clearly dominated; on another seed the pairing means
    # nothing, so it is dominated on the means only.
    sc = scenario_of(rostered_desk())
    dear = sc.with_overrides({"costs.tiers.l1.hourly": 45.0})
    cheap = ss.simulate(sc, seed=1, replications=3, tickets="drop")
    table = ss.frontier({"cheap": cheap,
                         "dear": ss.simulate(dear, seed=1, replications=3, tickets="drop")})
    row = table.set_index("variant").loc["dear"]
    assert row["dominated"] and row["dominated_by"] == "cheap" and row["clearly_dominated"]
    assert not table.set_index("variant").loc["cheap", "clearly_dominated"]
    other = ss.frontier({"cheap": cheap,
                         "dear": ss.simulate(dear, seed=2, replications=3, tickets="drop")})
    assert not other["clearly_dominated"].any()
