"""Opening hours per channel (``demand.channels.NAME.hours`` / ``closed``): a phone line
that closes outside its site's business hours, its tickets raised on the portal instead.

The rule (docs/assumptions.md): a ticket drawn on a channel with ``hours = "business"``
that arrives outside the business hours of its site is raised on the `closed` channel,
before its skill, patience and retries are derived; nothing is drawn for it, so the
arrivals and every other attribute keep their values.
"""

from __future__ import annotations

import copy
import math
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim._opening_hours import channel_shares_at, closed_shares, open_fraction
from supportsim.cli import main
from supportsim.demand import generate
from supportsim.report._scenario import describe
from supportsim.scenario._routing import skill_names, skill_shares
from tests.support import Z, assert_one_line_error, build, mmc_dict

PORTAL, PHONE = 0, 1


def desk(rate: float = 10.0, share: float = 0.35, hours: bool = True,
         horizon: str = "4w") -> dict[str, Any]:
    """An M/M/c-like desk (flat rate, 24x7 agents) with a portal and a phone line; the
    phone line open [calendar]'s business hours (08:00-17:00 Mon-Fri, 45 h a week)."""
    data = mmc_dict(rate=rate, mean=0.25, staff=5, horizon=horizon, warmup="0h")
    phone: dict[str, Any] = {"share": share, "patience": "8min"}
    if hours:
        phone |= {"hours": "business", "closed": "portal"}
    data["demand"]["channels"] = {"portal": {"share": 1.0 - share}, "phone": phone}
    return data


def two_sites(hours: bool = True, zone: str = "Australia/Sydney", country: str = "AU",
              profile: str = "office") -> dict[str, Any]:
    """Berlin and a site in `zone`, three weeks over Easter 2026 (Good Friday 3 April,
    Easter Monday 6 April in both countries' calendars) and a clock change in each
    (Berlin 29 March, Sydney 5 April), with storms and a wave at the second site."""
    data = desk(rate=6.0, hours=hours, horizon="3w")
    data |= {"start": "2026-03-23T00:00:00", "start_zone": "Europe/Berlin"}
    data["sites"] = {
        "berlin": {"timezone": "Europe/Berlin", "holidays": {"country": "DE",
                                                            "subdivision": "BE"}},
        "away": {"timezone": zone, "holidays": country, "business_hours": ["09:00", "18:00"]},
    }
    data["demand"] |= {"profile": profile, "sites": {"berlin": 0.6, "away": 0.4},
                       "storms": {"changes_per_week": 20, "failure_rate": 0.5,
                                  "tickets": 4.0, "decay": "2h"},
                       "waves": [{"name": "golive", "at": "2026-03-30", "users": 2000,
                                  "rate": 0.05, "early": 3.0, "settle": "1w",
                                  "site": "away", "channels": {"portal": 0.5,
                                                               "phone": 0.5}}]}
    return data


def _closed_at_site(scenario: ss.Scenario, stream: Any) -> np.ndarray:
    """Per ticket, whether its site is outside business hours when it arrives: in none of
    the site's open intervals (Calendar.open_intervals; the redirect asks is_open)."""
    shut = np.zeros(len(stream), dtype=bool)
    for k, calendar in enumerate(scenario.site_calendars.values()):
        here = stream.site == k
        t = stream.arrived_at[here]
        spans = calendar.open_intervals(0.0, scenario.horizon)
        inside = (t[:, None] >= spans[:, 0]) & (t[:, None] < spans[:, 1])
        shut[here] = ~inside.any(axis=1)
    return shut


