"""Workforce dynamics inside one replication: learning curves, attrition and hiring,
the reserve, and knowledge management.

All of it is off unless the scenario has the matching ``[workforce.*]`` section; then
it costs a few events per agent-year (leaving, joining) plus, for a surge reserve, the
trigger checks: every ``check`` hours for a wait trigger, only where it can act for a
backlog trigger. Random draws (who leaves when) come from the replication's engine
stream, in event order, so a replication is reproducible.

Choices (documented in docs/assumptions.md):

- a leaver finishes the ticket in hand, takes no new one, and is off the books at once;
- planned departures (``[[workforce.departures]]``) pick their leavers at random among
  the tier's agents still there, at uniform random times in ``[at, at + within]``;
- the seat is refilled ``hiring_lead`` later (not inside a hiring freeze) by a joiner on
  the learning curve, in the leaver's duty group;
- reserve agents do not leave; the reserve of a tier is ``round(fraction x staff)``,
  rounding halves up, spread over the tier's duty groups in turn;
- knowledge management: L1 resolves the share ``l1_gain x min(t / ramp, 1)`` of
  L2-needing tickets (a linear ramp), with L1's effort draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any, Protocol

import numpy as np
import simpy
from simpy.events import Event, Timeout

from supportsim.engine._clock import Clock
from supportsim.scenario import Scenario
from supportsim.scenario._workforce import Workforce

__all__ = ["Staffing", "WorkforceModel", "learning_multiplier"]

HOURS_PER_YEAR = 8760.0


def learning_multiplier(tenure: np.ndarray | float, learning: float, improvement: float,
                        start: float, plateau: float) -> np.ndarray:
    """Effort multiplier by tenure (hours): ``start`` -> ``plateau`` -> 1.0, piecewise linear."""
    tenure = np.asarray(tenure, dtype=float)
    first = start + (plateau - start) * np.clip(tenure / learning, 0.0, 1.0)
    later = (plateau + (1.0 - plateau) * np.clip((tenure - learning) / improvement, 0.0, 1.0)
             if improvement > 0 else np.ones_like(tenure))
    return np.where(tenure < learning, first, later)


def phase(tenure: float, learning: float, improvement: float) -> str:
    """Phase of the learning curve at `tenure` hours."""
    if tenure < learning:
        return "learning"
    return "improvement" if tenure < learning + improvement else "stable"


class Staffing(Protocol):
    """What the workforce model reads and calls on the desk it staffs.

    The desk (:class:`supportsim.engine._desk.Desk`) satisfies it structurally, so this
    module does not import the desk: the desk depends on the workforce model, and the
    model only on this interface (per-agent lists are indexed by agent number).
    """

    env: simpy.Environment
    clock: Clock
    scenario: Scenario
    horizon: float
    levels: list[int]
    tier_groups: list[list[int]]
    tier_agents: list[list[int]]
    agent_tier: list[int]
    agent_group: list[int]
    agent_origin: list[str]
    joined_at: list[float]
    proficient_at: list[float]
    present: list[bool]
    active: list[bool]
    agent_on: list[bool]
    events: list[tuple[float, str, int, int, str]]

    def add_agent(self, t: int, g: int, origin: str, *, learner: bool,
                  active: bool = True) -> int:
        """A new agent of tier `t` in duty group `g`; returns its index."""

    def leave(self, a: int, reason: str) -> None:
        """Agent `a` leaves now (finishing the ticket in hand)."""

    def agent_group_name(self, a: int) -> str:
        """Agent `a`'s agent group (``team.tiers.lN.groups``); "" in a tier without."""

    def refresh(self, a: int) -> None:
        """Bring agent `a`'s on-duty state in line with hours, presence and activation."""

    def tier_queued(self) -> list[int]:
        """Tickets waiting for each tier."""

    def oldest_wait(self, t: int) -> float:
        """Age in hours of the oldest ticket waiting for tier `t`."""

    def watch_queues(self, changed: Callable[[], None]) -> None:
        """Call `changed` after each change of :meth:`tier_queued`."""


