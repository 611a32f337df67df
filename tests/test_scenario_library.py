"""The scenario library: every file in scenarios/ loads, passes the check and simulates.

Scenario files are documentation as much as input: each one must say where its numbers
come from (a comment block at the top), validate without a `ScenarioError`, and raise a
`CapacityWarning` only where its comments say the overload is intended. Each is then
simulated for one short replication, so that a schema or engine change that breaks a
shipped example fails here rather than in a user's hands. Sweep files must load with the
sweep loader, which also validates the first variant of every strategy.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.sweeps import load_sweep

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))

# A short run: two weeks (less if the file's horizon is shorter), warm-up two days.
SHORT = 2 * 168.0
SHORT_WARMUP = 48.0


def _comments(path: Path) -> str:
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if line.lstrip().startswith("#"))


def _overload_intended(path: Path) -> bool:
    """The file's comments say that an overload is intended (on one line)."""
    return re.search(r"overload[^\n]*intended|intended[^\n]*overload",
                     _comments(path), re.IGNORECASE) is not None


def test_library_is_not_empty() -> None:
    names = {p.name for p in SCENARIOS}
    assert {"rollout_tiered.toml", "rollout_swarming.toml", "growth_year.toml",
            "provider_transition.toml", "reserve_20pct.toml", "shift_left.toml"} <= names
    assert len(SWEEPS) >= 4


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_is_documented(path: Path) -> None:
    first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert first.startswith("#"), f"{path.name} must open with a comment on its numbers"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_loads_checks_and_simulates(path: Path) -> None:
    scenario = ss.load_scenario(path)
    overloads = ss.check(scenario).warnings
    if overloads:
        assert _overload_intended(path), (
            f"{path.name} is overloaded but its comments do not say it is intended: "
            f"{overloads}")

    if scenario.horizon > SHORT:
        scenario = scenario.with_overrides({"horizon": SHORT,
                                            "warmup": min(scenario.warmup, SHORT_WARMUP)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        result = ss.simulate(scenario, replications=1, seed=1)

    tickets = result.tickets
    assert len(tickets) > 0
    assert (tickets["arrived_at"] < scenario.horizon).all()
    # Per-replication shares: with one replication an interval (res.sla()) has no meaning.
    attainment = result.attainment()
    assert list(attainment["priority"]) == list(scenario.priority_names)
    shares = attainment[["response_attainment", "resolution_attainment"]].stack()
    assert shares.between(0, 1).all()


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_sweep_file_loads(path: Path) -> None:
    sweep_file = load_sweep(path)
    assert sweep_file.factors, f"{path.name} sweeps no factor"
    assert sweep_file.replications >= 1
    assert sweep_file.base.horizon > 0