# --------------------------------------------------------------------- conservation


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_redirect_moves_exactly_the_closed_hours_phone_tickets(replication: int) -> None:
    with_hours, without = build(two_sites()), build(two_sites(hours=False))
    a = generate(with_hours, replication, 5)
    b = generate(without, replication, 5)
    # The same tickets: demand is unchanged, only the channel split moves.
    assert len(a) == len(b)
    for name in ("arrived_at", "site", "priority", "storm", "wave", "need", "effort"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    # Expected moves, independently: phone tickets (without hours) whose site is closed.
    moved = (b.channel == PHONE) & _closed_at_site(without, b)
    np.testing.assert_array_equal(a.channel, np.where(moved, PORTAL, b.channel))
    assert np.bincount(a.channel)[PHONE] == np.bincount(b.channel)[PHONE] - moved.sum()
    # Base, storm and wave tickets are all redirected (the scenario has each).
    for kind in (~b.storm & (b.wave < 0), b.storm, b.wave >= 0):
        assert (moved & kind).sum() > 0
    # Moved tickets are portal tickets: no patience (a portal ticket never abandons).
    assert np.isinf(a.patience[moved]).all() and np.isfinite(a.patience[a.channel == PHONE]).all()
    np.testing.assert_array_equal(a.patience[~moved], b.patience[~moved])


# ------------------------------------------------------------- no call while closed


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1),
       place=st.sampled_from([("Australia/Sydney", "AU"), ("America/New_York", "US"),
                              ("Asia/Kolkata", "IN"), ("Europe/Berlin", "DE")]),
       profile=st.sampled_from(["office", "flat"]))
def test_no_phone_ticket_arrives_while_its_site_is_closed(
        seed: int, place: tuple[str, str], profile: str) -> None:
    scenario = build(two_sites(zone=place[0], country=place[1], profile=profile))
    tickets = generate(scenario, 0, seed)
    phone = tickets.channel == PHONE
    assert phone.sum() > 0
    assert not (phone & _closed_at_site(scenario, tickets)).any()


def _local(scenario: ss.Scenario, zone: str, t: np.ndarray) -> list[datetime]:
    """Wall-clock date-times in `zone` of instants `t` (hours since start)."""
    # Via UTC: adding hours to an aware local time would add wall-clock hours.
    start = scenario.start.replace(tzinfo=ZoneInfo(str(scenario.start_zone))).astimezone(UTC)
    return [(start + timedelta(hours=float(x))).astimezone(ZoneInfo(zone)) for x in t]


def test_closed_over_a_clock_change_and_a_holiday_at_a_site_of_its_own_zone() -> None:
    scenario = build(two_sites())
    tickets = generate(scenario, 0, 7)
    for k, (zone, opening) in enumerate((("Europe/Berlin", 8), ("Australia/Sydney", 9))):
        here = tickets.site == k
        local = _local(scenario, zone, tickets.arrived_at[here])
        channel = tickets.channel[here]
        good_friday = np.array([t.date() == date(2026, 4, 3) for t in local])
        # Tickets were raised at the site on Good Friday (its own date), none by phone.
        assert good_friday.sum() > 0, zone
        assert not (channel[good_friday] == PHONE).any(), zone
        # Before and after the site's clock change, the line is open 9 local hours from
        # `opening` on working days and closed otherwise: calls in those hours, none out.
        hour = np.array([t.hour for t in local])
        working = np.array([t.weekday() < 5 for t in local]) & ~good_friday
        changed = (date(2026, 3, 30), date(2026, 4, 6))[k]  # first day after the change
        after = np.array([t.date() >= changed for t in local])
        office = working & (hour >= opening) & (hour < opening + 9)
        for part in (after, ~after):
            assert (channel[office & part] == PHONE).any(), zone
        assert not (channel[~office] == PHONE).any(), zone
        # Easter Monday is a holiday in both calendars.
        monday = np.array([t.date() == date(2026, 4, 6) for t in local])
        assert not (channel[monday] == PHONE).any(), zone


# ---------------------------------------------- the closed channel's own attributes


