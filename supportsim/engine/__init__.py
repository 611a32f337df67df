"""The SimPy model of a support organisation, one replication at a time."""

from __future__ import annotations

import numpy as np

from supportsim.demand import TicketStream
from supportsim.engine._desk import Desk
from supportsim.engine._records import ReplicationRecord
from supportsim.engine._routed_swarm import RoutedSwarmDesk
from supportsim.engine._routing import RoutedDesk, routed
from supportsim.engine._swarm import SwarmDesk
from supportsim.engine._tiered import TieredDesk
from supportsim.scenario import Scenario

__all__ = ["ReplicationRecord", "engine_stream", "run_replication"]


def engine_stream(seed: int, replication: int) -> np.random.Generator:
    """The engine's random stream (workforce draws) for one replication.

    Demand has its own streams (:mod:`supportsim.demand`). Keyed by (seed, replication)
    alone, so variants of a comparison or a sweep share engine draws too (DESIGN 7).
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, 1)))


def run_replication(
    scenario: Scenario, tickets: TicketStream, rng: np.random.Generator | None = None
) -> ReplicationRecord:
    """Simulate one replication of `scenario` on the given ticket stream.

    Parameters
    ----------
    scenario : Scenario
    tickets : TicketStream
        From :func:`supportsim.demand.generate`; shared by every variant of a comparison.
    rng : numpy.random.Generator, optional
        The engine stream (who leaves when); :func:`engine_stream`. Only workforce
        mechanisms draw from it; defaults to a stream seeded with 0.

    Returns
    -------
    ReplicationRecord
    """
    if scenario.team.structure == "swarming":
        structure: type[Desk] = RoutedSwarmDesk if routed(scenario) else SwarmDesk
    else:
        structure = RoutedDesk if routed(scenario) else TieredDesk
    desk = structure(scenario, tickets, rng if rng is not None else engine_stream(0, 0))
    desk.run()
    return ReplicationRecord.from_desk(desk)
