"""`simulate`: replications of one scenario, on common random numbers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from supportsim.capacity import warn_if_overloaded
from supportsim.demand import generate
from supportsim.engine import engine_stream, run_replication
from supportsim.records import build_tables
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario

__all__ = ["resolve_seed", "simulate", "simulate_replications"]


def simulate(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> SimulationResult:
    """Simulate `scenario` for a number of independent replications.

    Parameters
    ----------
    scenario : Scenario
    replications : int, optional
        Defaults to ``scenario.replications``.
    seed : int, optional
        Root of every random stream; defaults to ``scenario.seed``, and when both are
        None a fresh seed is drawn from the OS and recorded in the result.

    Returns
    -------
    SimulationResult

    Warns
    -----
    CapacityWarning
        Before simulating, for each tier whose offered load reaches the agents on duty
        (:func:`supportsim.check`); the run goes ahead, overload is what it measures.

    Notes
    -----
    Replication ``r`` draws its tickets from streams keyed by ``(seed, r)`` alone, so
    scenarios that differ only in team or workforce see identical tickets in each
    replication (common random numbers).

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> res = ss.simulate(sc, replications=2, seed=1)  # doctest: +SKIP
    >>> res.sla()  # doctest: +SKIP
    """
    count = scenario.replications if replications is None else int(replications)
    if count < 1:
        raise ValueError(f"replications must be an integer >= 1, got {replications!r}")
    root = resolve_seed(scenario, seed)
    warn_if_overloaded(scenario)
    return simulate_replications(scenario, range(count), root)


def resolve_seed(scenario: Scenario, seed: int | None) -> int:
    """The root seed to use: `seed`, else ``scenario.seed``, else fresh OS entropy."""
    root = seed if seed is not None else scenario.seed
    if root is None:
        root = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if root < 0:
        raise ValueError(f"seed must be an integer >= 0, got {root}")
    return root


def simulate_replications(
    scenario: Scenario, replications: Iterable[int], seed: int
) -> SimulationResult:
    """Simulate the given replication numbers of `scenario` from root `seed`.

    Replication ``r`` gives the same tables here as inside ``simulate(scenario,
    replications > r, seed)``, so independent workers can each run a subset (sweeps).

    Parameters
    ----------
    scenario : Scenario
    replications : iterable of int
        Replication numbers (>= 0), e.g. ``[3]`` or ``range(10)``.
    seed : int
        Root seed.

    Returns
    -------
    SimulationResult
    """
    numbers = [int(r) for r in replications]
    if not numbers or min(numbers) < 0:
        raise ValueError(f"replications must be a non-empty list of integers >= 0, got {numbers}")
    runs = []
    for rep in numbers:
        tickets = generate(scenario, rep, seed)
        record = run_replication(scenario, tickets, engine_stream(seed, rep))
        runs.append((rep, tickets, record))
    return SimulationResult(scenario=scenario, seed=seed, replications=len(numbers),
                            **build_tables(scenario, runs))
