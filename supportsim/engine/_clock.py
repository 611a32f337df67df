"""Scheduling on SimPy's event queue by hand: reused events, absolute instants, clocks.

NOTE: the engine pushes events straight onto ``env._queue`` (what ``env.schedule`` does)
and reuses event objects where only one can be pending at a time. SimPy clears
``event.callbacks`` before calling them, so a reused event only needs its callback list
put back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event, EventPriority

__all__ = ["LATE", "Clock"]

# Priority of `late` events: SimPy orders the events of an instant by priority (URGENT
# = 0, NORMAL = 1), then by when they were scheduled; LATE goes after both.
LATE = EventPriority(2)


class Clock:
    """Hand scheduling for one replication's environment, up to its horizon."""

    def __init__(self, env: simpy.Environment, horizon: float) -> None:
        self.env = env
        self.horizon = horizon

    def reusable_event(self, value: Any) -> Event:
        """A triggered event that can be pushed onto the queue (again) by hand."""
        event = Event(self.env)
        event._ok = True
        event._value = value
        return event

    def schedule_at(self, event: Event, at: float, *, late: bool = False) -> None:
        """Put a triggered `event` (callbacks set) on the queue at the instant `at`; a
        `late` one after every other event due at `at`, whenever that was scheduled.

        NOTE: at the absolute instant, not as a delay: now + (at - now) can differ from
        `at` in the last bit.
        """
        priority = LATE if late else NORMAL
        heappush(self.env._queue, (at, priority, next(self.env._eid), event))

    def every(self, period: float, callback: Callable[[Any], None], *, late: bool = False
              ) -> None:
        """Call `callback` at ``period``, ``2 period``, ... before the horizon (`late`: see
        :meth:`schedule_at`).

        NOTE: one reused event at exact multiples of the period, not a process or a new
        timeout per call: these clocks tick for the whole horizon whatever the load.
        """
        event = self.reusable_event(None)
        callbacks = [callback, self._tick_again]
        ticks = iter(range(1, 1 + math.ceil(self.horizon / period)))
        event._value = (period, ticks, callbacks, late)
        self._tick_again(event)

    def _tick_again(self, event: Event) -> None:
        period, ticks, callbacks, late = event._value
        at = next(ticks, None)
        if at is not None and at * period < self.horizon:
            event.callbacks = callbacks
            self.schedule_at(event, at * period, late=late)
