"""Agent groups at sites: ``team.tiers.lN.groups.NAME.site`` and
``team.routing.overflow.site`` (issue 14's follow-the-sun).

A group's hours and shifts are clock times of its site: its time zone, daylight saving
and holidays (:func:`supportsim.engine._hours.duty_groups`). A group without a site, and
a tier without groups, work at the scenario's first site (without ``[sites]``: the one
implicit site), as before. The rules are stated in docs/assumptions.md, "Agent groups at
sites and follow-the-sun".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportsim.scenario._schema import DAYS, KeyedError
from supportsim.scenario._validation import _did_you_mean
from supportsim.sites import IMPLICIT_SITE

if TYPE_CHECKING:
    from supportsim.scenario._scenario import Scenario

__all__ = ["check_group_sites", "group_site", "site_business_days"]


def group_site(scenario: Scenario, tier: str, group: str) -> str:
    """The site agents of `group` of `tier` work at (``""``: a tier without groups).

    The group's own ``site``, else the scenario's first site.
    """
    groups = scenario.team.tiers[tier].groups  # type: ignore[index]
    own = groups[group].site if groups is not None and group in groups else None
    return own if own is not None else scenario.site_names[0]


def site_business_days(scenario: Scenario, site: str) -> tuple[str, ...]:
    """The local business days of `site` (its own, else ``[calendar]``'s)."""
    own = scenario.sites[site].business_days if scenario.sites else None
    return tuple(own or scenario.calendar_section.business_days)


def check_group_sites(scenario: Scenario) -> None:
    """Every site a group or the overflow names exists, and a group that names a site
    rosters shifts only on that site's business days (KeyedError).

    The days rule: each day a shift of the group starts on (``hours.K.days``; all seven
    when left out) must be one of the site's ``business_days``. A site that staffs its
    weekend says so in its business days; a group without an explicit site is not
    checked (a tier's weekend roster keeps working as before).
    """
    names = scenario.site_names
    where = "" if scenario.sites else (" (a scenario without [sites] has one site, "
                                       f"{IMPLICIT_SITE!r})")
    for tier_name, tier in scenario.team.tiers.items():
        for name, group in (tier.groups or {}).items():
            if group.site is None:
                continue
            key = f"team.tiers.{tier_name}.groups.{name}"
            if group.site not in names:
                raise KeyedError(f"{key}.site", "is not a site of [sites]" + where
                                 + _did_you_mean(group.site, names), group.site)
            if not isinstance(group.hours, tuple):
                continue
            open_days = site_business_days(scenario, group.site)
            for k, shift in enumerate(group.hours):
                outside = [day for day in shift.days if day not in open_days]
                if outside:
                    raise KeyedError(
                        f"{key}.hours.{k}.days",
                        f"has {', '.join(outside)}, not a business day of its site "
                        f"{group.site!r} ({', '.join(d for d in DAYS if d in open_days)}): "
                        f"a group's shifts fall on its site's business days (list the "
                        f"shift's days, or add the day to sites.{group.site}.business_days)",
                        list(shift.days))
    routing = scenario.team.routing
    overflow = routing.overflow if routing is not None else None
    site = getattr(overflow, "site", None)
    if overflow is None or site is None:
        return
    if site not in names:
        raise KeyedError("team.routing.overflow.site", "is not a site of [sites]" + where
                         + _did_you_mean(site, names), site)
    working = [f"{t}.{g}" for t, tier in scenario.team.tiers.items()
               for g in (tier.groups or {}) if group_site(scenario, t, g) == site]
    if not working:
        raise KeyedError("team.routing.overflow.site", "names a site where no agent group "
                         "works, so nobody could take an overflowing ticket", site)

