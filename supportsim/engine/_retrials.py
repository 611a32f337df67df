"""Retrials in the engine: a customer who abandons may come back (``retry``).

Set up only when the ticket stream has retrial draws (:mod:`supportsim._retrials`): a
desk without them keeps :meth:`Desk._patience_over` as it was and pays nothing.

An abandonment the ticket's budget covers takes it out of the entry queue at once (it
is not marked abandoned, so the lazy drop in ``Desk._pop`` never sees it) and schedules
its return after its next drawn delay. On return it counts one more retrial and joins
the entry queue like a new arrival, at the back of its class (its channel's rank: a
customer back on hold is live again), with a fresh patience clock of the same drawn
patience. `arrived_at` stays the first arrival, so waits and SLA clocks run from it. A
ticket away at the horizon is open, not abandoned: only its last attempt decides.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from simpy.events import Timeout

if TYPE_CHECKING:
    from supportsim.demand import TicketStream
    from supportsim.engine._desk import Desk

__all__ = ["Retrials"]


class Retrials:
    """The retrial mechanics of one desk (installed by :meth:`install`)."""

    def __init__(self, desk: Desk, tickets: TicketStream) -> None:
        assert tickets.retry_budget is not None and tickets.retry_first is not None
        assert tickets.retry_delays is not None
        self.desk = desk
        self.budget = tickets.retry_budget.tolist()
        self.first = tickets.retry_first.tolist()
        self.delays = array("d", tickets.retry_delays.tobytes())

    @classmethod
    def install(cls, desk: Desk, tickets: TicketStream) -> None:
        """Give `desk` retrials, if the stream has any budget; else note the column
        unwritten."""
        budget = tickets.retry_budget
        if budget is None or not budget.any() or not desk.abandons:
            desk.unwritten.add("retrials")
            return
        desk.retrials = [0] * desk.n
        desk._patience_over = cls(desk, tickets).patience_over  # type: ignore[method-assign]

    def patience_over(self, event: Timeout) -> None:
        desk = self.desk
        i = event._value
        # NaN != NaN: nobody has started the ticket, so it is still in the entry queue.
        if desk.first_response[i] == desk.first_response[i]:
            return
        q = desk._entry_queue(i)
        desk.queued[q] -= 1
        k = desk.retrials[i]
        if k < self.budget[i]:
            desk.queues[q][desk._queue_class(q, i)].remove(i)
            desk._left_queue(i)
            Timeout(desk.env, self.delays[self.first[i] + k], i).callbacks.append(self._back)
        else:
            desk.abandoned[i] = True
            desk.closed += 1
            desk._left_queue(i)

    def _back(self, event: Timeout) -> None:
        desk = self.desk
        i = event._value
        desk.retrials[i] += 1
        desk._enter(0, i)
        desk._watch_patience(i)