def test_redirected_tickets_take_the_closed_channels_patience_and_skills() -> None:
    # (A channel with hours takes no retrials: see the refusal below.)
    data = desk(rate=6.0, horizon="2w")
    data["demand"]["skills"] = {"de": 0.5, "en": 0.5}
    data["demand"]["channels"]["phone"] |= {"skills": {"de": 1.0}}
    data["demand"]["channels"]["portal"]["skills"] = {"en": 1.0}
    data["team"]["tiers"]["l1"] = {"staff": 1, "hours": "business"}
    scenario = build(data)
    tickets = generate(scenario, 0, 3)
    shut = _closed_at_site(scenario, tickets)
    assert shut.sum() > 100
    # Every ticket raised while the line is closed is a portal ticket in every respect.
    assert (tickets.channel[shut] == PORTAL).all()
    assert (tickets.skill[shut] == skill_names(scenario).index("en")).all()
    assert np.isinf(tickets.patience[shut]).all()
    # With one agent in business hours, night callers would all hang up; portal
    # tickets never do: nobody raised while the line is closed abandons.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)  # one agent, office hours only
        result = ss.simulate(scenario, replications=1, seed=3)
    night = ~scenario.calendar.is_open(result.tickets["arrived_at"].to_numpy())
    assert night.sum() > 100
    assert not result.tickets.loc[night, "abandoned"].any()
    assert (result.tickets.loc[night, "channel"] == "portal").all()


# ------------------------------------------------------------------- closed form


def test_channel_counts_match_the_closed_form_of_a_business_week() -> None:
    # One site, flat lambda = 10/h, phone share s = 0.35, phone line open 45 h of the
    # 168-h week (08:00-17:00 Mon-Fri, [calendar]'s defaults; no holidays), start a
    # Monday 00:00, 4 whole weeks. Expected per week (Poisson thinning of a Poisson
    # process): phone lambda*s*45 = 157.5, portal lambda*(168 - 45*s) = 1522.5.
    lam, s, weeks, reps = 10.0, 0.35, 4, 6
    scenario = build(desk(rate=lam, share=s, horizon=f"{weeks}w"))
    counts = np.array([np.bincount(generate(scenario, r, 21).channel, minlength=2)
                       for r in range(reps)]) / weeks
    for column, expected in ((PHONE, lam * s * 45), (PORTAL, lam * (168 - 45 * s))):
        # Poisson: the per-week count over reps * weeks weeks has SE sqrt(mean / n).
        se = math.sqrt(expected / (reps * weeks))
        assert abs(counts[:, column].mean() - expected) < Z * se, (column, counts)
    # The expected split the load checks use: exactly the business share of the week.
    assert open_fraction(scenario, "default") == pytest.approx(45 / 168, rel=1e-9)
    shares = channel_shares_at(scenario, None)
    assert shares["phone"] == pytest.approx(s * 45 / 168, rel=1e-9)
    assert shares["portal"] == pytest.approx(1 - s * 45 / 168, rel=1e-9)


def test_expected_closed_share_matches_the_simulated_one_with_sites_storms_and_waves() -> None:
    # The expected share of phone tickets raised while closed (check's "Opening hours"
    # line): base demand on two clocks, storms and a wave at the second site, integrated
    # over each site's business intervals; against the simulated share over 8
    # replications within 4 standard errors of the per-replication shares.
    scenario = build(two_sites())
    without = build(two_sites(hours=False))
    expected = closed_shares(scenario)["phone"]
    shares = []
    for r in range(8):
        tickets = generate(without, r, 11)
        phone = tickets.channel == PHONE
        shares.append((phone & _closed_at_site(without, tickets)).sum() / phone.sum())
    se = np.std(shares, ddof=1) / math.sqrt(len(shares))
    assert 0 < se < 0.02
    assert abs(np.mean(shares) - expected) < Z * se, (expected, shares)
    # One site, flat rate: the closed share of the week, 1 - 45/168, exactly.
    assert closed_shares(build(desk()))["phone"] == pytest.approx(1 - 45 / 168, rel=1e-9)
    assert closed_shares(build(desk(hours=False))) == {}


