"""The tiered desk: L1 -> L2 -> L3 queues with triage, escalation and ticket tennis.

Design for speed (see benchmarks/): tickets are indices into per-ticket Python lists
(scalar reads and writes on lists are several times cheaper than on numpy arrays), and
every arrival and every service is one event in SimPy's queue whose callback does the
work, with no process per ticket. Only working hours use SimPy processes: a handful of
events a day.

NOTE: the hot paths push events straight onto ``env._queue`` (what ``env.schedule``
does) and reuse event objects where only one can be pending at a time: the arrival chain
and, without preemption, each agent's completion. SimPy clears ``event.callbacks``
before calling them, so a reused event only needs its callback list put back.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, Event, Timeout

from supportsim.demand import TicketStream
from supportsim.engine._hours import DutyGroup, duty_groups
from supportsim.engine._records import ReplicationRecord
from supportsim.scenario import Scenario

__all__ = ["TieredDesk"]

_NAN = math.nan
_RESOLVE, _ESCALATE = 0, 1


class TieredDesk:
    """One replication of a tiered support organisation.

    Parameters
    ----------
    scenario : Scenario
    tickets : TicketStream
        The demand of this replication (generated independently of the team).
    """

    def __init__(self, scenario: Scenario, tickets: TicketStream) -> None:
        self.env = env = simpy.Environment()
        self.horizon = scenario.horizon
        n = len(tickets)
        self.n = n

        # -- per-ticket inputs, as lists for fast scalar access
        self.arrived = tickets.arrived_at.tolist()
        # Effort if resolved where the need is met, looked up once per ticket.
        self.resolve_effort = np.take_along_axis(
            tickets.effort, (tickets.need.astype(np.intp) - 1)[None, :], axis=0)[0].tolist()
        self.rank = tickets.priority.tolist()
        discipline = scenario.team.discipline
        self.queue_class = self.rank if discipline != "fifo" else [0] * n
        self.need = tickets.need.tolist()
        self.patience = tickets.patience.tolist()
        self.effort_draw = [row.tolist() for row in tickets.effort]
        self.triage_draw = [row.tolist() for row in tickets.triage]
        self.retriage_draw = [row.tolist() for row in tickets.retriage]
        self.bounce_draw = [row.tolist() for row in tickets.bounce_draw]
        self.bounce = scenario.team.tennis.bounce
        self.preemptive = discipline == "preemptive"

        # -- per-ticket records, preallocated
        self.first_response = [_NAN] * n
        self.resolved_at = [_NAN] * n
        self.abandoned = [False] * n
        self.resolved_by = [0] * n
        self.escalations = [0] * n
        self.bounces = [0] * n
        self.effort_spent = [0.0] * n
        # -- per-ticket state
        self.bounce_pending = [False] * n
        self.retriage_level = [0] * n  # level that triages again after a bounce
        self.remaining: dict[int, tuple[float, int]] = {}  # preempted: work left, mode

        # -- tiers (index t) and their queues; one deque per priority class
        self.levels = scenario.levels
        classes = len(scenario.priorities) if discipline != "fifo" else 1
        self.queues: list[list[deque[int]]] = [
            [deque() for _ in range(classes)] for _ in self.levels
        ]
        self.queued = [0] * len(self.levels)
        self.busy = [0] * len(self.levels)
        self.on_duty = [0] * len(self.levels)
        self.idle: list[deque[int]] = [deque() for _ in self.levels]
        self.closed = 0
        self.next_ticket = 0

        # -- agents (index a)
        self.agent_tier: list[int] = []
        self.agent_group: list[str] = []
        self.tier_agents: list[list[int]] = [[] for _ in self.levels]
        groups: list[tuple[int, DutyGroup, list[int]]] = []
        for t, tier in enumerate(scenario.team.tiers.values()):
            for group in duty_groups(scenario, tier):
                members = list(range(len(self.agent_tier), len(self.agent_tier) + group.size))
                self.agent_tier += [t] * group.size
                self.agent_group += [group.label] * group.size
                self.tier_agents[t] += members
                groups.append((t, group, members))
        agents = len(self.agent_tier)
        self.agent_on = [False] * agents
        self.agent_ticket = [-1] * agents
        self.agent_event: list[Event | None] = [None] * agents
        self._finish_callbacks: list[Callable[[Any], None]] = [self._finish]
        self._completions = [self._reusable_event(a) for a in range(agents)]
        self.agent_started = [0.0] * agents
        self.agent_end = [0.0] * agents
        self.agent_mode = [_RESOLVE] * agents
        self.busy_time = [0.0] * agents

        for _, group, members in groups:
            if group.intervals is None:
                self._come_on(members)
            else:
                env.process(self._roster(group.intervals, members))

        # -- hourly snapshots of the state, for the timeline
        steps = math.ceil(self.horizon)  # snapshots at t = 0, 1, ... < horizon
        self.snapshots = np.zeros((steps, 3, len(self.levels)), dtype=np.int32)
        self.snapshot_open = np.zeros(steps, dtype=np.int32)
        self._snapshot_step = 0
        self._snapshot(None)

        self._arrival = self._reusable_event(None)
        self._arrival_callbacks: list[Callable[[Any], None]] = [self._arrive]
        if n:
            self._arrival.callbacks = self._arrival_callbacks
            heappush(env._queue, (self.arrived[0], NORMAL, next(env._eid), self._arrival))

    def _reusable_event(self, value: int | None) -> Event:
        event = Event(self.env)
        event._ok = True
        event._value = value
        return event

    # ------------------------------------------------------------------ running

    def run(self) -> ReplicationRecord:
        """Run to the horizon and return the records (open tickets stay open)."""
        self.env.run(until=self.horizon)
        self._close_books()
        return ReplicationRecord.from_desk(self)

    def _close_books(self) -> None:
        # Work in progress at the horizon counts as effort and busy time up to the horizon.
        for a, i in enumerate(self.agent_ticket):
            if i >= 0:
                worked = self.horizon - self.agent_started[a]
                self.busy_time[a] += worked
                self.effort_spent[i] += worked

    # ------------------------------------------------------------------ tickets

    def _arrive(self, event: Event) -> None:
        i = self.next_ticket
        self.next_ticket = i + 1
        if i + 1 < self.n:
            # NOTE: pushed at the absolute instant, not as a delay: now + (t - now) can
            # differ from t in the last bit, and recorded times must equal the drawn ones.
            env = self.env
            event.callbacks = self._arrival_callbacks
            heappush(env._queue, (self.arrived[i + 1], NORMAL, next(env._eid), event))
        self._enter(0, i)
        if self.patience[i] != math.inf and self.first_response[i] != self.first_response[i]:
            Timeout(self.env, self.patience[i], i).callbacks.append(self._patience_over)

    def _enter(self, t: int, i: int) -> None:
        """Ticket `i` joins tier `t`: straight to an idle agent, or into the queue."""
        idle = self.idle[t]
        if idle:
            self._start(idle.popleft(), i)
        elif not (self.preemptive and self._preempt(t, i)):
            self.queues[t][self.queue_class[i]].append(i)
            self.queued[t] += 1

    def _patience_over(self, event: Timeout) -> None:
        i = event._value
        # NaN != NaN: nobody has started the ticket, so it is still in the L1 queue.
        if self.first_response[i] != self.first_response[i]:
            self.abandoned[i] = True
            self.queued[0] -= 1
            self.closed += 1

    def _pop(self, t: int) -> int:
        """The next ticket of tier `t`'s queue, or -1; abandoned tickets are dropped lazily."""
        abandoned = self.abandoned
        for waiting in self.queues[t]:
            while waiting:
                i = waiting.popleft()
                if not abandoned[i]:
                    self.queued[t] -= 1
                    return i
        return -1

    # ------------------------------------------------------------------ agents

    def _start(self, a: int, i: int) -> None:
        """Agent `a` takes ticket `i`."""
        env = self.env
        now = env._now
        first_response = self.first_response
        if first_response[i] != first_response[i]:  # NaN: first time anyone starts it
            first_response[i] = now
        t = self.agent_tier[a]
        if self.bounce_pending[i]:
            self._bounce_back(a, t, i)
            return
        level = self.levels[t]
        if self.preemptive and i in self.remaining:
            duration, mode = self.remaining.pop(i)
        elif self.need[i] <= level:
            duration, mode = self.resolve_effort[i], _RESOLVE
        elif self.retriage_level[i] == level:
            self.retriage_level[i] = 0
            duration, mode = self.retriage_draw[level - 1][i], _ESCALATE
        else:
            duration, mode = self.triage_draw[level - 1][i], _ESCALATE
        if self.preemptive:
            # A preempted completion stays in the queue, so each service gets its own event.
            event = self._reusable_event(a)
            self.agent_event[a] = event
        else:
            event = self._completions[a]
        event.callbacks = self._finish_callbacks
        end = now + duration
        heappush(env._queue, (end, NORMAL, next(env._eid), event))
        self.agent_ticket[a] = i
        self.agent_started[a] = now
        self.agent_end[a] = end
        self.agent_mode[a] = mode
        self.busy[t] += 1

    def _finish(self, event: Event) -> None:
        a = event._value
        if self.preemptive and self.agent_event[a] is not event:
            return  # preempted: this completion is stale
        i = self.agent_ticket[a]
        t = self.agent_tier[a]
        now = self.env._now
        worked = now - self.agent_started[a]
        self.busy_time[a] += worked
        self.effort_spent[i] += worked
        self.busy[t] -= 1
        self.agent_ticket[a] = -1
        if self.agent_mode[a] == _RESOLVE:
            self.resolved_at[i] = now
            self.resolved_by[i] = self.levels[t]
            self.closed += 1
        else:
            self._escalate(t, i)
        self._free(a, t)

    def _free(self, a: int, t: int) -> None:
        """Agent `a` has nothing in hand: take the next ticket, idle, or go off duty."""
        if not self.agent_on[a]:
            return
        i = self._pop(t)
        if i < 0:
            self.idle[t].append(a)
        else:
            self._start(a, i)

    def _escalate(self, t: int, i: int) -> None:
        self.escalations[i] += 1
        level = self.levels[t]
        if self.bounces[i] == 0 and self.bounce_draw[level - 1][i] < self.bounce:
            self.bounce_pending[i] = True
        self._enter(t + 1, i)

    def _bounce_back(self, a: int, t: int, i: int) -> None:
        """Ticket tennis: the upper tier sends `i` back down, where it is triaged again."""
        self.bounce_pending[i] = False
        self.bounces[i] += 1
        self.retriage_level[i] = self.levels[t - 1]
        self._enter(t - 1, i)
        self._free(a, t)

    def _preempt(self, t: int, i: int) -> bool:
        """Take an agent of tier `t` from the least urgent ticket less urgent than `i`."""
        rank = self.rank
        victim, victim_key = -1, (rank[i], math.inf)
        for a in self.tier_agents[t]:
            j = self.agent_ticket[a]
            if j >= 0 and self.agent_on[a] and (rank[j], self.agent_started[a]) > victim_key:
                victim, victim_key = a, (rank[j], self.agent_started[a])
        if victim < 0:
            return False
        j = self.agent_ticket[victim]
        now = self.env._now
        worked = now - self.agent_started[victim]
        self.busy_time[victim] += worked
        self.effort_spent[j] += worked
        self.remaining[j] = (self.agent_end[victim] - now, self.agent_mode[victim])
        self.agent_event[victim] = None
        self.agent_ticket[victim] = -1
        self.busy[t] -= 1
        # The preempted ticket resumes first among its class: it has waited longest.
        self.queues[t][self.queue_class[j]].appendleft(j)
        self.queued[t] += 1
        self._start(victim, i)
        return True

    # ------------------------------------------------------------------ hours

    def _roster(self, intervals: np.ndarray, members: list[int]) -> Generator[Timeout, None, None]:
        env = self.env
        for on, off in intervals.tolist():
            if on > env.now:
                yield env.timeout(on - env.now)
            self._come_on(members)
            yield env.timeout(off - env.now)
            self._go_off(members)

    def _come_on(self, members: list[int]) -> None:
        for a in members:
            if self.agent_on[a]:
                continue
            self.agent_on[a] = True
            t = self.agent_tier[a]
            self.on_duty[t] += 1
            if self.agent_ticket[a] < 0:
                self._free(a, t)

    def _go_off(self, members: list[int]) -> None:
        # An agent going off duty takes no new ticket and finishes the one in hand.
        for a in members:
            t = self.agent_tier[a]
            self.agent_on[a] = False
            self.on_duty[t] -= 1
            if self.agent_ticket[a] < 0:
                self.idle[t].remove(a)

    # ------------------------------------------------------------------ timeline

    def _snapshot(self, event: Timeout | None) -> None:
        step = self._snapshot_step
        shot = self.snapshots[step]
        shot[0] = self.queued
        shot[1] = self.busy
        shot[2] = self.on_duty
        self.snapshot_open[step] = self.next_ticket - self.closed
        self._snapshot_step = step + 1
        if step + 1 < len(self.snapshots):
            Timeout(self.env, 1.0).callbacks.append(self._snapshot)
