"""The ``[initial]`` backlog in place at t = 0: tickets in service on an idle agent of
their tier each, the others in their queue.

A mixin of :class:`supportsim.engine._desk.Desk`, kept apart because it is one concept
that runs once, before the first arrival; the team structures override where a backlog
ticket waits and which agent takes it.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from supportsim._errors import ScenarioError
from supportsim.scenario._schema import TIERS as TIER_NAMES

if TYPE_CHECKING:
    import simpy

    from supportsim.demand import TicketStream
    from supportsim.scenario import Scenario

__all__ = ["BacklogStart"]


class BacklogStart:
    """Placing the backlog at start; the desk's state it uses is declared here."""

    env: simpy.Environment
    scenario: Scenario
    backlog: TicketStream | None
    levels: list[int]
    arrived: list[float]
    first_response: list[float]
    idle: list[deque[int]]
    next_ticket: int
    _snapshots: list[tuple[int, ...]]

    if TYPE_CHECKING:  # the desk's, documented there
        def _start(self, a: int, i: int) -> None: ...
        def _enter(self, q: int, i: int) -> None: ...
        def _state(self) -> tuple[int, ...]: ...

    def _place_backlog(self) -> int:
        """Put the [initial] backlog in place at t = 0; returns how many tickets it has.

        Events due at 0 (shifts starting) go first, so the agents on duty at start are
        known. Tickets in service take an idle agent of their tier each; the others then
        join their tier's queue in order of opening (or start at once on an idle agent),
        where the queue discipline orders them (:meth:`_place_waiting`; a swarming desk
        places them its own way). A ticket worked before start (in service,
        work done, or waiting above the first tier) counts as responded to at its
        opening: when is not known, only that it was.
        """
        stream = self.backlog
        assert stream is not None and stream.initial_tier is not None
        assert stream.in_service is not None and stream.responded is not None
        env = self.env
        while env._queue and env._queue[0][0] <= 0.0:
            env.step()
        count = stream.initial
        levels = self.levels
        queue = [self._backlog_queue(levels.index(int(level))) for level in stream.initial_tier]
        for i in np.flatnonzero(stream.responded).tolist():
            self.first_response[i] = self.arrived[i]
        serving = np.flatnonzero(stream.in_service).tolist()
        for t, level in enumerate(levels):
            wanted = sum(1 for i in serving if stream.initial_tier[i] == level)
            if wanted > self._idle_count(t):
                raise ScenarioError(
                    f"initial.backlog: {wanted} ticket(s) in service at "
                    f"{TIER_NAMES[level - 1]} at start, but only {self._idle_count(t)} "
                    f"{TIER_NAMES[level - 1]} agents are on duty then; mark fewer in service "
                    "or put more agents on duty at start"
                    + (f" ({self.scenario.source})" if self.scenario.source else ""))
        for i in serving:
            self._start(self._idle_take(levels.index(int(stream.initial_tier[i])), i), i)
        in_service = set(serving)
        self._place_waiting([i for i in range(count) if i not in in_service], queue)
        self.next_ticket = count
        # The snapshot at t = 0 was taken before the backlog was in place.
        self._snapshots[0] = self._state()
        return count

    def _idle_count(self, t: int) -> int:
        """Idle agents of tier index `t` (for the backlog at start)."""
        return len(self.idle[t])

    def _idle_take(self, t: int, i: int) -> int:
        """The longest idle agent of tier index `t`, taken off the idle list, to work on
        backlog ticket `i`."""
        return self.idle[t].popleft()

    def _backlog_queue(self, t: int) -> int:
        """The queue a backlog ticket waiting at tier index `t` joins."""
        return t

    def _place_waiting(self, waiting: list[int], queue: list[int]) -> None:
        """Backlog tickets `waiting` (in order of opening) join their queue at t = 0."""
        for i in waiting:
            self._enter(queue[i], i)
