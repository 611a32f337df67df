"""Opening hours per channel (``demand.channels.NAME.hours``): a phone line that closes.

A channel with ``hours = "business"`` is open during the business hours of the site a
ticket is raised at (its zone, business days and hours, holidays: the site calendar's
:meth:`~supportsim.Calendar.is_open`, which is also the "business" SLA clock and the duty
hours of "business" agents there). A ticket drawn on it that arrives while it is
closed is raised on its ``closed`` channel instead — before its skill, patience and
retries are derived, so it is that channel's ticket in every respect (the IVR sends the
caller to the portal).

The redirect is a function of the arrival time and site only: it draws nothing, so every
random stream keeps its values, and total demand is unchanged (only the channel split
moves). A scenario whose channels are all open "24x7" only asks :func:`closed_moves`,
once per draw, and gets an empty list: no work per ticket.

The expected split (:func:`channel_shares_at`) integrates the arrival rate over each
site's business time on a one-minute grid (midpoint rule; business hours are whole
minutes, the profile whole hours, so the grid is exact up to rounding except for bursts
starting mid-minute and growth within a minute).
"""

from __future__ import annotations

import numpy as np

from supportsim.scenario import Scenario

__all__ = ["channel_shares_at", "closed_moves", "closed_shares", "open_fraction",
           "redirect_closed"]

#: Grid step (hours) of the expected open fraction: one minute.
_STEP = 1.0 / 60.0


def closed_moves(scenario: Scenario) -> list[tuple[int, int]]:
    """(channel index, index of its `closed` channel) per channel with business hours;
    empty when every channel is open 24x7."""
    channels = scenario.demand.channels
    names = list(channels)
    return [(k, names.index(spec.closed)) for k, spec in enumerate(channels.values())
            if spec.hours == "business" and spec.closed is not None]


def redirect_closed(scenario: Scenario, moves: list[tuple[int, int]], arrived: np.ndarray,
                    channel: np.ndarray, site: np.ndarray) -> np.ndarray:
    """`channel` with each ticket of a channel with business hours that arrives outside
    the business hours of its `site` (index per ticket) moved to that channel's `closed`
    channel. Draws nothing."""
    out = channel.copy()
    for k, calendar in enumerate(scenario.site_calendars.values()):
        here = site == k
        if not here.any():
            continue
        shut = here & ~calendar.is_open(arrived)
        for source, target in moves:
            out[shut & (channel == source)] = target
    return out


def channel_shares_at(scenario: Scenario, site: str | None,
                      wave: int | None = None) -> dict[str, float]:
    """Each channel's expected share of the tickets raised at `site` (None: the first
    site), closed-hours tickets moved; ``demand.channels`` shares when all are 24x7.

    The open fraction is that of the base demand's arrival rate on the site's clock, or
    of rollout wave `wave`'s; storms, whose times follow the changes, are counted as
    arriving at a constant rate.
    """
    channels = scenario.demand.channels
    shares = {name: spec.share for name, spec in channels.items()}
    moves = closed_moves(scenario)
    if not moves:
        return shares
    names = list(channels)
    fraction = open_fraction(scenario, scenario.site_names[0] if site is None else site, wave)
    for source, target in moves:
        moved = shares[names[source]] * (1.0 - fraction)
        shares[names[source]] -= moved
        shares[names[target]] += moved
    return shares


def open_fraction(scenario: Scenario, site: str, wave: int | None = None) -> float:
    """Expected share of the tickets raised at `site` (of the base demand and storms, or
    of rollout wave `wave`) that arrive within its business hours."""
    from supportsim._rates import _rate_at, wave_rates
    from supportsim._site_clocks import site_offsets, zone_shift

    horizon = scenario.horizon
    calendar = scenario.site_calendars[site]
    shift = 0.0
    if wave is None and site_offsets(scenario) is not None and scenario.sites:
        shift = zone_shift(scenario, scenario.sites[site].timezone)
    total = inside = 0.0
    for t0 in np.arange(0.0, horizon, 168.0):  # a week at a time: bounded memory
        t = np.arange(t0 + _STEP / 2, min(t0 + 168.0, horizon), _STEP)
        rate = (_rate_at(scenario, t, shift) if wave is None
                else wave_rates(scenario, t)[wave])  # a wave runs on its own site's clock
        total += float(rate.sum()) * _STEP
        inside += float(rate[calendar.is_open(t)].sum()) * _STEP
    opened = float(calendar.elapsed(0.0, horizon))  # business hours in the horizon
    storms = scenario.demand.storms
    if wave is None and storms is not None:
        # Expected storm tickets (those set off just before the horizon counted whole).
        count = storms.changes_per_week * storms.failure_rate * storms.tickets * horizon / 168
        total += count
        inside += count * opened / horizon
    return inside / total if total > 0 else opened / horizon


def closed_shares(scenario: Scenario) -> dict[str, float]:
    """Per channel with business hours, the expected share of the tickets drawn on it
    over the horizon that arrive while it is closed (and go to its `closed` channel):
    base demand and storms by each site's share of them, each rollout wave at its site
    (a wave without one at every site by demand.sites), on its own rate and shares."""
    from supportsim._rates import expected_arrivals, wave_integrals

    channels = scenario.demand.channels
    names = list(channels)
    moves = closed_moves(scenario)
    if not moves:
        return {}
    sites = scenario.site_names
    given = scenario.demand.sites or {}
    weights = {s: given.get(s, 0.0) for s in sites} if len(sites) > 1 else {sites[0]: 1.0}
    waves = scenario.demand.waves
    per_wave = (wave_integrals(scenario, np.array([0.0, scenario.horizon]))[:, 0]
                if waves else np.zeros(0))
    # (expected tickets, {site: weight}, channel shares, wave index or None) per source.
    sources: list[tuple[float, dict[str, float], dict[str, float], int | None]] = [
        (expected_arrivals(scenario) - float(per_wave.sum()), weights,
         {n: c.share for n, c in channels.items()}, None)]
    for index, (wave, count) in enumerate(zip(waves, per_wave.tolist(), strict=True)):
        own = dict(wave.channels) if wave.channels is not None else sources[0][2]
        total = sum(own.values())
        where = {wave.site: 1.0} if wave.site is not None else weights
        sources.append((count, where, {n: own.get(n, 0.0) / total for n in names}, index))
    out = {}
    for source, _ in moves:
        name = names[source]
        drawn = shut = 0.0
        for count, where, shares, which in sources:
            for site, weight in where.items():
                if weight > 0 and shares[name] > 0:
                    part = count * weight * shares[name]
                    drawn += part
                    shut += part * (1.0 - open_fraction(scenario, site, which))
        out[name] = shut / drawn if drawn > 0 else 0.0
    return out
