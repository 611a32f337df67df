"""The tiered desk: L1 -> L2 -> L3 queues with triage, escalation and ticket tennis."""

from __future__ import annotations

import numpy as np
from simpy.events import Event

from supportsim.demand import TicketStream
from supportsim.engine._desk import ESCALATE, RESOLVE, Desk
from supportsim.engine._draws import draw_arrays
from supportsim.scenario import Scenario

__all__ = ["TieredDesk"]

REVIEW = 6  # work mode: the upper tier reads a ticket before sending it back down


class TieredDesk(Desk):
    """One replication of a tiered support organisation.

    Every ticket enters L1. A tier whose level meets the ticket's need (or L1, for the
    share knowledge management has shifted left) works its effort; otherwise it works
    triage and escalates to the next tier's queue. With ``tennis.bounce`` the upper tier
    sends an escalated ticket back once, after its review (``tennis.review``), and the
    lower tier triages it again.
    """

    def queue_count(self) -> int:
        return len(self.scenario.levels)

    def __init__(self, scenario: Scenario, tickets: TicketStream, rng: np.random.Generator
                 ) -> None:
        n = len(tickets)
        self.bounce = scenario.team.tennis.bounce
        self.retriage_draw = draw_arrays(tickets.retriage, self.bounce > 0)
        self.bounce_draw = draw_arrays(tickets.bounce_draw, self.bounce > 0)
        self.review_draw = draw_arrays(tickets.review, self.bounce > 0)
        self.bounce_pending = [False] * n
        self.retriage_level = [0] * n  # level that triages again after a bounce
        super().__init__(scenario, tickets, rng)
        self.unwritten |= {"swarm_size", "help_wait"}
        if len(self.levels) == 1:
            self.unwritten.add("escalations")
        if not self.bounce:
            self.unwritten.add("bounces")

    def _enter(self, q: int, i: int) -> None:
        idle = self.idle[q]
        if idle:
            self._start(idle.popleft(), i)
        else:
            self._queue_up(q, i)

    def _start(self, a: int, i: int) -> None:
        """Agent `a` takes ticket `i`."""
        now = self.env._now
        first_response = self.first_response
        if first_response[i] != first_response[i]:  # NaN: first time anyone starts it
            first_response[i] = now
        t = self.agent_tier[a]
        if self.bounce_pending[i]:
            self._bounce_back(a, t, i)
            return
        if self.preemptive and i in self.remaining:
            self._serve(a, i, *self.remaining.pop(i))
            return
        level = self.levels[t]
        need = self.need[i]
        if need <= level:
            duration, mode = self.resolve_effort[i], RESOLVE
        elif (self.knowledge and level == 1 and need == 2
              and self.knowledge_draw[i] < self.workforce.knowledge_share(now)):
            duration, mode = self.effort_draw[0][i], RESOLVE
        elif self.retriage_level[i] == level:
            self.retriage_level[i] = 0
            duration, mode = self.retriage_draw[level - 1][i], ESCALATE
        else:
            duration, mode = self.triage_draw[level - 1][i], ESCALATE
        if self.learning and now < self.proficient_at[a]:
            multiplier = self.workforce.multiplier(now - self.joined_at[a])
            extra = self.workforce.extra_escalation(multiplier)
            if (extra > 0 and mode == RESOLVE and t + 1 < len(self.levels)
                    and self.learning_draw[level - 1][i] < extra):
                duration, mode = self.triage_draw[level - 1][i], ESCALATE
            duration *= multiplier
        self._serve(a, i, duration, mode)

    def _finish(self, event: Event) -> None:
        a = event._value
        if self.preemptive and self.agent_event[a] is not event:
            return  # preempted: this completion is stale
        # NOTE: Desk._stop inlined: this runs once per service.
        i = self.agent_ticket[a]
        t = self.agent_tier[a]
        worked = self.env._now - self.agent_started[a]
        self.busy_time[a] += worked
        self.effort_spent[i] += worked
        self.busy[t] -= 1
        self.agent_ticket[a] = -1
        if self.agent_mode[a] == RESOLVE:
            # NOTE: Desk._resolve inlined.
            self.resolver[i] = a
            self.resolved_at[i] = self.env._now
            self.resolved_by[i] = self.levels[t]
            self.closed += 1
        elif self.agent_mode[a] == ESCALATE:
            self._escalate(t, i)
        else:  # REVIEW
            self._send_back(t, i)
        self._free(a)

    def _free(self, a: int) -> None:
        if not self.agent_on[a]:
            return
        t = self.agent_tier[a]
        # NOTE: the count first: most calls find the queue empty, and _pop is not free.
        if self.queued[t]:
            self._start(a, self._pop(t))
        else:
            self.idle[t].append(a)

    def _escalate(self, t: int, i: int) -> None:
        self.escalations[i] += 1
        level = self.levels[t]
        if self.bounce and self.bounces[i] == 0 and self.bounce_draw[level - 1][i] < self.bounce:
            self.bounce_pending[i] = True
        self._enter(t + 1, i)

    def _bounce_back(self, a: int, t: int, i: int) -> None:
        """Ticket tennis: agent `a` of the upper tier reviews `i` (``tennis.review``),
        then sends it back down, where it is triaged again."""
        self.bounce_pending[i] = False
        review = self.review_draw[self.levels[t] - 1]
        if review:
            duration = review[i]
            if self.learning:
                duration *= self._multiplier(a)
            self._serve(a, i, duration, REVIEW)
            return
        self._send_back(t, i)  # no review time at this tier
        self._free(a)

    def _send_back(self, t: int, i: int) -> None:
        self.bounces[i] += 1
        self.retriage_level[i] = self.levels[t - 1]
        self._enter(t - 1, i)

    def oldest_wait(self, t: int) -> float:
        """Age (hours since arrival) of the oldest ticket queued at tier `t`."""
        return self._oldest(self.queues[t], lambda i: self.arrived[i])
