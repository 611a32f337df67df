"""`simulate`: replications of one scenario, on common random numbers."""

from __future__ import annotations

import numpy as np

from supportsim.demand import generate
from supportsim.engine import run_replication
from supportsim.results import SimulationResult, build_tables
from supportsim.scenario import Scenario

__all__ = ["simulate"]


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
    root = seed if seed is not None else scenario.seed
    if root is None:
        root = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if root < 0:
        raise ValueError(f"seed must be an integer >= 0, got {root}")
    runs = []
    for rep in range(count):
        tickets = generate(scenario, rep, root)
        runs.append((rep, tickets, run_replication(scenario, tickets)))
    return SimulationResult(scenario=scenario, seed=root, replications=count,
                            **build_tables(scenario, runs))
