"""Workforce dynamics inside one replication: learning curves, attrition and hiring,
the reserve, and knowledge management.

All of it is off unless the scenario has the matching ``[workforce.*]`` section; then
it costs a few events per agent-year (leaving, joining) plus, for a surge reserve, one
trigger check every ``check`` hours. Random draws (who leaves when) come from the
replication's engine stream, in event order, so a replication is reproducible.

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
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
from simpy.events import Timeout

from supportsim.scenario._workforce import Workforce

if TYPE_CHECKING:
    from supportsim.engine._desk import Desk

__all__ = ["WorkforceModel", "learning_multiplier"]

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


class WorkforceModel:
    """The workforce mechanisms of one desk (all inert when `spec` is None)."""

    def __init__(self, desk: Desk, spec: Workforce | None, rng: np.random.Generator) -> None:
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
        self.any = bool(self.departures) or any(
            m is not None for m in (self.learning, self.attrition, self.reserve))
        steps = math.ceil(desk.horizon)
        self.snapshot_vacancies = np.zeros((steps, tiers), dtype=np.int32)
        self.snapshot_reserve = np.zeros((steps, tiers), dtype=np.int32)
        self.snapshot_effective = np.zeros((steps, tiers), dtype=np.float64)

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
                desk.every(self.reserve.check, self._surge_check)
        for departure in self.departures:
            t = desk.scenario.levels.index(int(departure.tier[1]))
            times = departure.at + self.rng.random(departure.count) * departure.within
            for when in np.sort(times).tolist():
                if when < desk.horizon:
                    Timeout(desk.env, when, (t, departure.refill)).callbacks.append(
                        self._planned_departure)

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
        t, refill = event._value
        desk = self.desk
        staying = [a for a in desk.tier_agents[t]
                   if desk.present[a] and desk.agent_origin[a] != "reserve"]
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

    def _surge_check(self, event: Timeout | None) -> None:
        """Read the trigger of every tier with a reserve; call or release the surge.

        Runs every `check` hours for the whole horizon (:meth:`Desk.every`).
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

    def _surge_join(self, t: int) -> Generator[Timeout, None, None]:
        assert self.reserve is not None
        yield self.desk.env.timeout(self.reserve.delay)
        if self.surge_called[t]:  # still needed after the delay
            self._set_reserve(t, self.reserve_agents[t], True, "surge_on")

    # ------------------------------------------------------------------ timeline

    def snapshot(self, step: int) -> None:
        """Record vacancies, reserve on duty and effective FTE per tier at this hour."""
        if not self.any:
            return  # nothing changes: effective FTE is on duty (see ReplicationRecord)
        desk = self.desk
        self.snapshot_vacancies[step] = self.vacancies
        for t, agents in enumerate(self.reserve_agents):
            self.snapshot_reserve[step, t] = sum(desk.agent_on[a] for a in agents)
        if self.learning is None:
            self.snapshot_effective[step] = desk.on_duty
            return
        now = desk.env.now
        # Stable agents count 1 each: only the (few) agents still on the curve need a sum.
        self.learners = [a for a in self.learners if now < desk.proficient_at[a]]
        effective = self.snapshot_effective[step]
        effective[:] = desk.on_duty
        for a in self.learners:
            if desk.agent_on[a]:
                effective[desk.agent_tier[a]] -= 1.0 - 1.0 / self.multiplier(
                    now - desk.joined_at[a])
