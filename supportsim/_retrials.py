"""Retrials: customers who abandon and try again (``demand.channels.NAME.retry``).

Everything is drawn before the run, vectorised, from two demand streams of their own
(``retry``, ``retry_after``), so a scenario whose channels never retry draws exactly as
before and a retrial never shifts another attribute's draws.

The rule (docs/assumptions.md, "Retrials"): each time a ticket of a channel with
``retry = p`` abandons, its customer tries again with probability p, independently of
earlier attempts, at most :data:`MAX_RETRIALS` times. Drawn exactly as a *budget* per
ticket, the number of tries it would make if every attempt abandoned:
``R = min(floor(ln U / ln p), MAX_RETRIALS)`` with U uniform on (0, 1], so
``P(R >= k) = p^k`` (a geometric count of successes before the first failure). A ticket
retries on its k-th abandonment if ``k <= R``: the same law as a fresh Bernoulli(p) per
abandonment. Its R delays (``retry_after``) are drawn with it, stored flat: ticket i's
k-th retrial waits ``delays[first[i] + k - 1]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from supportsim.distributions import draw

if TYPE_CHECKING:
    from supportsim.demand import TicketStream
    from supportsim.scenario import Scenario

__all__ = ["MAX_RETRIALS", "bytes_per_ticket", "draw_retrials", "mean_budget",
           "retrials_after"]

#: Most retrials of one ticket: the (MAX_RETRIALS + 1)-th abandonment is final. With
#: retry = 0.9 a budget reaches it with probability 0.9^100 = 2.7e-5.
MAX_RETRIALS = 100

#: Memory per pre-drawn delay: the float64 delay, the engine's copy of it, and the int8
#: channel and bool mask used while drawing (counted, not measured).
_BYTES_PER_DELAY = 18
#: Memory per ticket when a channel retries: its budget (int8) and first-delay index
#: (int64), and the engine's lists of both (a pointer each, an int object per index).
_BYTES_PER_TICKET = 60

Retrials = tuple[np.ndarray, np.ndarray, np.ndarray]


def bytes_per_ticket(scenario: Scenario) -> float:
    """Expected memory the retrial draws add per ticket (0 when no channel retries).

    Each ticket of a channel with ``retry = p`` holds ``E[R] = sum_{k=1}^{100} p^k``
    delays (:func:`mean_budget`): 1 at p = 0.5, 9 at p = 0.9, 100 at p = 1.
    """
    channels = scenario.demand.channels
    if not any(c.retry > 0 for c in channels.values()):
        return 0.0
    # A channel with opening hours may hand any of its tickets to its `closed` channel:
    # counted at the larger of the two budgets (an upper bound, as a size guard wants).
    delays = sum(c.share * max(mean_budget(c.retry), mean_budget(channels[c.closed].retry)
                               if c.closed is not None else 0.0)
                 for c in channels.values())
    return _BYTES_PER_TICKET + _BYTES_PER_DELAY * delays


def draw_retrials(scenario: Scenario, channel: np.ndarray,
                  stream: Callable[[str], np.random.Generator]) -> Retrials | None:
    """Budgets, first-delay indices and the flat delays of the tickets of `channel`.

    None when no channel retries: nothing is drawn and the engine does no retrial work.

    Returns
    -------
    (budget, first, delays)
        ``budget`` (int8, per ticket): retrials left if every attempt abandons;
        ``first`` (int64, per ticket): index of its first delay in ``delays``;
        ``delays`` (float64, ``budget.sum()`` values): hours until each retrial.
    """
    channels = list(scenario.demand.channels.values())
    p = np.array([c.retry for c in channels], dtype=np.float64)
    if not (p > 0).any():
        return None
    n = channel.size
    u = 1.0 - stream("retry").random(n)  # in (0, 1]: ln U is finite
    share = p[channel]
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.floor(np.log(u) / np.log(share))
    budget = np.where(share >= 1.0, MAX_RETRIALS,
                      np.where(share > 0.0, np.minimum(np.nan_to_num(raw), MAX_RETRIALS), 0))
    budget = budget.astype(np.int8)
    first = np.zeros(n, dtype=np.int64)
    np.cumsum(budget[:-1], out=first[1:])
    owner_channel = np.repeat(channel, budget)
    delays = np.empty(owner_channel.size)
    rng = stream("retry_after")
    for index, spec in enumerate(channels):
        # A key per channel in file order, drawn whether it retries or not: a channel's
        # delays do not depend on the others' counts.
        key = rng.integers(2**63)
        if spec.retry <= 0:
            continue
        mine = owner_channel == index
        sub = np.random.default_rng(int(key))
        after = spec.retry_after
        assert after is not None  # the schema requires it with retry > 0
        count = int(mine.sum())
        delays[mine] = (sub.exponential(after, count) if isinstance(after, float)
                        else draw(after, sub, count))
    return budget, first, delays


def retrials_after(tickets: TicketStream, count: int) -> dict[str, np.ndarray | None]:
    """The retrial fields of `tickets` with `count` tickets that never retry put first
    (the [initial] backlog: nobody is on hold for a logged ticket)."""
    if tickets.retry_budget is None:
        return {}
    assert tickets.retry_first is not None
    return {"retry_budget": np.concatenate([np.zeros(count, np.int8), tickets.retry_budget]),
            "retry_first": np.concatenate([np.zeros(count, np.int64), tickets.retry_first]),
            "retry_delays": tickets.retry_delays}


def mean_budget(p: float) -> float:
    """Expected budget ``E[min(R, MAX_RETRIALS)] = sum_{k=1}^{MAX} p^k``."""
    if p >= 1.0:
        return float(MAX_RETRIALS)
    return p * (1.0 - p**MAX_RETRIALS) / (1.0 - p) if p > 0 else 0.0

