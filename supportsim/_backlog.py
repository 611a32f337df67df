"""The [initial] backlog as the first tickets of a replication's stream (DESIGN 10).

Backlog tickets come first in the stream, in order of opening, with negative arrival
times (hours before start). Their priority, channel and tier are given; the rest is
drawn like any ticket's, from a family of streams of their own (``spawn_key =
(replication, 2, stream)``), so a scenario without a backlog draws exactly the tickets it
always drew, and adding a backlog leaves the other tickets' draws unchanged (common
random numbers).

Two draws are conditioned on what is known:

- the need, when not given: from the ticket's priority's mix restricted to the tiers at
  or above the one it waits at (a ticket waiting at L2 was not fixable at L1);
- the work still to do at its tier: ``X - done`` given ``X > done``, where ``X`` is the
  effort (need met at that tier) or the triage (it will be escalated) of the scenario's
  distribution (:func:`supportsim.distributions.remaining`).

Backlog tickets never abandon: nobody is on hold for a ticket already logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from supportsim._errors import ScenarioError
from supportsim._retrials import retrials_after
from supportsim.demand import (
    STREAMS,
    TicketStream,
    _attributes,
    _choose,
    _mix_shares,
    _sites,
    _skills,
)
from supportsim.distributions import moments, remaining
from supportsim.scenario import Scenario
from supportsim.scenario._routing import skill_names
from supportsim.scenario._schema import TIERS, Distribution, Work

__all__ = ["with_backlog"]

#: Stream of the uniforms that draw the work still to do (next to :data:`STREAMS`).
REMAINING_STREAM = 100


def _stream(seed: int, replication: int, name: str) -> np.random.Generator:
    number = REMAINING_STREAM if name == "remaining" else STREAMS[name]
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(replication, 2, number)))


def _work(scenario: Scenario, priority: int, skill: int) -> Work:
    """The work of a ticket: [work], its priority's override, then its skill's."""
    work = scenario.work.for_priority(scenario.priority_names[priority])
    own = scenario.work.skills
    return work.then(own.get(skill_names(scenario)[skill]) if own else None)


def _conditional_needs(scenario: Scenario, rng: np.random.Generator, priority: np.ndarray,
                       tier: np.ndarray, given: np.ndarray, ids: tuple[str, ...],
                       skill: np.ndarray) -> np.ndarray:
    """Given needs, else drawn from the ticket's mix conditioned on need >= tier."""
    uniforms = rng.random(priority.size)
    need = given.copy()
    names = scenario.priority_names
    for k in np.flatnonzero(given == 0):
        shares = np.array(_mix_shares(_work(scenario, priority[k], skill[k])))
        shares[: tier[k] - 1] = 0.0
        total = shares.sum()
        if total <= 0:
            raise ScenarioError(
                f"initial.backlog: ticket {ids[k]!r} waits at {TIERS[tier[k] - 1]}, but the "
                f"mix of {names[priority[k]]} sends no ticket to {TIERS[tier[k] - 1]} or above;"
                " give its need")
        need[k] = _choose(list(shares / total), uniforms[k: k + 1])[0] + 1
    return need


def with_backlog(scenario: Scenario, seed: int, replication: int, tickets: TicketStream
                 ) -> TicketStream:
    """`tickets` with the scenario's backlog in front (the first ``initial`` tickets)."""
    backlog = scenario.backlog
    assert backlog is not None
    n = len(backlog)

    def stream(name: str) -> np.random.Generator:
        return _stream(seed, replication, name)

    # Sites: given, else drawn by [demand.sites] (the draw is made either way, so a row's
    # site leaves the other rows' sites unchanged).
    site = _sites(scenario, stream, n, None)
    if backlog.site is not None:
        site = np.where(backlog.site >= 0, backlog.site, site).astype(np.int8)
    # Skills: given, else drawn by the channel's shares (a stream of the backlog's own).
    skill = _skills(scenario, lambda: stream("skill"), backlog.channel, lambda: site)
    if backlog.skill is not None:
        skill = np.where(backlog.skill >= 0, backlog.skill, skill).astype(np.int8)
    need = _conditional_needs(scenario, stream("need"), backlog.priority, backlog.tier,
                              backlog.need, backlog.ids, skill)
    own = _attributes(scenario, stream, backlog.opened, np.zeros(n, dtype=bool),
                      backlog.priority, backlog.channel, need, site=site, skill=skill)
    effort, triage = own.effort.copy(), own.triage.copy()
    uniforms = stream("remaining").random(n)
    for k in range(n):
        level, fix = int(backlog.tier[k]), int(need[k])
        work = _work(scenario, backlog.priority[k], skill[k])
        # The work this tier does on it: the fix where its need is met (at the need's
        # effort, as the engine takes it), else the triage before escalating.
        table, row, kind = ((effort, fix, "effort") if fix <= level
                            else (triage, level, "triage"))
        specs: Mapping[Any, Distribution] = work.effort if kind == "effort" else work.triage
        spec = specs.get(TIERS[row - 1])
        if spec is None:
            raise ScenarioError(f"initial.backlog: ticket {backlog.ids[k]!r} at "
                                f"{TIERS[level - 1]} needs work.{kind}.{TIERS[row - 1]}")
        done = float(backlog.work_done[k])
        left = remaining(spec, np.array([done]), uniforms[k: k + 1])[0]
        if not np.isfinite(left):
            raise ScenarioError(
                f"initial.backlog: ticket {backlog.ids[k]!r} has work_done {done:g} h, beyond "
                f"the range of work.{kind}.{TIERS[row - 1]} (mean {moments(spec)[0]:g} h): the "
                "chance of so much work underflows; check the work done or the distribution")
        table[row - 1, k] = left
    responded = backlog.in_service | (backlog.work_done > 0) | (
        backlog.tier > min(scenario.levels))
    parts = (own, tickets)

    def cat(name: str, axis: int = 0) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts], axis=axis)

    return TicketStream(
        arrived_at=cat("arrived_at"), priority=cat("priority"), channel=cat("channel"),
        need=cat("need").astype(np.int8),
        # Never abandons: the customer is not on hold for a logged ticket any more.
        patience=np.concatenate([np.full(n, np.inf), tickets.patience]),
        storm=cat("storm"),
        effort=np.concatenate([effort, tickets.effort], axis=1),
        triage=np.concatenate([triage, tickets.triage], axis=1),
        retriage=cat("retriage", 1), bounce_draw=cat("bounce_draw", 1),
        learning_draw=cat("learning_draw", 1), knowledge_draw=cat("knowledge_draw"),
        review=cat("review", 1), wave=cat("wave"), site=cat("site"),
        skill=np.concatenate([skill, tickets.skill]),
        initial=n, initial_tier=backlog.tier.copy(), in_service=backlog.in_service.copy(),
        responded=responded, **retrials_after(tickets, n),
    )