def test_check_names_the_hours_and_the_expected_share(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    path = tmp_path / "hours.toml"
    build(desk()).to_toml(path)
    assert main(["check", str(path)]) == 0
    assert ("Opening hours: phone open in the business hours, 73% of its tickets expected "
            "while closed, raised on portal instead") in capsys.readouterr().out


def test_skill_shares_follow_the_split() -> None:
    # Phone tickets are all "de", portal tickets all "en": de's share is the phone's
    # business-hours share s * 45 / 168 (without hours it would be s).
    data = desk(share=0.35)
    data["demand"]["skills"] = {"de": 0.5, "en": 0.5}
    data["demand"]["channels"]["phone"]["skills"] = {"de": 1.0}
    data["demand"]["channels"]["portal"]["skills"] = {"en": 1.0}
    shares = skill_shares(build(data))
    assert shares["de"] == pytest.approx(0.35 * 45 / 168, rel=1e-9)
    assert shares["en"] == pytest.approx(1 - 0.35 * 45 / 168, rel=1e-9)


def test_describe_says_when_the_line_is_open_and_where_closed_hours_tickets_go() -> None:
    text = describe(build(two_sites()))
    assert ("phone 35% (patience 8min; open in business hours of each site, tickets "
            "raised while closed go to portal)") in text


# -------------------------------------------------------------------- validation


@pytest.mark.parametrize(("phone", "fragments"), [
    ({"hours": "nights"}, ["demand.channels.phone.hours", "'nights'", "'24x7'"]),
    ({"hours": "business"}, ["demand.channels.phone.closed", "is required with hours"]),
    ({"closed": "portal"}, ["demand.channels.phone.closed", 'only with hours = "business"',
                            "'portal'"]),
    ({"hours": "business", "closed": "email"},
     ["demand.channels.phone.closed", "is not a channel", "'email'"]),
    ({"hours": "business", "closed": "phone"},
     ["demand.channels.phone.closed", "another channel", "'phone'"]),
    ({"hours": "business", "closed": "chat"},
     ["demand.channels.phone.closed", 'must name a channel open "24x7"', "no chains",
      "'chat'"]),
    # Retrials ignore the line's hours (answered at night): refused, not simulated.
    ({"hours": "business", "closed": "portal", "patience": "5min", "retry": 0.9,
      "retry_after": "3h"},
     ["demand.channels.phone.retry must be 0 with hours = \"business\": retrials with "
      "opening hours are not modelled", "got 0.9"]),
])
def test_bad_hours_name_the_key_value_rule_and_file(tmp_path: Path, phone: dict[str, Any],
                                                   fragments: list[str],
                                                   capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    data = desk()
    data["demand"]["channels"] = {
        "portal": {"share": 0.5}, "phone": {"share": 0.3, **phone},
        "chat": {"share": 0.2, "hours": "business", "closed": "portal"}}
    path = tmp_path / "bad.toml"
    path.write_text(_toml(data), encoding="utf-8")
    with pytest.raises(ss.ScenarioError) as info:
        ss.load_scenario(path)
    for text in [*fragments, str(path)]:
        assert text in str(info.value)
    assert main(["check", str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err.strip().splitlines(), fragments)


def test_retry_zero_with_hours_and_retrials_on_the_closed_channel_are_accepted() -> None:
    # retry = 0 written (a sweep's point) keeps the channel's hours; the `closed` channel
    # is open 24x7, so its callers may retry.
    data = desk()
    data["demand"]["channels"]["phone"] |= {"retry": 0, "retry_after": "3h"}
    data["demand"]["channels"]["portal"] |= {"patience": "1d", "retry": 0.5,
                                             "retry_after": "1h"}
    scenario = build(data)
    assert scenario.demand.channels["phone"].retry == 0
    assert scenario.demand.channels["portal"].retry == 0.5


def test_hours_round_trip_and_stay_out_of_a_24x7_channels_dump() -> None:
    scenario = build(desk())
    channels = scenario.to_dict()["demand"]["channels"]
    assert (channels["phone"]["hours"], channels["phone"]["closed"]) == ("business", "portal")
    # A channel open 24x7 dumps as before hours existed (fingerprints unchanged).
    assert "hours" not in channels["portal"] and "closed" not in channels["portal"]
    assert ss.Scenario.from_dict(copy.deepcopy(scenario.to_dict())) == scenario


def _toml(data: dict[str, Any]) -> str:
    return tomli_w.dumps(data)
