"""The swarming desk: one queue, one owner per ticket, experts join instead of hand-offs.

The next free agent (the lowest tier with someone idle, so experts stay free to help)
takes a ticket and owns it. If the owner's level meets the need, the owner works the
effort alone. Otherwise the owner first works the triage of its level (diagnosis), then
asks for an agent of the needed level, waiting while none is free; requests for help go
ahead of new tickets, and an agent of a higher level may answer when none of the exact
level is free. An owner whose shift ends while waiting hands the ticket over: the expert
who answers leads the swarm without the owner. When the expert joins, idle agents of the
levels in between join as well, up to ``max_size`` members. A swarm of k members works
the effort of the needed tier in ``effort x (1 + overhead (k - 1)) / k`` hours, so total
effort grows by ``overhead`` per extra member. No ticket is ever handed off between
queues: no escalations, no tennis.

A backlog (``[initial]``) is placed as the swarm would hold it at t = 0: a ticket in
service at a tier is owned by an idle agent of that tier (its remaining work drawn as
for the tiered desk: the effort if its need is met there, else the rest of the
diagnosis); one waiting at the lowest tier is in the queue; one waiting above it is a
request for help at its need's level that nobody owns.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from simpy.events import Event

from supportsim.demand import TicketStream
from supportsim.engine._desk import DIAGNOSE, HELP_WAIT, NAN, RESOLVE, SWARM, Desk
from supportsim.scenario import Scenario

__all__ = ["SwarmDesk"]

MEMBER = 5  # work mode of a swarm member who is not the owner


class SwarmDesk(Desk):
    """One replication of a swarming support organisation."""

    QUEUE_CHANGES = (*Desk.QUEUE_CHANGES, "_ask_for_help", "_pop_help")

    def queue_count(self) -> int:
        return 1

    def __init__(self, scenario: Scenario, tickets: TicketStream, rng: np.random.Generator
                 ) -> None:
        n = len(tickets)
        swarm = scenario.team.swarm_settings
        self.overhead = swarm.overhead
        self.max_size = swarm.max_size
        self.help_level = [0] * n
        self.help_since = [NAN] * n
        self.members: dict[int, list[int]] = {}  # swarm lead -> the other members
        self.help_owner = [-1] * n  # owner still waiting with the ticket, -1 if none
        classes = len(scenario.priorities) if scenario.team.discipline != "fifo" else 1
        # Tickets waiting for help, per needed level (1..3) and priority class.
        self.help_queues: list[list[deque[int]]] = [
            [deque() for _ in range(classes)] for _ in range(3)]
        super().__init__(scenario, tickets, rng)
        self.unwritten |= {"escalations", "bounces"}

    # ------------------------------------------------------------------ backlog

    def _place_waiting(self, waiting: list[int], queue: list[int]) -> None:
        """Backlog tickets waiting at t = 0: at the lowest tier, in the one queue; above
        it, as requests for help nobody owns (a ticket the lower levels have diagnosed).

        `queue` holds the tier index each waits at. Requests go first, as a freed agent
        answers them before it takes a new ticket; each group in order of opening.
        """
        for i in waiting:
            if queue[i]:
                self._backlog_help(i, self.levels[queue[i]])
        for i in waiting:
            if not queue[i]:
                self._enter(0, i)

    def _backlog_help(self, i: int, level: int) -> None:
        """Backlog ticket `i`, waiting at `level`, asks for an agent of its need's level
        (at least `level`), with no owner: the one who answers leads the swarm."""
        needed = max(self.need[i], level)
        self.help_level[i] = needed
        self.help_since[i] = self.env._now  # waited before start: not known, not counted
        for t, lv in enumerate(self.levels):
            if lv >= needed and self.idle[t]:
                self._form_swarm(self.idle[t].popleft(), i)
                return
        self.help_queues[needed - 1][self.queue_class[i]].append(i)

    # ------------------------------------------------------------------ owners

    def _enter(self, q: int, i: int) -> None:
        for idle in self.idle:
            if idle:
                self._start(idle.popleft(), i)
                return
        self._queue_up(q, i)

    def _preempt_tiers(self, q: int) -> list[int]:
        return list(range(len(self.levels)))

    def _preemptible(self, a: int) -> bool:
        # Solo work can be preempted; a swarm or an owner waiting for help cannot.
        return self.agent_mode[a] in (RESOLVE, DIAGNOSE)

    def _start(self, a: int, i: int) -> None:
        """Agent `a` takes ticket `i` from the queue and owns it."""
        now = self.env._now
        if self.first_response[i] != self.first_response[i]:
            self.first_response[i] = now
        if self.preemptive and i in self.remaining:
            self._serve(a, i, *self.remaining.pop(i))
            return
        level = self.levels[self.agent_tier[a]]
        need = self.need[i]
        self.help_level[i] = need
        if need <= level:
            duration, mode = self.resolve_effort[i], RESOLVE
        elif (self.knowledge and level == 1 and need == 2
              and self.knowledge_draw[i] < self.workforce.knowledge_share(now)):
            duration, mode = self.effort_draw[0][i], RESOLVE
        else:
            duration, mode = self._diagnosis(level, i), DIAGNOSE
        if self.learning and now < self.proficient_at[a]:
            multiplier = self.workforce.multiplier(now - self.joined_at[a])
            extra = self.workforce.extra_escalation(multiplier)
            if (extra > 0 and mode == RESOLVE and level < max(self.levels)
                    and self.learning_draw[level - 1][i] < extra):
                # A joiner unsure of a ticket it could fix asks the next level to join.
                self.help_level[i] = min(lv for lv in self.levels if lv > level)
                duration, mode = self._diagnosis(level, i), DIAGNOSE
            duration *= multiplier
        self.swarm_size[i] = 1
        self._serve(a, i, duration, mode)

    def _diagnosis(self, level: int, i: int) -> float:
        triage = self.triage_draw[level - 1]
        return triage[i] if triage else 0.0

    def _finish(self, event: Event) -> None:
        a = event._value
        if self.preemptive and self.agent_event[a] is not event:
            return  # preempted: this completion is stale
        if self.agent_mode[a] == DIAGNOSE:
            i, worked = self._stop(a)
            self.effort_spent[i] += worked
            self._ask_for_help(a, i)
            return
        # `a` leads the swarm: the owner, or the expert if the owner went off duty.
        members = self.members.pop(a, [])
        i, worked = self._stop(a)
        # Every member worked the same wall time on the ticket.
        self.effort_spent[i] += worked * (1 + len(members))
        level = max(self.levels[self.agent_tier[m]] for m in [a, *members])
        self._resolve(i, level, a)
        for member in members:
            self._stop(member)
            self._free(member)
        self._free(a)

    # ------------------------------------------------------------------ swarms

    def _hold_for_help(self, a: int, i: int) -> None:
        """Owner `a`, if still on duty, holds ticket `i` (busy) while help is sought."""
        now = self.env._now
        if self.agent_on[a]:
            self.agent_ticket[a] = i
            self.agent_mode[a] = HELP_WAIT
            self.agent_started[a] = now
            self.busy[self.agent_tier[a]] += 1
            self.help_owner[i] = a
        self.help_since[i] = now

    def _ask_for_help(self, a: int, i: int) -> None:
        """Owner `a` keeps ticket `i` and waits for an agent of the needed level.

        An owner who finished the diagnosis after its duty ended hands the ticket over at
        once, as one going off duty while waiting does: off duty, nobody takes new work.
        """
        self._hold_for_help(a, i)
        needed = self.help_level[i]
        for t, level in enumerate(self.levels):
            if level >= needed and self.idle[t]:
                self._form_swarm(self.idle[t].popleft(), i)
                return
        self.help_queues[needed - 1][self.queue_class[i]].append(i)

    def _release_owner(self, a: int) -> int:
        """Owner `a` stops waiting for help (joined, or off duty); returns the ticket."""
        i, _ = self._stop(a)  # waiting is busy time, but no effort on the ticket
        self.help_owner[i] = -1
        return i

    def _going_off(self, a: int) -> None:
        # An owner who goes off duty while waiting for help hands the ticket to whoever
        # answers the request, instead of staying tied to it overnight.
        if self.agent_mode[a] == HELP_WAIT:
            self._release_owner(a)

    def _form_swarm(self, expert: int, i: int) -> None:
        now = self.env._now
        self.help_wait[i] = now - self.help_since[i]
        owner = self.help_owner[i]
        if owner >= 0:
            self._release_owner(owner)
        lead, members = (owner, [expert]) if owner >= 0 else (expert, [])
        # Levels strictly between the owner's (or, without one, the lowest tier's) and the
        # expert's may add a member.
        low = self.levels[self.agent_tier[owner]] if owner >= 0 else self.levels[0]
        expert_level = self.levels[self.agent_tier[expert]]
        for t, level in enumerate(self.levels):
            if low < level < expert_level and len(members) + 1 < self.max_size:
                member = self._idle_member(t, i)
                if member >= 0:
                    members.append(member)
        size = 1 + len(members)
        multiplier = self._multiplier(expert) if self.learning else 1.0
        wall = (self.resolve_effort[i] * multiplier * (1 + self.overhead * (size - 1)) / size)
        self.swarm_size[i] = size
        self.members[lead] = members
        for member in members:
            self.agent_ticket[member] = i
            self.agent_mode[member] = MEMBER
            self.agent_started[member] = now
            self.agent_end[member] = now + wall  # the lead's end: books a member's overtime
            self.busy[self.agent_tier[member]] += 1
        self._serve(lead, i, wall, SWARM)

    def _idle_member(self, t: int, i: int) -> int:
        """An idle agent of tier index `t` to join the swarm on ticket `i`; -1 if none."""
        return self.idle[t].popleft() if self.idle[t] else -1

    def _free(self, a: int) -> None:
        if not self.agent_on[a]:
            return
        t = self.agent_tier[a]
        level = self.levels[t]
        # Requests for help go ahead of new tickets: own level first, then lower needs.
        for needed in range(level, 0, -1):
            i = self._pop_help(needed)
            if i >= 0:
                self._form_swarm(a, i)
                return
        if self.queued[0]:
            self._start(a, self._pop(0))
        else:
            self.idle[t].append(a)

    def _pop_help(self, needed: int) -> int:
        for waiting in self.help_queues[needed - 1]:
            if waiting:
                return waiting.popleft()
        return -1

    # ------------------------------------------------------------------ timeline

    def tier_queued(self) -> list[int]:
        """Tickets waiting for each tier: the main queue counts at the lowest tier (its
        agents take new tickets first), requests for help at the level they need."""
        counts = [sum(len(w) for w in self.help_queues[level - 1]) for level in self.levels]
        counts[0] += self.queued[0]
        return counts

    def oldest_wait(self, t: int) -> float:
        if t == 0:
            return self._oldest(self.queues[0], lambda i: self.arrived[i])
        waiting = self.help_queues[self.levels[t] - 1]
        now = self.env._now
        since = [self.help_since[w[0]] for w in waiting if w]
        return now - min(since, default=now)
