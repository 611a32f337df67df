"""Shared builders for tests: small scenarios as dicts, and a statistical assertion."""

from __future__ import annotations

import copy
import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import supportsim as ss
from supportsim.analysis import score_tickets

# Z of 4 standard errors: a correct model fails one such check in ~16,000 runs, while
# every check also bounds the standard error so that it has the power to see a real error.
Z = 4.0


def mmc_dict(rate: float = 20.0, mean: float = 0.25, staff: int = 7, horizon: str = "8w",
             warmup: str = "1w") -> dict[str, Any]:
    """A one-tier M/M/c desk: flat Poisson arrivals, exponential effort, 24x7, fifo."""
    return {
        "name": "mmc", "horizon": horizon, "warmup": warmup, "replications": 4, "seed": 11,
        "demand": {"rate": rate, "profile": "flat"},
        "priorities": {"P1": {"share": 1.0, "response": "5min", "resolution": "1h"}},
        "work": {"mix": {"l1": 1.0},
                 "effort": {"l1": {"dist": "exponential", "mean": mean}}},
        "team": {"discipline": "fifo", "tiers": {"l1": {"staff": staff, "hours": "24x7"}}},
    }


def two_tier_dict(l2_staff: int = 5) -> dict[str, Any]:
    """A two-tier Jackson network: L1 at lambda 10/h on 4 agents, triage and effort both
    exp(15 min); 30 % need L2, `l2_staff` agents with exp(1 h) effort; 24x7, fifo."""
    data = mmc_dict(rate=10.0, mean=0.25, staff=4, horizon="12w")
    data["work"] = {
        "mix": {"l1": 0.7, "l2": 0.3},
        "effort": {"l1": {"dist": "exponential", "mean": 0.25},
                   "l2": {"dist": "exponential", "mean": 1.0}},
        "triage": {"l1": {"dist": "exponential", "mean": 0.25}},
    }
    data["team"]["tiers"]["l2"] = {"staff": l2_staff, "hours": "24x7"}
    return data


def build(data: dict[str, Any], overrides: dict[str, Any] | None = None) -> ss.Scenario:
    """A Scenario from `data` with dotted overrides applied to a copy."""
    scenario = ss.Scenario.from_dict(copy.deepcopy(data))
    return scenario.with_overrides(overrides) if overrides else scenario


def assert_statistically_equal(samples: Any, reference: float, max_se: float) -> None:
    """Replication values agree with `reference` within Z standard errors.

    `max_se` guards the power of the check: a test whose standard error is larger than
    intended would pass almost anything, so it fails instead.
    """
    values = np.asarray(samples, dtype=float)
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(len(values)))
    assert se <= max_se, f"standard error {se:.3g} exceeds {max_se:.3g}: test has too little power"
    assert abs(mean - reference) <= Z * se, (
        f"mean {mean:.6g} differs from reference {reference:.6g} by "
        f"{abs(mean - reference) / se:.1f} standard errors (se {se:.3g})"
    )


def per_replication(tickets: Any, column: str, func: str = "mean") -> np.ndarray:
    """A per-replication statistic of a tickets column (warm-up excluded)."""
    kept = tickets[~tickets["warmup"]]
    return kept.groupby("replication")[column].agg(func).to_numpy()


ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def shipped_short(name: str, horizon: str = "2w") -> ss.SimulationResult:
    """A short, cached run (2 replications, seed 1) of a shipped scenario, for plot tests."""
    scenario = ss.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    return ss.simulate(scenario.with_overrides({"horizon": horizon, "warmup": "2d"}),
                       replications=2, seed=1)


def assert_one_line_error(err: list[str], fragments: list[str]) -> None:
    """The CLI's bad-input contract: one stderr line, prefixed, naming every fragment."""
    assert len(err) == 1, err
    assert err[0].startswith("supportsim: error: ")
    for text in fragments:
        assert text in err[0]


def assert_ecdf_at_target_is_attainment(result: ss.SimulationResult, times: Any,
                                        column: str, kind: str) -> None:
    """Per priority, the share of `times[column]` within the `kind` target ("response" or
    "resolution") equals the scored attainment: what a plotted ECDF reads at the target."""
    outcome = score_tickets(result.tickets, result.scenario)
    scored = outcome[outcome[f"{kind}_scored"]]
    priority = result.tickets.loc[scored.index, "priority"].to_numpy()
    for name, spec in result.scenario.priorities.items():
        mine = times.loc[times["priority"] == name, column].to_numpy()
        expected = scored[f"{kind}_met"].to_numpy()[priority == name]
        assert len(mine) == len(expected)
        if len(mine):
            assert np.mean(mine <= getattr(spec, kind)) == pytest.approx(np.mean(expected))


def assert_on_fluid_line(timeline: Any, n: int, c: int, mu: float, lam: float,
                         reps: int, times: tuple[float, ...] = (2.0, 5.0, 10.0)) -> None:
    """A desk started with `n` tickets waiting drains along the fluid line: while all `c`
    agents are busy, departures are Poisson(c mu t) and arrivals Poisson(lambda t), so
    E[open(t)] = n - (c mu - lambda) t with variance (lambda + c mu) t; the mean over
    `reps` replications lies within Z standard errors of it at each of `times`."""
    for t in times:
        values = timeline.loc[timeline["t"] == t, "backlog"].to_numpy(dtype=float)
        fluid = n - (c * mu - lam) * t
        se = math.sqrt((lam + c * mu) * t / reps)
        assert abs(values.mean() - fluid) < Z * se, (t, values.mean(), fluid)
