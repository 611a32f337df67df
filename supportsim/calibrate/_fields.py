"""Reading the columns of a ticket history: dates, priority labels, channels, counts, flags.

Each reader checks every value and raises :class:`EventLogError` naming the column and the
line of the first bad one (the header is line 1).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from supportsim._errors import ScenarioError

__all__ = [
    "CONTACT_CHANNELS", "EventLogError", "Where", "channels", "cleaned", "counts", "dates",
    "flags", "priorities",
]

_DATE_FORMATS = {
    "servicenow": ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"),
    "tickets": ("ISO8601",),
}
_DATE_HINT = {"servicenow": "a day-first date such as 29-02-2016 01:16",
              "tickets": "an ISO 8601 date such as 2026-01-05 08:30"}
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$")
_PRIORITY_NUMBER = re.compile(r"^\s*(?:p(?:riority)?\s*)?([1-9])(?!\d)", re.IGNORECASE)
_PRIORITY_WORDS = {"critical": 1, "high": 2, "moderate": 3, "medium": 3, "low": 4,
                   "planning": 5}
#: ServiceNow ``contact_type`` values -> channel names; others are slugified.
CONTACT_CHANNELS = {"phone": "phone", "email": "email", "self service": "portal",
                    "self-service": "portal", "walk in": "walk_in", "direct opening": "direct",
                    "ivr": "ivr", "chat": "chat"}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


class EventLogError(ScenarioError):
    """A ticket history cannot be read: the message names the file, column and line.

    A :class:`~supportsim.ScenarioError` (and so a ``ValueError``), so the command line
    reports it on one line with exit code 2.
    """


class Where:
    """Names a row of the input: ``line 7 of log.csv`` (the header is line 1).

    Positions are 0-based rows of the table being checked; `positions` maps them back to
    rows of the input when that table is a subset (the last update of each incident).
    """

    def __init__(self, name: str, is_file: bool, index: pd.Index,
                 positions: np.ndarray | None = None) -> None:
        self.name, self.is_file, self.index, self.positions = name, is_file, index, positions

    def subset(self, positions: np.ndarray) -> Where:
        """The same input, checked through a subset of its rows at `positions`."""
        return Where(self.name, self.is_file, self.index, positions)

    def at(self, position: int) -> str:
        """Where row `position` of the checked table is in the input."""
        if self.positions is not None:
            position = int(self.positions[position])
        if self.is_file:
            return f"line {position + 2} of {self.name}"
        return f"row {self.index[position]!r} of the DataFrame"

    def fail(self, column: str, rule: str, position: int | None = None) -> EventLogError:
        """An error about `column` at row `position` (the header when None)."""
        where = self.at(position) if position is not None else (
            f"the header (line 1) of {self.name}" if self.is_file else "the DataFrame")
        return EventLogError(f"column {column!r} {rule} at {where}")


def cleaned(values: pd.Series) -> pd.Series:
    """Values as stripped strings; empty strings become missing."""
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def dates(frame: pd.DataFrame, column: str, where: Where, fmt: str,
          required: bool = False) -> pd.Series:
    """Column `column` as naive datetimes (NaT where missing), in the dates of format `fmt`."""
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.Series(values, index=frame.index)
        if getattr(parsed.dt, "tz", None) is not None:
            raise where.fail(column, "has time-zone-aware values; give naive local times "
                             "(the scenario clock has no time zone)")
    else:
        text = cleaned(values)
        offset = text.str.contains(_OFFSET, na=False).to_numpy()
        if offset.any():
            pos = int(np.argmax(offset))
            raise where.fail(column, f"has a UTC offset ({text.iloc[pos]!r}); give naive "
                             "local times (the scenario clock has no time zone)", pos)
        parsed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
        for date_format in _DATE_FORMATS[fmt]:
            todo = parsed.isna() & text.notna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(text[todo], format=date_format, errors="coerce")
        bad = (parsed.isna() & text.notna()).to_numpy()
        if bad.any():
            pos = int(np.argmax(bad))
            raise where.fail(column, f"cannot be read as a date: {text.iloc[pos]!r} is not "
                             f"{_DATE_HINT[fmt]}", pos)
    if required and parsed.isna().any():
        raise where.fail(column, "is missing (every ticket needs it)",
                         int(np.argmax(parsed.isna().to_numpy())))
    return parsed.astype("datetime64[us]")


def _priority_name(label: str) -> str | None:
    match = _PRIORITY_NUMBER.match(label)
    if match:
        return f"P{match.group(1)}"
    number = _PRIORITY_WORDS.get(label.strip().lower())
    return f"P{number}" if number else None


def priorities(frame: pd.DataFrame, where: Where) -> pd.Series:
    """Column ``priority`` as names ``P1``..``P9`` (rank order: P1 most urgent)."""
    text = cleaned(frame["priority"])
    if text.isna().any():
        raise where.fail("priority", "is missing (every ticket needs one)",
                         int(np.argmax(text.isna().to_numpy())))
    names = {label: _priority_name(label) for label in text.unique()}
    for pos, label in enumerate(text):
        if names[label] is None:
            raise where.fail("priority", f"has {label!r}, which is not a priority such as "
                             "'1 - Critical', 'P2', '3' or 'low'", pos)
    return text.map(names).astype(str)


def _slug(label: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", label.strip().lower()).strip("_") or "unknown"


def channels(frame: pd.DataFrame, column: str | None, mapping: dict[str, str]) -> pd.Series:
    """Channel names from `column` through `mapping` (else slugified); ``default`` if none."""
    if column is None:
        return pd.Series("default", index=frame.index)
    text = cleaned(frame[column])
    names = {label: mapping.get(label.lower(), _slug(label)) for label in text.dropna().unique()}
    return text.map(names).fillna("unknown").astype(str)


def counts(frame: pd.DataFrame, column: str | None, where: Where) -> pd.Series:
    """Whole numbers >= 0 from `column` as floats (NaN where missing or no column)."""
    if column is None:
        return pd.Series(np.nan, index=frame.index)
    text = cleaned(frame[column])
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (text.notna() & (numbers.isna() | (numbers < 0) | (numbers % 1 != 0))).to_numpy()
    if bad.any():
        pos = int(np.argmax(bad))
        raise where.fail(column, f"must be a whole number >= 0, got {text.iloc[pos]!r}", pos)
    return numbers.astype(float)


def flags(frame: pd.DataFrame, column: str | None, where: Where) -> pd.Series:
    """Booleans (true/false, yes/no, 1/0, t/f) from `column`; NA where missing."""
    if column is None:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    text = cleaned(frame[column]).str.lower()
    for pos, value in enumerate(text):
        if value is not pd.NA and value not in _TRUE | _FALSE:
            raise where.fail(column, f"must be true or false, got {value!r}", pos)
    return text.map(lambda v: v in _TRUE if isinstance(v, str) else pd.NA).astype("boolean")
