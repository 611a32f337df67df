"""Agents going on and off duty: rosters, presence, activation and overtime.

A mixin of :class:`supportsim.engine._desk.Desk`, kept apart because it is one concept:
whether an agent may take work now, and what happens to the ticket in hand when it may
not (finished off duty, booked as overtime). Roster edges are a handful of events per
group and day, off the per-ticket path.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from simpy.events import Event

if TYPE_CHECKING:
    import simpy

    from supportsim.engine._clock import Clock

__all__ = ["Duty"]

NAN = math.nan


class Duty:
    """On/off-duty state of the desk's agents; the desk's lists are declared here."""

    env: simpy.Environment
    clock: Clock
    horizon: float
    agent_tier: list[int]
    agent_origin: list[str]
    agent_ticket: list[int]
    agent_end: list[float]
    agent_on: list[bool]
    in_hours: list[bool]
    present: list[bool]
    active: list[bool]
    on_since: list[float]
    on_duty_time: list[float]
    overtime_time: list[float]
    overrun_until: list[float]
    overrunning: list[list[int]]
    on_duty: list[int]
    reserve_on_duty: list[int]
    idle: list[deque[int]]
    group_on: list[bool]
    group_members: list[list[int]]

    def _free(self, a: int) -> None:
        """Agent `a` has nothing in hand: take the next ticket, idle, or go off duty
        (the team structure decides)."""
        raise NotImplementedError

    def refresh(self, a: int) -> None:
        """Bring agent `a`'s on-duty state in line with hours, presence and activation."""
        should = self.in_hours[a] and self.present[a] and self.active[a]
        if should == self.agent_on[a]:
            return
        t = self.agent_tier[a]
        self.agent_on[a] = should
        now = self.env._now
        reserve = self.agent_origin[a] == "reserve"
        if should:
            self.on_since[a] = now
            self.on_duty[t] += 1
            self.reserve_on_duty[t] += reserve
            if self.agent_ticket[a] < 0:
                self._free(a)
            elif self.overrun_until[a] > now:  # back on duty before the overrun ended
                self.overtime_time[a] -= self.overrun_until[a] - now
                self.overrun_until[a] = NAN
                self.overrunning[t].remove(a)
        else:
            self.on_duty_time[a] += now - self.on_since[a]
            self.on_duty[t] -= 1
            self.reserve_on_duty[t] -= reserve
            if self.agent_ticket[a] < 0:
                self._drop_idle(a, t)
            else:
                self._going_off(a)
                if self.agent_ticket[a] >= 0:
                    self._overrun(a, t, now)

    def _drop_idle(self, a: int, t: int) -> None:
        """Idle agent `a` of tier index `t` goes off duty: it waits for work no more."""
        self.idle[t].remove(a)

    def _overrun(self, a: int, t: int, now: float) -> None:
        """Agent `a` of tier `t` goes off duty and works on until its service ends.

        An agent off duty starts no new work, so the service in hand ends at
        ``agent_end`` (off-duty agents are never preempted), or at the horizon.
        """
        end = min(self.agent_end[a], self.horizon)
        self.overtime_time[a] += end - now
        self.overrun_until[a] = end
        if a not in self.overrunning[t]:  # it may have finished an earlier overrun
            self.overrunning[t].append(a)

    def _overtime_agents(self) -> list[int]:
        """Agents per tier working past the end of their duty now (for the timeline)."""
        # Off duty, an agent takes no new ticket: holding one means still finishing it.
        ticket, on = self.agent_ticket, self.agent_on
        counts = []
        for agents in self.overrunning:
            if agents:
                agents[:] = [a for a in agents if ticket[a] >= 0 and not on[a]]
            counts.append(len(agents))
        return counts

    def _going_off(self, a: int) -> None:
        """Agent `a` goes off duty with a ticket in hand (default: finish it)."""

    def _roster(self, g: int, intervals: np.ndarray) -> None:
        """Put group `g` on duty at the start of each of its intervals, off at the end.

        NOTE: one reused event per group at the intervals' exact instants (a process
        would add a timeout and a resume per edge, and reach each edge as a delay).
        """
        edges = iter([(at, k % 2 == 0) for k, at in enumerate(intervals.ravel().tolist())])
        event = self.clock.reusable_event((g, edges, True))
        self._next_edge(event)

    def _next_edge(self, event: Event) -> None:
        g, edges, _ = event._value
        for at, on in edges:
            if at <= self.env._now:  # at the start, or where one interval ends as the
                self._set_hours(g, on)  # next begins: the group goes off and on again
                continue
            if at < self.horizon:
                event._value = (g, edges, on)
                event.callbacks = [self._edge]
                self.clock.schedule_at(event, at)
            return

    def _edge(self, event: Event) -> None:
        g, _, on = event._value
        self._set_hours(g, on)
        self._next_edge(event)

    def _set_hours(self, g: int, on: bool) -> None:
        # An agent going off duty takes no new ticket and finishes the one in hand.
        self.group_on[g] = on
        for a in self.group_members[g]:
            self.in_hours[a] = on
            self.refresh(a)

