"""The expected skill split of each rollout wave's tickets (``supportsim check``'s load per
skill) follows what demand generation draws: the wave's own channel shares, each channel's
own skill shares, the opening-hours redirect to the `closed` channel, the site's shares,
and for a wave without a site the sites of ``demand.sites``.

Reference: the tickets of each wave from :func:`supportsim.demand.generate` (three
replications); given the channel and site, a ticket's skill is an independent categorical
draw, so each skill's observed share lies within 4 standard errors of the multinomial
share sqrt(p (1 - p) / n) of the expected one (n = the wave's tickets, about 30,000).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import supportsim as ss
from supportsim._skill_capacity import ticket_skill_shares, wave_skill_shares
from supportsim.demand import generate
from tests.support import mmc_dict

EVERY_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def rollout() -> ss.Scenario:
    """Two sites (Berlin writes German, London the [demand.skills] split), a phone line
    open in each site's business hours (closed: portal) whose callers mostly speak
    English, and two waves with their own channel shares: one at Berlin, mostly phone;
    one without a site (raised at both by demand.sites), mostly portal."""
    data: dict[str, Any] = mmc_dict(rate=1.0, mean=0.3, staff=1, horizon="2w", warmup="0h")
    data["start"], data["start_zone"] = "2026-04-13T00:00", "UTC"
    data["sites"] = {
        "berlin": {"timezone": "Europe/Berlin", "business_hours": ["08:00", "17:00"],
                   "skills": {"de": 0.8, "en": 0.2, "fr": 0.0}},
        "london": {"timezone": "Europe/London", "business_days": EVERY_DAY}}
    data["demand"]["sites"] = {"berlin": 0.3, "london": 0.7}
    data["demand"]["skills"] = {"de": 0.1, "en": 0.3, "fr": 0.6}
    data["demand"]["channels"] = {
        "portal": {"share": 0.7},
        "phone": {"share": 0.3, "hours": "business", "closed": "portal",
                  "skills": {"de": 0.05, "en": 0.9, "fr": 0.05}}}
    wave = {"users": 8000, "rate": 2.0, "settle": "1w", "at": "2026-04-14T00:00"}
    data["demand"]["waves"] = [
        {**wave, "name": "phones", "site": "berlin",
         "channels": {"portal": 0.1, "phone": 0.9}},
        {**wave, "name": "anywhere", "channels": {"portal": 0.95, "phone": 0.05}}]
    return ss.Scenario.from_dict(data)


def test_each_waves_skill_split_follows_demand_generation() -> None:
    scenario = rollout()
    skills = list(scenario.demand.skills or {})
    waves, drawn = [], []
    for replication in range(3):
        stream = generate(scenario, replication, seed=7)
        waves.append(stream.wave)
        drawn.append(stream.skill)
    wave, skill = np.concatenate(waves), np.concatenate(drawn)
    for index in range(len(scenario.demand.waves)):
        expected = wave_skill_shares(scenario, index)
        mine = skill[wave == index]
        n = mine.size
        assert n > 20_000
        for k, name in enumerate(skills):
            share = expected[name]
            seen = float(np.mean(mine == k))
            se = (share * (1 - share) / n) ** 0.5
            assert abs(seen - share) < 4 * se + 1e-12, (index, name, seen, share)


def test_the_horizons_split_weighs_the_waves_own_splits() -> None:
    # The horizon's split (what check's load per skill uses) against every ticket drawn,
    # base and waves together, within 4 standard errors (n about 70,000).
    scenario = rollout()
    expected = ticket_skill_shares(scenario)
    assert abs(sum(expected.values()) - 1) < 1e-9
    skill = np.concatenate([generate(scenario, r, seed=7).skill for r in range(3)])
    n = skill.size
    for k, name in enumerate(scenario.demand.skills or {}):
        share = expected[name]
        seen = float(np.mean(skill == k))
        se = (share * (1 - share) / n) ** 0.5
        assert abs(seen - share) < 4 * se, (name, seen, share)