class WorkforceModel:
    """The workforce mechanisms of one desk (all inert when `spec` is None)."""

    def __init__(self, desk: Staffing, spec: Workforce | None, rng: np.random.Generator) -> None:
        self.desk = desk
        self.rng = rng
        spec = spec or Workforce()
        self.learning = spec.learning
        self.attrition = spec.attrition
        self.reserve = spec.reserve
        self.knowledge = spec.knowledge
        self.departures = spec.departures
        self.learners: list[int] = []  # agents who joined on the curve and may still be on it
        tiers = len(desk.levels)
        self.vacancies = [0] * tiers
        self.reserve_agents: list[list[int]] = [[] for _ in range(tiers)]
        self.backfilling: dict[int, int] = {}  # hire ticket id -> reserve agent covering it
        self.surge_called = [False] * tiers
        self._hires = 0
        # Hourly, with learning: FTE the agents on duty lack while on the curve, per tier.
        self._no_deficit = (0.0,) * tiers
        self._deficits: list[tuple[float, ...]] = []

    # ------------------------------------------------------------------ learning

    def initial_joiners(self, t: int) -> int:
        """How many of tier `t`'s initial agents are new on day one."""
        if self.learning is None:
            return 0
        name = f"l{self.desk.levels[t]}"
        return int(self.learning.initial_joiners.get(name, 0))  # type: ignore[call-overload]

    def proficient_after(self, joined: float) -> float:
        """Instant a joiner at `joined` reaches the stable phase."""
        if self.learning is None:
            return -math.inf
        return joined + self.learning.learning + self.learning.improvement

    def multiplier(self, tenure: float) -> float:
        """Effort multiplier at `tenure` hours (1.0 without a learning section).

        NOTE: scalar twin of :func:`learning_multiplier` (tested equal): it runs at every
        service a learner starts, where numpy's per-call overhead would dominate.
        """
        spec = self.learning
        if spec is None:
            return 1.0
        if tenure < spec.learning:
            return spec.start + (spec.plateau - spec.start) * max(tenure, 0.0) / spec.learning
        if spec.improvement > 0 and tenure < spec.learning + spec.improvement:
            return spec.plateau + (1.0 - spec.plateau) * (tenure - spec.learning) / spec.improvement
        return 1.0

    def extra_escalation(self, multiplier: float) -> float:
        """Extra escalation probability, fading with the curve: ``escalation`` on day one."""
        spec = self.learning
        if spec is None or spec.escalation == 0 or spec.start <= 1.0:
            return 0.0
        return spec.escalation * (multiplier - 1.0) / (spec.start - 1.0)

    def phase_of(self, a: int, at: float) -> str:
        """Learning phase of agent `a` at instant `at`."""
        desk = self.desk
        if self.learning is None or desk.proficient_at[a] == -math.inf:
            return "stable"
        return phase(at - desk.joined_at[a], self.learning.learning, self.learning.improvement)

    # ------------------------------------------------------------------ knowledge

    def knowledge_share(self, now: float) -> float:
        """Share of L2-needing tickets L1 resolves at `now`."""
        spec = self.knowledge
        if spec is None:
            return 0.0
        return spec.l1_gain * min(now / spec.ramp, 1.0)

    # ------------------------------------------------------------------ attrition

    def start(self) -> None:
        """Create the reserve and start the processes (after the initial agents exist)."""
        desk = self.desk
        if self.reserve is not None:
            active = self.reserve.mode == "pool"
            for t, tier in enumerate(desk.scenario.team.tiers.values()):
                count = math.floor(self.reserve.fraction * tier.headcount + 0.5)
                groups = desk.tier_groups[t]
                for k in range(count):
                    a = desk.add_agent(t, groups[k % len(groups)], "reserve", learner=False,
                                       active=active)
                    self.reserve_agents[t].append(a)
            if self.reserve.mode == "surge":
                assert self.reserve.trigger is not None
                if self.reserve.trigger.backlog is not None:
                    self._watch_backlog()
                else:  # the oldest wait grows with the clock itself: read it every check
                    desk.clock.every(self.reserve.check, self._surge_check, late=True)
        for departure in self.departures:
            t = desk.scenario.levels.index(int(departure.tier[1]))
            times = departure.at + self.rng.random(departure.count) * departure.within
            for when in np.sort(times).tolist():
                if when < desk.horizon:
                    Timeout(desk.env, when, (t, departure.refill, departure.group)
                            ).callbacks.append(self._planned_departure)

    def on_join(self, a: int) -> None:
        """Note a learner; schedule `a`'s departure if attrition is on (not for the reserve)."""
        desk = self.desk
        if desk.proficient_at[a] > desk.env.now:
            self.learners.append(a)
        if self.attrition is None or desk.agent_origin[a] == "reserve":
            return
        rate = (self.attrition.annual_rate + self.attrition.transfers) / HOURS_PER_YEAR
        if rate <= 0:
            return
        delay = float(self.rng.exponential(1.0 / rate))
        if desk.env.now + delay < desk.horizon:
            Timeout(desk.env, delay, a).callbacks.append(self._depart)

    def _depart(self, event: Timeout) -> None:
        a = event._value
        assert self.attrition is not None
        if not self.desk.present[a]:
            return  # already gone in a planned departure
        total = self.attrition.annual_rate + self.attrition.transfers
        reason = "transfer" if self.rng.random() * total < self.attrition.transfers else "attrition"
        self._vacate(a, reason, self.attrition.hiring_lead)

    def _planned_departure(self, event: Timeout) -> None:
        t, refill, group = event._value
        desk = self.desk
        staying = [a for a in desk.tier_agents[t]
                   if desk.present[a] and desk.agent_origin[a] != "reserve"
                   and (group is None or desk.agent_group_name(a) == group)]
        if staying:  # who goes is drawn at random among those still there
            self._vacate(staying[int(self.rng.integers(len(staying)))], "departure", refill)

    def _vacate(self, a: int, reason: str, refill: float | None) -> None:
        """Agent `a` leaves; the seat stays empty, refilled `refill` hours later if given."""
        desk = self.desk
        desk.leave(a, reason)
        t, g = desk.agent_tier[a], desk.agent_group[a]
        self.vacancies[t] += 1
        hire = self._hires
        self._hires += 1
        if refill is not None:
            start = desk.env.now + refill
            freeze = self.attrition.hiring_freeze if self.attrition is not None else None
            if freeze is not None and freeze[0] <= start < freeze[1]:
                start = freeze[1]
            if start < desk.horizon:
                Timeout(desk.env, start - desk.env.now, (t, g, hire)).callbacks.append(
                    self._hire)
        if self.reserve is not None and self.reserve.mode == "backfill":
            self._backfill(t, hire)

    def _hire(self, event: Timeout) -> None:
        t, g, hire = event._value
        desk = self.desk
        self.vacancies[t] -= 1
        covering = self.backfilling.pop(hire, None)
        if covering is not None:
            self._set_reserve(t, [covering], False, "backfill_end")
        desk.add_agent(t, g, "hire", learner=self.learning is not None)

    # ------------------------------------------------------------------ reserve

    def _backfill(self, t: int, hire: int) -> None:
        busy = set(self.backfilling.values())
        free = [a for a in self.reserve_agents[t] if a not in busy]
        if not free:
            return
        self.backfilling[hire] = free[0]
        assert self.reserve is not None
        Timeout(self.desk.env, self.reserve.delay, (t, free[0], hire)).callbacks.append(
            self._backfill_start)

    def _backfill_start(self, event: Timeout) -> None:
        t, a, hire = event._value
        if self.backfilling.get(hire) == a:  # the hire has not arrived during the delay
            self._set_reserve(t, [a], True, "backfill")

    def _set_reserve(self, t: int, agents: list[int], active: bool, kind: str) -> None:
        desk = self.desk
        for a in agents:
            desk.active[a] = active
            desk.refresh(a)
        desk.events.append((desk.env.now, kind, desk.levels[t], -1, str(len(agents))))

    def _surge_check(self, event: Event | None) -> None:
        """Read the trigger of every tier with a reserve; call or release the surge.

        Runs every `check` hours for a wait trigger (:meth:`Clock.every`); for a backlog
        trigger only at the checks where it acts (:meth:`_watch_backlog`). A check reads
        the state after everything else due at its instant (``late``), so which
        events share its instant, or when they were scheduled, does not matter.
        """
        desk = self.desk
        reserve = self.reserve
        assert reserve is not None and reserve.trigger is not None
        trigger = reserve.trigger
        backlog = trigger.backlog is not None
        threshold = float(trigger.backlog if backlog else trigger.wait)  # type: ignore[arg-type]
        queued = desk.tier_queued() if backlog else []
        for t, agents in enumerate(self.reserve_agents):
            if agents:
                measure = queued[t] if backlog else desk.oldest_wait(t)
                if not self.surge_called[t] and measure >= threshold:
                    self.surge_called[t] = True
                    desk.events.append((desk.env.now, "surge_call", desk.levels[t], -1,
                                        f"{measure:g}"))
                    desk.env.process(self._surge_join(t))
                elif self.surge_called[t] and measure < reserve.release * threshold:
                    self.surge_called[t] = False
                    self._set_reserve(t, agents, False, "surge_off")

    def _watch_backlog(self) -> None:
        """Read a backlog trigger only at the checks where it can act.

        A check (every `check` hours) acts on a tier when its queue is at or above the
        threshold (surge not called) or below ``release x threshold`` (called). Queue
        counts change only where tickets join or leave a queue, so the desk reports each
        change (:meth:`Desk.watch_queues`), and a check is scheduled at the next multiple
        of `check` only while some tier's condition holds. The checks that act are the
        ones polling every `check` hours would make; the others, ~2 us each and most of
        a quiet desk's events, are never scheduled.
        """
        self._check_event = self.desk.clock.reusable_event(None)
        self._check_callbacks: list[Callable[[Any], None]] = [self._watched_check]
        self._check_due = False
        self._checks_done = 0  # k of the last check made, at k x check hours
        self._set_bounds()
        self.desk.watch_queues(self._backlog_changed)
        self._backlog_changed()

    def _set_bounds(self) -> None:
        """Per tier with a reserve, the queue counts at which no check would act:
        ``(t, low, high)`` for ``low <= queued < high``."""
        reserve = self.reserve
        assert reserve is not None and reserve.trigger is not None
        threshold = float(reserve.trigger.backlog)  # type: ignore[arg-type]
        self._bounds = [
            (t, *((reserve.release * threshold, math.inf) if self.surge_called[t]
                  else (-math.inf, threshold)))
            for t, agents in enumerate(self.reserve_agents) if agents]

    def _backlog_changed(self) -> None:
        if self._check_due:
            return
        queued = self.desk.tier_queued()
        for t, low, high in self._bounds:
            if not low <= queued[t] < high:
                self._schedule_check()
                return

    def _schedule_check(self) -> None:
        desk = self.desk
        now, period = desk.env._now, self.reserve.check  # type: ignore[union-attr]
        # The first check at or after now, later than the last one made: k x period as
        # Clock.every computes it, so both land on the same instants to the last bit.
        k = max(self._checks_done + 1, math.ceil(now / period))
        while k - 1 > self._checks_done and (k - 1) * period >= now:
            k -= 1
        while k * period < now:
            k += 1
        if k * period < desk.horizon:
            self._check_due = True
            self._check_event._value = k
            self._check_event.callbacks = self._check_callbacks
            desk.clock.schedule_at(self._check_event, k * period, late=True)

    def _watched_check(self, event: Event) -> None:
        self._check_due = False
        self._checks_done = event._value
        self._surge_check(event)
        self._set_bounds()
        self._backlog_changed()

    def _surge_join(self, t: int) -> Generator[Timeout, None, None]:
        assert self.reserve is not None
        yield self.desk.env.timeout(self.reserve.delay)
        if self.surge_called[t]:  # still needed after the delay
            self._set_reserve(t, self.reserve_agents[t], True, "surge_on")

    # ------------------------------------------------------------------ timeline

    def snapshot(self) -> None:
        """Record this hour's FTE deficit of learners on duty (nothing without learning)."""
        if self.learning is None:
            return
        desk = self.desk
        now = desk.env._now
        # Stable agents count 1 each: only the (few) agents still on the curve count here.
        self.learners = learners = [a for a in self.learners if now < desk.proficient_at[a]]
        if not learners:
            self._deficits.append(self._no_deficit)
            return
        deficit = list(self._no_deficit)
        for a in learners:
            if desk.agent_on[a]:
                deficit[desk.agent_tier[a]] += 1.0 - 1.0 / self.multiplier(
                    now - desk.joined_at[a])
        self._deficits.append(tuple(deficit))

    def effective_fte(self, on_duty: np.ndarray) -> np.ndarray:
        """Hourly effective FTE per tier, given the hourly agents on duty per tier."""
        if self.learning is None:
            return on_duty.astype(np.float64)
        return on_duty - np.array(self._deficits, dtype=np.float64).reshape(on_duty.shape)
