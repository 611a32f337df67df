"""The desk: what tiered and swarming structures share.

Design for speed (see benchmarks/): tickets are indices into per-ticket Python lists
(scalar reads and writes on lists are several times cheaper than on numpy arrays), and
every service is one event in SimPy's queue whose callback does the work, with no process
per ticket. Working hours and workforce dynamics use small SimPy processes or callbacks: a
handful of events per agent and day.

NOTE: arrivals are drawn before the run and sorted, so :meth:`Desk.run` merges them with
SimPy's event queue instead of pushing each through it: every event due at or before
the next arrival is stepped first, then the clock is set to the arrival. That saves a
heap push and pop per ticket.
NOTE: without preemption, each agent's completion is one reused event pushed straight
onto ``env._queue`` (see :mod:`supportsim.engine._clock`).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, Event, Timeout

from supportsim.demand import TicketStream
from supportsim.engine._backlog import BacklogStart
from supportsim.engine._clock import Clock
from supportsim.engine._draws import draw_arrays
from supportsim.engine._duty import Duty
from supportsim.engine._hours import duty_groups
from supportsim.engine._queues import channel_ranks
from supportsim.engine._retrials import Retrials
from supportsim.engine._workforce import WorkforceModel
from supportsim.scenario import Scenario

__all__ = ["Desk"]

NAN = math.nan
_INF = math.inf
# Work modes of an agent's current service.
RESOLVE, ESCALATE, DIAGNOSE, HELP_WAIT, SWARM = 0, 1, 2, 3, 4


class Desk(Duty, BacklogStart):
    """State and mechanics shared by every team structure, for one replication.

    Subclasses decide what an agent does with a ticket (:meth:`_start`, :meth:`_finish`)
    and where a free agent looks for work (:meth:`_free`).
    """

    def queue_count(self) -> int:
        """How many ticket queues the structure keeps (tiered: one per tier)."""
        raise NotImplementedError

    def __init__(self, scenario: Scenario, tickets: TicketStream, rng: np.random.Generator
                 ) -> None:
        self.env = env = simpy.Environment()
        self.scenario = scenario
        self.horizon = scenario.horizon
        self.clock = Clock(env, self.horizon)
        n = len(tickets)
        self.n = n

        # -- per-ticket inputs, as lists for fast scalar access
        self.arrived = tickets.arrived_at.tolist()
        # Effort if resolved where the need is met, looked up once per ticket.
        self.resolve_effort = np.take_along_axis(
            tickets.effort, (tickets.need.astype(np.intp) - 1)[None, :], axis=0)[0].tolist()
        discipline = scenario.team.discipline
        # Priority rank: read only for queue classes and preemption.
        self.rank = tickets.priority.tolist() if discipline != "fifo" else []
        self.queue_class = self.rank if discipline != "fifo" else [0] * n
        self.need = tickets.need.tolist()
        classes = len(scenario.priorities) if discipline != "fifo" else 1
        self._order_by_channel(scenario, tickets, classes)
        self.abandons = bool(np.isfinite(tickets.patience).any())
        self.patience = tickets.patience.tolist() if self.abandons else []
        workforce = scenario.workforce
        self.learning = workforce is not None and workforce.learning is not None
        self.knowledge = workforce is not None and workforce.knowledge is not None
        self.effort_draw = draw_arrays(tickets.effort, self.knowledge)  # L1 fixing L2 tickets
        self.triage_draw = draw_arrays(tickets.triage, True)
        self.learning_draw = draw_arrays(
            tickets.learning_draw, self.learning and workforce.learning.escalation > 0)  # type: ignore[union-attr]
        self.knowledge_draw = draw_arrays(tickets.knowledge_draw[None, :], self.knowledge)[0]
        self.preemptive = discipline == "preemptive"
        self.backlog = tickets if tickets.initial else None  # [initial]: placed at t = 0

        # -- per-ticket records, preallocated
        self.first_response = [NAN] * n
        self.resolved_at = [NAN] * n
        self.abandoned = [False] * n
        self.resolved_by = [0] * n
        self.escalations = [0] * n
        self.bounces = [0] * n
        self.effort_spent = [0.0] * n
        self.swarm_size = [0] * n
        self.help_wait = [NAN] * n
        self.resolver = [-1] * n
        self.remaining: dict[int, tuple[float, int]] = {}  # preempted: work left, mode
        # Records no mechanism of this run can write: the record fills them with their
        # initial value instead of converting the list (~4 ms per 200,000 tickets each).
        self.unwritten: set[str] = set() if self.abandons else {"abandoned"}
        self.retrials: list[int] = []
        Retrials.install(self, tickets)  # customers who abandon and come back, if any

        # -- queues (one deque per priority class; the entry queue, with a channel order,
        # one per channel rank x priority class) and per-tier counters
        self.levels = scenario.levels
        tiers = len(self.levels)
        self.queues: list[list[deque[int]]] = [
            [deque() for _ in range(classes * (self.channel_classes if q == 0 else 1))]
            for q in range(self.queue_count())
        ]
        self.queued = [0] * self.queue_count()
        self.busy = [0] * tiers
        self.on_duty = [0] * tiers
        self.reserve_on_duty = [0] * tiers  # of on_duty
        self.idle: list[deque[int]] = [deque() for _ in range(tiers)]
        self.closed = 0
        self.next_ticket = 0
        self.events: list[tuple[float, str, int, int, str]] = []  # t, kind, level, agent, detail

        # -- agents (index a); lists grow as people join
        self.agent_tier: list[int] = []
        self.agent_group: list[int] = []
        self.agent_origin: list[str] = []
        self.joined_at: list[float] = []
        self.left_at: list[float] = []
        self.leave_reason: list[str] = []
        self.proficient_at: list[float] = []  # -inf for stable agents
        self.in_hours: list[bool] = []
        self.present: list[bool] = []
        self.active: list[bool] = []  # False while a surge reserve is not called
        self.agent_on: list[bool] = []  # on duty: in hours, present and active
        self.agent_ticket: list[int] = []
        self.agent_event: list[Event | None] = []
        self.agent_started: list[float] = []
        self.agent_end: list[float] = []
        self.agent_mode: list[int] = []
        self.busy_time: list[float] = []
        self.on_duty_time: list[float] = []
        self.on_since: list[float] = []
        # Overtime (finishing the ticket in hand off duty) is booked whole when the agent
        # goes off, its end being known: services that end on duty pay nothing for it.
        self.overtime_time: list[float] = []
        self.overrun_until: list[float] = []
        self.overrunning: list[list[int]] = [[] for _ in range(tiers)]
        self.tier_agents: list[list[int]] = [[] for _ in range(tiers)]
        self._finish_callbacks: list[Callable[[Any], None]] = [self._finish]
        self._completions: list[Event] = []

        # -- duty groups: (tier, label, intervals) and their members
        self.groups: list[tuple[int, str, np.ndarray | None]] = []
        self.group_members: list[list[int]] = []
        self.group_on: list[bool] = []
        self.tier_groups: list[list[int]] = [[] for _ in range(tiers)]
        sizes = []
        for t, tier in enumerate(scenario.team.tiers.values()):
            for group in duty_groups(scenario, tier):
                self.tier_groups[t].append(len(self.groups))
                self.groups.append((t, group.label, group.intervals))
                self.group_members.append([])
                self.group_on.append(group.intervals is None)
                sizes.append(group.size)

        self.workforce = WorkforceModel(self, scenario.workforce, rng)
        for t in range(tiers):
            joiners = self.workforce.initial_joiners(t)
            for g in self.tier_groups[t]:
                for _ in range(sizes[g]):
                    self.add_agent(t, g, "initial", learner=joiners > 0)
                    joiners -= 1
        for g, (_, _, intervals) in enumerate(self.groups):
            if intervals is not None:
                self._roster(g, intervals)
        self.workforce.start()

        # -- hourly snapshots of the state, for the timeline
        # NOTE: one flat tuple per hour (open, then per tier queued, busy, on duty,
        # vacancies, reserve on duty, overtime), turned into arrays after the run: far
        # cheaper than numpy row writes every hour. Waiting is the sum of the tiers' queued.
        self._snapshots: list[tuple[int, ...]] = []
        self._snapshot(None)  # at t = 0, then every hour before the horizon
        self.clock.every(1.0, self._snapshot)

    # ------------------------------------------------------------------ running

    def run(self) -> None:
        """Run to the horizon (open tickets stay open) and close the books."""
        env = self.env
        heap, step, enter = env._queue, env.step, self._enter
        abandons, patience = self.abandons, self.patience
        first = self._place_backlog() if self.backlog is not None else 0
        arrivals = self.arrived[first:bisect_left(self.arrived, self.horizon)]
        for i, t in enumerate(arrivals, first):
            # Events due at the arrival instant go first, as if scheduled before it.
            while heap and heap[0][0] <= t:
                step()
            # NOTE: the clock is set to the drawn instant itself, so recorded times
            # equal the drawn ones to the last bit.
            env._now = t
            self.next_ticket = i + 1
            enter(0, i)
            if abandons and patience[i] != _INF:
                self._watch_patience(i)
        env.run(until=self.horizon)
        tiers = len(self.levels)
        shots = np.array(self._snapshots, dtype=np.int32).reshape(-1, 1 + 6 * tiers)
        self.snapshot_open = shots[:, 0]
        (self.snapshot_queued, self.snapshot_busy, self.snapshot_on_duty,
         self.snapshot_vacancies, self.snapshot_reserve, self.snapshot_overtime) = (
            shots[:, 1 + k * tiers: 1 + (k + 1) * tiers] for k in range(6))
        self.snapshot_waiting = self.snapshot_queued.sum(axis=1, dtype=np.int32)
        for a, on in enumerate(self.agent_on):
            if on:
                self.on_duty_time[a] += self.horizon - self.on_since[a]
        # Work in progress at the horizon counts as effort and busy time up to the horizon.
        for a, i in enumerate(self.agent_ticket):
            if i >= 0:
                worked = self.horizon - self.agent_started[a]
                self.busy_time[a] += worked
                if self.agent_mode[a] != HELP_WAIT:
                    self.effort_spent[i] += worked

    # ------------------------------------------------------------------ tickets

    def _watch_patience(self, i: int) -> None:
        """Ticket `i` has just arrived: if it waits, it gives up after its patience."""
        if self.first_response[i] != self.first_response[i]:  # NaN: nobody has started it
            Timeout(self.env, self.patience[i], i).callbacks.append(self._patience_over)

    def _enter(self, q: int, i: int) -> None:
        """Ticket `i` joins queue `q`: straight to an idle agent, or into the queue."""
        raise NotImplementedError

    def _queue_up(self, q: int, i: int) -> None:
        if not (self.preemptive and self._preempt(q, i)):
            self.queues[q][self.queue_class[i]].append(i)
            self.queued[q] += 1

    def _order_by_channel(self, scenario: Scenario, tickets: TicketStream, classes: int
                          ) -> None:
        """Set up ``team.channel_order`` in the entry queue (queue 0), if it has an effect.

        A ticket nobody has started waits in class ``channel rank x classes + its class``
        there: channel rank first, then priority (or arrival alone with fifo). A started
        ticket back in queue 0 (bounced back, preempted) nobody is on hold for: it
        ranks with the last channel class. Other queues order by priority alone.
        """
        ranks = channel_ranks(scenario)
        self.channel_classes = max(ranks) + 1
        if self.channel_classes == 1:
            return  # NOTE: one class (e.g. one channel): _queue_up stays the plain one
        self.entry_class = [ranks[c] * classes + k
                            for c, k in zip(tickets.channel.tolist(), self.queue_class,
                                            strict=True)]
        self.answered_class = (self.channel_classes - 1) * classes
        self._queue_up = self._queue_up_by_channel  # type: ignore[method-assign]

    def _queue_class(self, q: int, i: int) -> int:
        """The class ticket `i` waits in at queue `q`."""
        if q or self.channel_classes == 1:
            return self.queue_class[i]
        started = self.first_response[i] == self.first_response[i]  # not NaN
        return self.answered_class + self.queue_class[i] if started else self.entry_class[i]

    def _queue_up_by_channel(self, q: int, i: int) -> None:
        if not (self.preemptive and self._preempt(q, i)):
            self.queues[q][self._queue_class(q, i)].append(i)
            self.queued[q] += 1

    def _patience_over(self, event: Timeout) -> None:
        i = event._value
        # NaN != NaN: nobody has started the ticket, so it is still in the first queue.
        if self.first_response[i] != self.first_response[i]:
            self.abandoned[i] = True
            self.queued[0] -= 1
            self.closed += 1

    def _entry_queue(self, i: int) -> int:
        """The queue ticket `i` waits in before anyone has started it (agent groups: its
        skill's)."""
        return 0

    def _left_queue(self, i: int) -> None:
        """Ticket `i`, nobody has started, left its entry queue (gave up, maybe to retry)."""

    def _pop(self, q: int) -> int:
        """The next ticket of queue `q`, whose count is above 0 (callers check it first:
        most find the queue empty). Abandoned tickets are dropped here, lazily."""
        abandoned = self.abandoned
        for waiting in self.queues[q]:
            while waiting:
                i = waiting.popleft()
                if not abandoned[i]:
                    self.queued[q] -= 1
                    return i
        raise AssertionError(f"queue {q} counts {self.queued[q]} tickets but holds none")

    def _resolve(self, i: int, level: int, a: int) -> None:
        self.resolver[i] = a
        self.resolved_at[i] = self.env._now
        self.resolved_by[i] = level
        self.closed += 1

    # ------------------------------------------------------------------ services

    def _serve(self, a: int, i: int, duration: float, mode: int) -> None:
        """Agent `a` works on ticket `i` for `duration` hours in `mode`."""
        env = self.env
        now = env._now
        if self.preemptive:
            # A preempted completion stays in the queue, so each service gets its own event.
            event = self.clock.reusable_event(a)
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
        self.busy[self.agent_tier[a]] += 1

    def _stop(self, a: int) -> tuple[int, float]:
        """End agent `a`'s current service now: book time, return (ticket, hours worked)."""
        i = self.agent_ticket[a]
        worked = self.env._now - self.agent_started[a]
        self.busy_time[a] += worked
        self.busy[self.agent_tier[a]] -= 1
        self.agent_ticket[a] = -1
        return i, worked

    def _finish(self, event: Event) -> None:
        raise NotImplementedError

    def _preemptible(self, a: int) -> bool:
        return True

    def _preempt(self, q: int, i: int) -> bool:
        """Take an agent from the least urgent ticket less urgent than `i`, if any."""
        rank = self.rank
        victim, victim_key = -1, (rank[i], math.inf)
        for t in self._preempt_tiers(q):
            for a in self.tier_agents[t]:
                j = self.agent_ticket[a]
                if (j >= 0 and self.agent_on[a] and self._preemptible(a)
                        and (rank[j], self.agent_started[a]) > victim_key):
                    victim, victim_key = a, (rank[j], self.agent_started[a])
        if victim < 0:
            return False
        mode = self.agent_mode[victim]
        remaining = self.agent_end[victim] - self.env._now
        j, worked = self._stop(victim)
        self.effort_spent[j] += worked
        self.remaining[j] = (remaining, mode)
        self.agent_event[victim] = None
        # The preempted ticket resumes first among its class: it has waited longest.
        self.queues[q][self._queue_class(q, j)].appendleft(j)
        self.queued[q] += 1
        self._start(victim, i)
        return True

    def _preempt_tiers(self, q: int) -> list[int]:
        return [q]

    def _start(self, a: int, i: int) -> None:
        raise NotImplementedError

    def _multiplier(self, a: int) -> float:
        """Effort multiplier of agent `a` now (1.0 once proficient)."""
        now = self.env._now
        if now >= self.proficient_at[a]:
            return 1.0
        return self.workforce.multiplier(now - self.joined_at[a])

    # ------------------------------------------------------------------ agents

    def add_agent(self, t: int, g: int, origin: str, *, learner: bool, active: bool = True
                  ) -> int:
        """A new agent of tier `t` in duty group `g`; returns its index."""
        a = len(self.agent_tier)
        now = self.env._now
        self.agent_tier.append(t)
        self.agent_group.append(g)
        self.agent_origin.append(origin)
        self.joined_at.append(now)
        self.left_at.append(NAN)
        self.leave_reason.append("")
        self.proficient_at.append(self.workforce.proficient_after(now) if learner else -math.inf)
        self.in_hours.append(self.group_on[g])
        self.present.append(True)
        self.active.append(active)
        self.agent_on.append(False)
        self.agent_ticket.append(-1)
        self.agent_event.append(None)
        self.agent_started.append(0.0)
        self.agent_end.append(0.0)
        self.agent_mode.append(RESOLVE)
        self.busy_time.append(0.0)
        self.on_duty_time.append(0.0)
        self.on_since.append(now)
        self.overtime_time.append(0.0)
        self.overrun_until.append(NAN)
        self._completions.append(self.clock.reusable_event(a))
        self.tier_agents[t].append(a)
        self.group_members[g].append(a)
        if origin == "hire":
            self.events.append((now, "join", self.levels[t], a, origin))
        self.workforce.on_join(a)
        self.refresh(a)
        return a

    def leave(self, a: int, reason: str) -> None:
        """Agent `a` leaves now; a ticket in hand is finished first (no new ones taken)."""
        self.present[a] = False
        self.left_at[a] = self.env._now
        self.leave_reason[a] = reason
        self.events.append((self.env._now, "leave", self.levels[self.agent_tier[a]], a, reason))
        self.refresh(a)

    def agent_group_name(self, a: int) -> str:
        """Agent `a`'s agent group (``team.tiers.lN.groups``): none without routing."""
        return ""

    # ------------------------------------------------------------------ timeline

    def tier_queued(self) -> list[int]:
        """Tickets waiting for each tier (for the timeline)."""
        return self.queued

    def oldest_wait(self, t: int) -> float:
        """Age in hours of the oldest ticket waiting for tier `t` (surge trigger)."""
        raise NotImplementedError

    def _oldest(self, queues: list[deque[int]], since: Callable[[int], float]) -> float:
        now = self.env._now
        oldest = now
        for waiting in queues:
            # Abandoned tickets were already taken off the count; drop them from the head.
            while waiting and self.abandoned[waiting[0]]:
                waiting.popleft()
            if waiting:
                oldest = min(oldest, since(waiting[0]))
        return now - oldest

    #: Methods after which the counts of :meth:`tier_queued` may have changed.
    QUEUE_CHANGES: tuple[str, ...] = ("_queue_up", "_pop", "_patience_over")

    def watch_queues(self, changed: Callable[[], None]) -> None:
        """Call `changed` after each call that may change :meth:`tier_queued`.

        NOTE: the ``QUEUE_CHANGES`` methods are wrapped on this desk only, so a desk
        nobody watches pays nothing.
        """
        for name in self.QUEUE_CHANGES:
            setattr(self, name, _then(getattr(self, name), changed))

    def _state(self) -> tuple[int, ...]:
        """The desk now, as one row of the hourly timeline (order in ``__init__``)."""
        return (self.next_ticket - self.closed, *self.tier_queued(), *self.busy,
                *self.on_duty, *self.workforce.vacancies, *self.reserve_on_duty,
                *self._overtime_agents())

    def _snapshot(self, event: Event | None) -> None:
        self._snapshots.append(self._state())
        self.workforce.snapshot()


def _then(method: Callable[..., Any], after: Callable[[], None]) -> Callable[..., Any]:
    """`method`, followed by a call of `after`."""
    def then(*args: Any) -> Any:
        result = method(*args)
        after()
        return result
    return then
