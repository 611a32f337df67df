"""``[sites.NAME]``: where users raise tickets and agents work (see :mod:`supportsim.sites`).

Split from :mod:`supportsim.scenario._schema`; the checks that need the whole scenario
(start zone, the sites named by demand and waves) are in :func:`check_sites`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, field_validator, model_validator

from supportsim.calendar import Calendar
from supportsim.scenario._schema import (
    CalendarSection,
    ClockTime,
    DayName,
    KeyedError,
    Section,
    Share,
    _check_shares,
    _clock_time,
    _duration_text,
    clock_hours,
)
from supportsim.scenario._validation import _did_you_mean
from supportsim.sites import IMPLICIT_SITE, country_holidays, holiday_years

__all__ = ["HolidayRules", "Site", "check_zone", "site_calendars"]


def check_zone(name: object) -> str:
    """`name` if it is an IANA time zone that :mod:`zoneinfo` (with tzdata) knows."""
    if not isinstance(name, str):
        raise ValueError(f"must be an IANA time zone name such as 'Europe/Berlin', got {name!r}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones  # reads the tz database: errors only

        raise ValueError(f"is not a known IANA time zone (e.g. 'Europe/Berlin', 'UTC'), "
                         f"got {name!r}" + _did_you_mean(name, sorted(available_timezones()))
                         ) from None
    return name


#: An IANA time zone name, checked against the tz database.
ZoneName = Annotated[str, BeforeValidator(check_zone)]


#: A date written in text (a country code has none): ``--set 'x.holidays=[2026-13-01]'``
#: is text when TOML cannot read a date in it.
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _dates_as_text(text: str) -> str:
    """The rule a holidays text with dates in it breaks: the first date that is none."""
    for token in _DATE_LIKE.findall(text):
        try:
            date.fromisoformat(token)
        except ValueError as exc:
            why = str(exc) if "isoformat" not in str(exc) else "write YYYY-MM-DD"
            return f"must be a list of valid dates: {token} is not a date ({why})"
    return ("must be a country code (\"DE\") or a list of dates written as TOML dates, "
            "unquoted ([2026-12-24, ...])")


class HolidayRules(Section):
    """A site's public holidays, closing its business hours: a country's (and
    subdivision's) from the `holidays` package, plus explicit local dates. Short forms:
    ``holidays = "DE"`` (a country code) or ``holidays = [2026-12-24, ...]`` (dates)."""

    country: str | None = Field(default=None, description="ISO 3166 code, e.g. \"DE\"")
    subdivision: str | None = Field(default=None, description="e.g. \"BY\"; needs country")
    dates: tuple[date, ...] = Field(default=(), description="local dates closed, as TOML "
                                    "dates (2026-12-24)")

    @model_validator(mode="after")
    def _check(self) -> HolidayRules:
        if self.subdivision is not None and self.country is None:
            raise KeyedError("subdivision", "needs a country", self.subdivision)
        if self.country is not None:
            try:
                country_holidays(self.country, self.subdivision, [2026])
            except ValueError as exc:
                key, _, rule = str(exc).partition(": ")
                rule = "is" + rule.partition(" is")[2]  # the value is named by the error
                raise KeyedError(key, rule, getattr(self, key)) from None
        return self


def _holiday_rules(value: Any) -> Any:
    # "DE" and [dates] are short for { country = "DE" } and { dates = [...] }.
    if isinstance(value, str):
        if _DATE_LIKE.search(value):  # dates TOML could not read ("2026-13-01") came as text
            raise ValueError(_dates_as_text(value))
        return {"country": value}
    if isinstance(value, list | tuple):
        return {"dates": value}
    if value is not None and not isinstance(value, dict | HolidayRules):
        raise ValueError("must be a country code (\"DE\"), a list of local dates "
                         "([2026-12-24, ...]) or a table { country, subdivision, dates }")
    return value


class Site(Section):
    """``[sites.NAME]``: a time zone, business hours and days, holidays (local).

    Keys left out take ``[calendar]``'s value (its business hours, days and holidays).
    """

    timezone: ZoneName = Field(description="IANA time zone, e.g. \"Europe/Berlin\"")
    business_hours: tuple[ClockTime, ClockTime] | None = Field(
        default=None, description="local opening and closing time (default [calendar]'s)")
    business_days: tuple[DayName, ...] | None = Field(
        default=None, description="local business days (default [calendar]'s)")
    holidays: Annotated[HolidayRules | None, BeforeValidator(_holiday_rules)] = Field(
        default=None, description="a country code (holidays package), a list of local dates, "
        "or { country, subdivision, dates }; they close business hours (default "
        "[calendar]'s dates)")
    holiday_shifts: Literal["worked", "off"] = Field(
        default="worked", description="whether rostered shifts starting on a holiday are "
        "worked; business hours are closed on holidays either way")
    skills: dict[str, Share] | None = Field(
        default=None, description="share of the tickets raised at this site per skill of "
        "[demand.skills] (a language), replacing [demand.skills] for them; a channel's own "
        "shares go first")

    @field_validator("business_days")
    @classmethod
    def _some_days(cls, days: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if days is not None and not days:
            raise ValueError("must name at least one day")
        return days

    @model_validator(mode="after")
    def _check(self) -> Site:
        if self.business_hours is not None:
            CalendarSection(business_hours=self.business_hours)  # close after open
        if self.skills is not None:
            _check_shares(dict(self.skills), "skills")
        return self


def site_calendars(sites: dict[str, Site], default: CalendarSection, start: datetime,
                   start_zone: str | None, horizon: float) -> dict[str, Calendar]:
    """One business calendar per site (file order); without sites the implicit one.

    The implicit site is ``[calendar]`` on `start`'s own clock, or in `start_zone` if
    one is given. Country holidays are resolved for the years around the simulated
    period (:func:`supportsim.sites.holiday_years`).
    """
    if not sites:
        return {IMPLICIT_SITE: Calendar(start, business_hours=default.business_hours,
                                        business_days=default.business_days,
                                        holidays=default.holidays, timezone=start_zone)}
    years = holiday_years(start.year, (start.year + int(horizon // 8760) + 1))
    out = {}
    for name, site in sites.items():
        rules = site.holidays
        if rules is None:
            dates: tuple[date, ...] = default.holidays
        else:
            dates = rules.dates
            if rules.country is not None:
                dates += country_holidays(rules.country, rules.subdivision, years)
        out[name] = Calendar(
            start, business_hours=site.business_hours or default.business_hours,
            business_days=site.business_days or default.business_days, holidays=dates,
            timezone=site.timezone, start_zone=start_zone)
    return out


def site_day_hours(sites: object, default: float) -> float | None:
    """Hours in one business day for business-day targets (``"3bd"``): `default` (the
    ``[calendar]``'s) unless the sites set business hours; None if their days differ in
    length (a target in business days would then mean different hours per site)."""
    lengths = set(site_day_lengths(sites, default).values())
    return lengths.pop() if len(lengths) == 1 else None if lengths else default


def site_day_lengths(sites: object, default: float) -> dict[str, float]:
    """Hours in one business day per site of the raw `sites` data (`default` where a site
    sets no business hours); a site whose business hours are invalid is left out, as it
    reports its own error."""
    if not isinstance(sites, dict):
        return {}
    lengths = {}
    for name, site in sites.items():
        hours = site.get("business_hours") if isinstance(site, dict) else None
        if hours is None:
            lengths[str(name)] = default
            continue
        try:
            opens, closes = (clock_hours(_clock_time(t)) for t in hours)
        except (TypeError, ValueError):
            continue
        if closes > opens:
            lengths[str(name)] = closes - opens
    return lengths


def unequal_days(sites: object, default: float) -> str | None:
    """The rule a business-day target breaks when the sites' business days differ in
    length, naming each site's day; None when they do not differ."""
    lengths = site_day_lengths(sites, default)
    if len(set(lengths.values())) < 2:
        return None
    days = ", ".join(f"{name} {_duration_text(hours)}" for name, hours in lengths.items())
    return ("is in business days, but the sites' business days differ in length ("
            f"{days}): write the target in hours, or give the sites business days of "
            "one length")


def zone_of_data(data: Any) -> str | None:
    """The zone `start` is read in, from the raw data (as :attr:`Scenario.zone_of_start`);
    None where a zone is invalid (it reports its own error) or there is none."""
    sites = data.get("sites") if isinstance(data, dict) else None
    zone = data.get("start_zone") if isinstance(data, dict) else None
    if zone is None and isinstance(sites, dict) and sites:
        only = next(iter(sites.values()))
        zone = only.get("timezone") if len(sites) == 1 and isinstance(only, dict) else "UTC"
    try:
        return check_zone(zone) if zone is not None else None
    except ValueError:
        return None


def check_sites(scenario: Any) -> None:
    """The rules between [sites] and the rest of a scenario: every site named by
    ``demand.sites`` and a wave's ``site`` exists, and `start` exists in its zone."""
    names = scenario.site_names
    where = "" if scenario.sites else " (a scenario without [sites] has one site, " \
        f"{IMPLICIT_SITE!r})"
    for name in scenario.demand.sites or ():
        if name not in names:
            raise KeyedError(f"demand.sites.{name}", "is not a site of [sites]" + where
                             + _did_you_mean(name, names), name)
    if len(names) > 1 and scenario.demand.sites is None:
        raise KeyedError("demand.sites", "is required with more than one site: the share "
                         f"of tickets raised at each ({', '.join(names)})")
    for index, wave in enumerate(scenario.demand.waves):
        if wave.site is not None and wave.site not in names:
            raise KeyedError(f"demand.waves.{index}.site", "is not a site of [sites]" + where
                             + _did_you_mean(wave.site, names), wave.site)
    if scenario.start_zone is not None or scenario.sites:
        try:
            scenario.site_calendars  # noqa: B018 — built here so that a bad start fails now
        except ValueError as exc:
            raise KeyedError("start", str(exc).removeprefix("start: "), scenario.start) from None
