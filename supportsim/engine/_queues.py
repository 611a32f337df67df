"""The order of the entry queue: ``team.channel_order`` (see docs/assumptions.md)."""

from __future__ import annotations

from supportsim.scenario import Scenario

__all__ = ["channel_ranks"]


def channel_ranks(scenario: Scenario) -> list[int]:
    """Rank of each channel (file order) among tickets nobody has started yet.

    ``team.channel_order``: "live_first" ranks channels with patience (a caller on hold)
    before the others, "none" ranks them all equal, a list ranks them in its order.
    Ranks are dense from 0, so all-equal ranks mean a single class: no channel order.
    """
    order = scenario.team.channel_order
    channels = scenario.demand.channels
    if order == "none":
        raw = [0] * len(channels)
    elif order == "live_first":
        raw = [0 if c.patience is not None else 1 for c in channels.values()]
    else:
        raw = [list(order).index(name) for name in channels]
    dense = sorted(set(raw))
    return [dense.index(r) for r in raw]
