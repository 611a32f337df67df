"""Fuzzing the shipped scenarios: a mutated file is a clean error or a run that completes.

Issue 18, defect 10: of 3,252 mutated scenarios 58 crashed with a traceback and 14 ran
for ever. Here hypothesis mutates the files in scenarios/ the same ways (deleted keys,
wrong types, extreme numbers: 0, negative, 1e-300, 1e308, inf, nan; empty tables and
lists) and requires, for each mutant, either a one-line ``ScenarioError`` or that what
``supportsim check`` computes (offered load, expected tickets) and a short simulation
complete without an exception, a numpy warning or a hang.

The simulation is cut to three days and one replication so that an example takes well
under a second; a mutant whose three days would hold more tickets than a unit test should
simulate is only checked, not run (the ticket guard, defect 11, is about those). Each
example runs under a SIGALRM timer, so a hang fails the test instead of stalling it.
"""

from __future__ import annotations

import copy
import math
import signal
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim.capacity import tier_loads
from supportsim.demand import expected_arrivals
from supportsim.scenario._validation import _model_at

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "scenarios").glob("*.toml"))
BASES = {path.name: tomllib.loads(path.read_text(encoding="utf-8")) for path in FILES}

SHORT = 72.0  # hours simulated per example
MAX_TICKETS = 20_000  # in the short run; beyond that the mutant is checked but not run
TIME_LIMIT = 20  # seconds per example; no example comes near it unless something hangs

pytestmark = [
    pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning"),
    # An overflow or a division by zero that numpy only warns about is a silent wrong
    # answer (huge profile weights gave zero tickets that way): fail on it.
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM for the timer"),
]

# Extremes, and values at or near the documented bounds (1 s, 1 min, 520 weeks, cv 0.001
# and 100, x1000, 10,000 agents, 100,000 tickets/h), which must be accepted and run.
NUMBERS = [0, 0.0, -1, -1.0, -0.5, 0.5, 1, 1.0, 2, 7, 1e-300, 5e-324, -1e-300, 1e308,
           -1e308, math.inf, -math.inf, math.nan, 10**12, 2**63 - 1, -(2**63), 1e6, 1e-6,
           1 / 3600, 1 / 60, 0.001, 0.999999, 10, 100, 1000, 10_000, 100_000, 87360.0]
WRONG_TYPES = ["12", "7", "0.5", "", "x", "1s", "520w", True, False, [1.0], [], {}, {"a": 1}]


def paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and list item below `node`, as a path of keys and indices."""
    items = (node.items() if isinstance(node, dict) else
             enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        yield (*path, key)
        yield from paths(value, (*path, key))


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[str]]:
    """A shipped scenario with one to three mutations, and a description of each."""
    name = draw(st.sampled_from(sorted(BASES)), label="file")
    data = copy.deepcopy(BASES[name])
    done = []
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        every = list(paths(data))
        if not every:
            break
        numeric = [p for p in every if is_number(_get(data, p))]
        # Mostly numbers, where the crashes were; sometimes any key or table.
        pool = numeric if numeric and draw(st.integers(0, 3)) else every
        path = draw(st.sampled_from(pool))
        parent = _get(data, path[:-1])
        kind = draw(st.sampled_from(["number", "number", "number", "type", "empty", "delete"]))
        if kind == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
            done.append(f"del {_dotted(path)}")
            continue
        value = (draw(st.sampled_from(NUMBERS)) if kind == "number" else
                 draw(st.sampled_from(WRONG_TYPES)) if kind == "type" else
                 draw(st.sampled_from([{}, []])))
        parent[path[-1]] = copy.deepcopy(value)
        done.append(f"{_dotted(path)} = {value!r}")
    return name, data, done


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


class Hung(Exception):
    """The per-example timer went off."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hung


def outcome(name: str, data: dict[str, Any]) -> str:
    """"error", "checked" (too big to simulate here) or "ran"; anything else raises."""
    try:
        scenario = ss.Scenario.from_dict(data, source=name)
    except ss.ScenarioError as exc:
        assert "\n" not in str(exc)
        assert str(exc).endswith(f" ({name})"), str(exc)
        return "error"
    # What `supportsim check` shows.
    tier_loads(scenario)
    expected_arrivals(scenario, scenario.warmup)
    short = min(scenario.horizon, SHORT)
    # A shortened copy of a valid scenario is valid: no rule ties a value to a longer horizon.
    run = scenario.with_overrides({"horizon": short, "warmup": min(scenario.warmup, short / 2)})
    if expected_arrivals(run) > MAX_TICKETS:
        return "checked"
    result = ss.simulate(run, replications=1, seed=1)
    assert len(result.tickets) == 0 or result.tickets["arrived_at"].between(0, short).all()
    return "ran"


@settings(max_examples=800, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutants())
def test_mutated_scenario_is_an_error_or_a_run_that_completes(
        mutant: tuple[str, dict[str, Any], list[str]]) -> None:
    guarded(*mutant)


def guarded(name: str, data: dict[str, Any], mutations: list[str]) -> None:
    """`outcome` under the per-example timer, recorded as a hypothesis event."""
    note(f"{name} with {mutations}")  # a failure report names the mutations, not just the dict
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ss.CapacityWarning)
            warnings.simplefilter("error", RuntimeWarning)
            event(outcome(name, data))
    except Hung:
        pytest.fail(f"{name} with {mutations} ran past {TIME_LIMIT} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _bounds(path: tuple[Any, ...]) -> list[float]:
    """Values at the documented bounds of the key at `path` (none if it has no bounds)."""
    model = _model_at(ss.Scenario, path[:-1])
    field = model.model_fields.get(str(path[-1])) if model else None
    if field is None:
        return []
    values = []
    for meta in field.metadata:
        for name, nudge in (("ge", 0.0), ("gt", 1e-9), ("le", 0.0)):
            bound = getattr(meta, name, None)
            if bound is not None:  # (an integer bound stays an integer)
                values.append(bound + nudge * max(1.0, abs(bound)) if nudge else bound)
    return values


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES)), st.data())
def test_values_at_their_documented_bounds_are_accepted_and_run(
        name: str, draw: st.DataObject) -> None:
    # The ends of each range are valid: they must run, not just load. (A few give an error
    # through a rule across keys, e.g. a share at 1 breaks its table's sum.)
    data = copy.deepcopy(BASES[name])
    numeric = [p for p in paths(data) if is_number(_get(data, p)) and _bounds(p)]
    path = draw.draw(st.sampled_from(numeric), label="key")
    value = draw.draw(st.sampled_from(_bounds(path)), label="value")
    _get(data, path[:-1])[path[-1]] = value
    guarded(name, data, [f"{_dotted(path)} = {value!r}"])


def test_the_shipped_scenarios_themselves_run() -> None:
    # The mutants start from these; each must be an accepted, runnable scenario.
    assert len(BASES) >= 8
    for name, data in BASES.items():
        assert outcome(name, copy.deepcopy(data)) in ("ran", "checked"), name
