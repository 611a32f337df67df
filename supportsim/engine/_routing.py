"""Skills-based routing: a tiered desk whose tiers are split into agent groups.

Teams (agent groups in the engine), their idle agents and their skills' queues are in
:mod:`supportsim.engine._teams`; this module adds what a tiered desk does with them:
arrivals and escalations, preemption within the agents holding the skill, and overflow
to a fallback skill (one timer event per ticket that waits, only when it is configured).
The rules are stated in docs/assumptions.md, "Routing".
"""

from __future__ import annotations

import numpy as np

from supportsim.demand import TicketStream
from supportsim.engine._teams import Teams
from supportsim.engine._tiered import TieredDesk
from supportsim.scenario import Scenario

__all__ = ["RoutedDesk", "routed"]

_INF = float("inf")


def routed(scenario: Scenario) -> bool:
    """Whether `scenario` splits a tier into agent groups (then :class:`RoutedDesk` runs)."""
    return any(tier.groups is not None for tier in scenario.team.tiers.values())


class RoutedDesk(Teams, TieredDesk):
    """A tiered desk with agent groups, skills and ``[team.routing]``.

    Queue ``q = t * skills + s`` holds tickets of skill ``s`` waiting for tier index
    ``t``; the entry tier's queues (``q < skills``) order by channel first, as the entry
    queue of the plain desk.
    """

    def queue_count(self) -> int:
        return len(self.scenario.levels) * self.skills

    def __init__(self, scenario: Scenario, tickets: TicketStream, rng: np.random.Generator
                 ) -> None:
        self._setup_teams(scenario, tickets, rng, shared=False)
        super().__init__(scenario, tickets, rng)
        self._setup_queues(scenario, tickets)

    # ------------------------------------------------------------------ tickets

    def _eligible_tiers(self, t: int) -> list[int]:
        return [t]

    def _enter(self, t: int, i: int) -> None:
        s = self.skill[i]
        a = self._idle_agent(self.teams_for[t][s])
        if a >= 0:
            self._start(a, i)
            return
        q = t * self.skills + s
        if self.preemptive and self._preempt(q, i):
            return
        self._join(q, i, self.env._now)

    def _free(self, a: int) -> None:
        if not self.agent_on[a]:
            return
        i = self._take(self.agent_team[a])
        if i >= 0:
            self._start(a, i)
        else:
            self.idle_since[a] = self.env._now
            self.team_idle[self.agent_team[a]].append(a)

    # ------------------------------------------------------------------ timeline

    QUEUE_CHANGES = ("_join", "_take", "_patience_over", "_overflow")

    def tier_queued(self) -> list[int]:
        S = self.skills
        return [sum(self.queued[t * S:(t + 1) * S]) for t in range(len(self.levels))]

    def oldest_wait(self, t: int) -> float:
        """Age (hours since arrival) of the oldest ticket queued at tier `t`."""
        S = self.skills
        return max(self._oldest(self.queues[q], lambda i: self.arrived[i])
                   for q in range(t * S, (t + 1) * S))

