"""Demand on the users' local clocks (issue 14): each site's share of the arrivals follows
the weekly profile on that site's clock.

With one site nothing changes: the profile runs on `start`'s clock (start_zone's), as
always. With several sites the arrival rate is the sum over sites of

    share(site) * rate * profile(site's local hour of week) * growth * bursts

so Shanghai users raise tickets in Shanghai office hours while Berlin's are asleep. A
site's clock is `start`'s shifted by the difference of the two zones' UTC offsets at
`start` (whole or fractional hours); like `start`'s own profile clock, it is not moved by
later daylight-saving changes (the profile's weekly hours stay fixed local hours of the
first week; business hours and shifts do follow every change: :mod:`supportsim.sites`).
"""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import numpy as np

from supportsim.scenario import Scenario

__all__ = ["site_offsets", "wave_shift", "zone_shift"]


def zone_shift(scenario: Scenario, zone: str) -> float:
    """Hours `zone`'s clock is ahead of `start`'s clock (start_zone's) at `start`."""
    own = scenario.zone_of_start or "UTC"
    instant = scenario.start.replace(tzinfo=ZoneInfo(own)).astimezone(UTC)
    ahead = instant.astimezone(ZoneInfo(zone)).utcoffset()
    base = instant.astimezone(ZoneInfo(own)).utcoffset()
    assert ahead is not None and base is not None
    return (ahead - base).total_seconds() / 3600


def site_offsets(scenario: Scenario) -> list[tuple[int, float, float]] | None:
    """(site index, share, hours ahead of start's clock) per site with a share of the
    base demand, where the sites' clocks make a difference to the demand; None where
    they do not (one site, a flat profile, or every site with a share on start's own
    clock): then the arrivals are start's clock's, exactly as in a scenario with one
    site, and each ticket's site is drawn by share."""
    if not scenario.sites or len(scenario.sites) < 2:
        return None
    from supportsim.demand import weekly_profile  # demand imports this module

    if not np.ptp(weekly_profile(scenario.demand.profile)) > 0:
        return None
    shares = scenario.demand.sites or {}
    sites = [(k, shares.get(name, 0.0), zone_shift(scenario, site.timezone))
             for k, (name, site) in enumerate(scenario.sites.items())
             if shares.get(name, 0.0) > 0]
    return sites if any(shift != 0.0 for _, _, shift in sites) else None


def wave_shift(scenario: Scenario, site: str | None) -> float:
    """Hours a wave's users' clock is ahead of start's: its site's (0 without one, or in
    a scenario with one site)."""
    if site is None or not scenario.sites or len(scenario.sites) < 2:
        return 0.0
    from supportsim.demand import weekly_profile  # demand imports this module

    if not np.ptp(weekly_profile(scenario.demand.profile)) > 0:
        return 0.0  # a flat profile: no clock to follow
    return zone_shift(scenario, scenario.sites[site].timezone)
