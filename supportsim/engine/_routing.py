"""Skills-based routing: a tiered desk whose tiers are split into agent groups.

Teams (agent groups in the engine), their idle agents and their skills' queues are in
:mod:`supportsim.engine._teams`; this module adds what a tiered desk does with them:
arrivals and escalations, preemption within the agents holding the skill, and overflow
to a fallback skill (one timer event per ticket that waits, only when it is configured).
The rules are stated in docs/assumptions.md, "Routing".
"""

from __future__ import annotations

import numpy as np
from simpy.events import Timeout

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

    def _join(self, q: int, i: int, since: float, *, first: bool = False) -> None:
        """Ticket `i` waits in queue `q` (at the head of its class if `first`), as having
        joined at `since`; with overflow, its timer starts now."""
        self.enqueued_at[i] = since
        waiting = self.queues[q][self._queue_class(q, i)]
        if first:
            waiting.appendleft(i)
        else:
            waiting.append(i)
        self.queued[q] += 1
        s = self.skill[i]
        if self.overflow_after is not None and s != self.fallback:
            self.overflowed[i] = False  # in this wait (a ticket may wait at several tiers)
            self.entries += 1
            self.waiting_entry[i] = self.entries
            Timeout(self.env, self.overflow_after, (q // self.skills, i, self.entries)
                    ).callbacks.append(self._overflow)

    def _preempt(self, q: int, i: int) -> bool:
        """Take an agent holding `i`'s skill from the least urgent ticket less urgent than
        `i` (the most recently started among equals), if any; that ticket waits at the
        head of its class in its own skill's queue, as having joined when its service
        started, to resume its remaining work with any eligible agent."""
        rank, ticket, started = self.rank, self.agent_ticket, self.agent_started
        victim, victim_key = -1, (rank[i], _INF)
        t = q // self.skills
        for p in self.teams_for[t][self.skill[i]]:
            for a in self.team_members[p]:
                j = ticket[a]
                if j >= 0 and self.agent_on[a] and (rank[j], started[a]) > victim_key:
                    victim, victim_key = a, (rank[j], started[a])
        if victim < 0:
            return False
        mode = self.agent_mode[victim]
        since = started[victim]
        # The work left, in the ticket's own effort (the next agent applies its group's
        # multiplier to it).
        remaining = self.agent_end[victim] - self.env._now
        if self.scaled:
            remaining /= self.team_effort[self.agent_team[victim]][self.skill[ticket[victim]]]
        j, worked = self._stop(victim)
        self.effort_spent[j] += worked
        self.remaining[j] = (remaining, mode)
        self.agent_event[victim] = None
        self._join(t * self.skills + self.skill[j], j, since, first=True)
        self._start(victim, i)
        return True

    def _overflow(self, event: Timeout) -> None:
        """Ticket `i` has waited `after` at tier `t`: the fallback skill's teams (or the
        overflow site's) may take it."""
        t, i, entry = event._value
        if self.waiting_entry[i] != entry or self.abandoned[i]:
            return  # taken, or gone, meanwhile
        self.overflowed[i] = True
        a = self._idle_agent(self.overflow_teams[t])
        if a >= 0:
            self._unqueue(t, i)
            self._start(a, i)
        else:
            q = t * self.skills + self.skill[i]
            self.overflow_queues[t][self._queue_class(q, i)].append((i, entry))

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

