"""The validation context of a scenario: what its validators need to know of the data
as given (durations as written, the length of a business day, the base directory),
worked out from the raw data before it is validated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from supportsim.scenario._schema import CalendarSection, clock_hours
from supportsim.scenario._sites import site_day_hours, unequal_days
from supportsim.units import format_duration

#: Validation context key: the data as given, so messages can quote durations as written.
_GIVEN = "given"
_BASE = "base directory"


def _as_given(data: Mapping[str, Any], key: str, hours: float) -> str:
    """A top-level duration as written ("3w"), or its hours in the coarsest exact unit."""
    value = data.get(key)
    if isinstance(value, str):
        return value.strip()
    text = format_duration(hours)
    return text if isinstance(text, str) else f"{text:g}h"


def _business_day_hours(data: Mapping[str, Any]) -> float | None:
    """Hours in one business day of the data's calendar; None if the calendar is invalid.

    Business-day targets ("3bd") are resolved with it while the priorities are validated;
    an invalid calendar reports its own error.
    """
    day = _calendar_day_hours(data)
    return None if day is None else site_day_hours(data.get("sites"), day)


def _unequal_days(data: Mapping[str, Any]) -> str | None:
    """Why `data` has no one length of business day when its sites' differ, else None."""
    day = _calendar_day_hours(data)
    return None if day is None else unequal_days(data.get("sites"), day)


def _calendar_day_hours(data: Mapping[str, Any]) -> float | None:
    try:
        section = CalendarSection.model_validate(data.get("calendar", {}))
    except ValidationError:
        return None
    opens, closes = (clock_hours(t) for t in section.business_hours)
    return closes - opens
