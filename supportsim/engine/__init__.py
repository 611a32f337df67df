"""The SimPy model of a support organisation, one replication at a time."""

from __future__ import annotations

from supportsim.demand import TicketStream
from supportsim.engine._records import ReplicationRecord
from supportsim.engine._tiered import TieredDesk
from supportsim.scenario import Scenario

__all__ = ["ReplicationRecord", "run_replication"]


def run_replication(scenario: Scenario, tickets: TicketStream) -> ReplicationRecord:
    """Simulate one replication of `scenario` on the given ticket stream.

    Parameters
    ----------
    scenario : Scenario
    tickets : TicketStream
        From :func:`supportsim.demand.generate`; shared by every variant of a comparison.

    Returns
    -------
    ReplicationRecord
    """
    return TieredDesk(scenario, tickets).run()
