"""Read a ticket history and normalise it to one row per ticket.

Two input formats:

- ``servicenow``: an audit export with one row per *update* of an incident (several rows
  share a ``number``); the last row of an incident in file order carries its final state.
  Dates are day-first (``29-02-2016 01:16``) and ``?`` marks a missing value.
- ``tickets``: one row per ticket with ``opened_at``, ``resolved_at`` and ``priority``
  (ISO 8601 dates), optionally ``channel``, ``reassignments``, ``first_response_at``,
  ``made_sla``, ``reopens`` and an id column ``ticket``.

Every problem raises :class:`EventLogError` naming the file, the column and the line
(the header is line 1), so a user can open the file at that line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supportsim._textfile import MIB, read_text
from supportsim.calibrate._fields import (
    CONTACT_CHANNELS,
    EventLogError,
    Where,
    channels,
    cleaned,
    counts,
    dates,
    flags,
    priorities,
)
from supportsim.calibrate._formats import FORMATS

__all__ = ["FORMATS", "EventLogError", "TicketLog", "read_log"]

#: Largest event log read, in bytes (the full UCI ServiceNow log of 141,712 events is ~65 MiB).
EVENT_LOG_LIMIT = 512 * MIB
#: Least half-width of the window of plausible dates around the median ``opened_at``.
SPAN_MARGIN = pd.Timedelta(days=730)
_REQUIRED = {
    "servicenow": ("number", "opened_at", "resolved_at", "priority"),
    "tickets": ("opened_at", "resolved_at", "priority"),
}
_NA = {"servicenow": ["?", ""], "tickets": ["", "?", "NA", "N/A", "NaN", "nan", "null"]}
#: Optional columns per format, by the name they take in the normalised table.
_OPTIONAL = {
    "servicenow": {"channel": "contact_type", "reassignments": "reassignment_count",
                   "reopens": "reopen_count", "made_sla": "made_sla",
                   "first_response_at": "first_response_at"},
    "tickets": {"channel": "channel", "reassignments": "reassignments", "reopens": "reopens",
                "made_sla": "made_sla", "first_response_at": "first_response_at"},
}


@dataclass(frozen=True)
class TicketLog:
    """A ticket history normalised to one row per ticket.

    Attributes
    ----------
    tickets : DataFrame
        ``ticket`` (id), ``row`` (0-based position of the ticket's row in the input),
        ``opened_at``, ``resolved_at``, ``first_response_at`` (naive datetimes, NaT where
        missing), ``priority`` (``P1``..``P9``), ``channel``, ``reassignments``,
        ``reopens`` (floats, NaN where unknown), ``made_sla`` (boolean, NA where unknown)
        and ``resolution_time`` (hours, NaN while unresolved).
    source : str
        The file name, or ``"DataFrame"``.
    format : str
    events : int
        Rows read (updates for ``servicenow``, tickets for ``tickets``).
    observed_until : Timestamp
        The latest instant the log shows (its follow-up ends there).
    columns : tuple of str
        Optional columns the input had (``channel``, ``reassignments``, ...).
    """

    tickets: pd.DataFrame
    source: str
    format: str
    events: int
    observed_until: pd.Timestamp
    columns: tuple[str, ...]


def _unclosed_quote(line: str) -> int | None:
    """Column (from 1) of the quote that opens a field left open at the end of `line`."""
    opened, i = None, 0
    while i < len(line):
        if opened is None:
            if line[i] == '"':
                opened = i + 1
        elif line[i] == '"':
            if line[i + 1:i + 2] == '"':  # an escaped quote inside the field
                i += 1
            else:
                opened = None
        i += 1
    return opened


def _csv_problem(text: str, path: Path) -> str | None:
    """Where the CSV structure of `text` breaks (line and column), read by the csv module."""
    reader = csv.reader(io.StringIO(text), strict=True)
    width, start = 0, 1
    try:
        for row in reader:
            if reader.line_num == 1 or width == 0:
                width = len(row)
            elif len(row) > width:
                return (f"line {start}, column {width + 1} of {path} has {len(row)} fields, "
                        f"the header has {width}")
            start = reader.line_num + 1
    except csv.Error as exc:
        lines = text.splitlines()
        line = lines[start - 1] if start <= len(lines) else ""
        column = _unclosed_quote(line)
        if column is not None and "end of data" in str(exc):
            return (f"a quoted field opened at line {start}, column {column} of {path} is "
                    "never closed (unterminated quote)")
        return f"line {reader.line_num} of {path}: {exc}"
    return None


def _duplicates(text: str, path: Path) -> None:
    """Refuse a header that names a column twice (pandas would rename one silently)."""
    header = next(csv.reader(io.StringIO(text)), [])
    first: dict[str, int] = {}
    for column, name in enumerate((h.strip() for h in header), start=1):
        if name in first:
            raise EventLogError(f"column {name!r} appears twice in the header (line 1, "
                                f"columns {first[name]} and {column}) of {path}")
        first[name] = column


def _read_table(data: Any, fmt: str) -> tuple[pd.DataFrame, Where]:
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        where = Where("DataFrame", False, frame.index)
    else:
        path = Path(data)
        # One reader for every file (UTF-8, a size cap, regular files only): problems come
        # back as one line naming the file, line and column.
        text = read_text(path, "event log", limit=EVENT_LOG_LIMIT, error=EventLogError)
        if not text.strip():
            raise EventLogError(f"event log is empty: no header and no rows ({path})")
        _duplicates(text, path)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                na_values=_NA[fmt], skipinitialspace=True)
        except pd.errors.ParserError as exc:
            where_text = _csv_problem(text, path)
            raise EventLogError(f"not a readable CSV file: {where_text}" if where_text else
                                f"not a readable CSV file: {' '.join(str(exc).split())} "
                                f"({path})") from None
        where = Where(str(path), True, frame.index)
    frame.columns = [str(c).strip() for c in frame.columns]
    twice = frame.columns[frame.columns.duplicated()]
    if len(twice):  # a DataFrame's own columns (a file's header was checked above)
        raise EventLogError(f"column {twice[0]!r} appears twice in the {where.name}")
    missing = [c for c in _REQUIRED[fmt] if c not in frame.columns]
    if missing:
        raise where.fail(missing[0], f"is required for format {fmt!r} (needs "
                         f"{', '.join(_REQUIRED[fmt])}; found {', '.join(frame.columns)}) "
                         "but is missing from")
    if frame.empty:
        raise EventLogError(f"event log has a header but no rows ({where.name})")
    # Positions from here on; `where` keeps a DataFrame's own labels to name its rows.
    return frame.reset_index(drop=True), where


def _optional(frame: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _normalise(frame: pd.DataFrame, where: Where, fmt: str) -> pd.DataFrame:
    """One row per ticket from `frame` (already reduced to one row per ticket)."""
    ids = _optional(frame, "number", "ticket", "id")
    names = _OPTIONAL[fmt]
    out = pd.DataFrame({
        "ticket": (cleaned(frame[ids]).fillna("").astype(str) if ids
                   else pd.Series(frame.index.astype(str), index=frame.index)),
        "row": where.positions if where.positions is not None else np.arange(len(frame)),
        "opened_at": frame["opened_at"], "resolved_at": frame["resolved_at"],
        "first_response_at": frame["first_response_at"] if "first_response_at" in frame
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]"),
        "priority": priorities(frame, where),
        "channel": channels(frame, _optional(frame, names["channel"]),
                            CONTACT_CHANNELS if fmt == "servicenow" else {}),
        "reassignments": counts(frame, _optional(frame, names["reassignments"]), where),
        "reopens": counts(frame, _optional(frame, names["reopens"]), where),
        "made_sla": flags(frame, _optional(frame, names["made_sla"]), where),
    })
    for column in ("resolved_at", "first_response_at"):
        early = (out[column] < out["opened_at"]).to_numpy()
        if early.any():
            pos = int(np.argmax(early))
            raise where.fail(column, f"is before opened_at ({out[column].iloc[pos]} < "
                             f"{out['opened_at'].iloc[pos]})", pos)
    out["resolution_time"] = (out["resolved_at"] - out["opened_at"]).dt.total_seconds() / 3600
    return out.reset_index(drop=True)


def _check_span(frame: pd.DataFrame, columns: list[str], where: Where) -> None:
    """Refuse a date far outside the log's span: a typo (9999 for 2016), not a history.

    The window is the median ``opened_at`` plus or minus four median absolute deviations
    of ``opened_at`` (for evenly spread arrivals, the whole history again on each side),
    and at least :data:`SPAN_MARGIN`. Median and deviation ignore a few wild values, so one
    wrong year is caught before it moves a fitted mean or sizes an hourly grid over
    millennia; a ticket that really stayed open that long is rare enough to fix by hand.
    """
    opened = frame["opened_at"]
    median = pd.Timestamp(opened.median())
    spread = pd.Timedelta((opened - median).abs().median())
    margin = max(4 * spread, SPAN_MARGIN)
    try:
        low, high = median - margin, median + margin
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        low, high = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")
    for column in columns:
        values = frame[column]
        outside = ((values < low) | (values > high)).to_numpy()
        if outside.any():
            pos = int(np.argmax(outside))
            raise where.fail(column, f"has {values.iloc[pos]}, far outside the log's span "
                             f"(opened_at has a median of {median:%Y-%m-%d}; dates before "
                             f"{low:%Y-%m-%d} or after {high:%Y-%m-%d} are taken for typos)",
                             pos)


def read_log(data: Any, fmt: str) -> TicketLog:
    """Read `data` (a CSV path or a DataFrame) in format `fmt` into a :class:`TicketLog`.

    Raises
    ------
    EventLogError
        Unknown format, unreadable or empty file, a missing required column, an unparsable
        date or label (naming column and line), or a history with no resolved ticket.
    """
    if fmt not in FORMATS:
        raise EventLogError(f"format must be one of {', '.join(map(repr, FORMATS))}, "
                            f"got {fmt!r}")
    frame, where = _read_table(data, fmt)
    date_columns = [c for c in ("opened_at", "resolved_at", "first_response_at",
                                "sys_updated_at") if c in frame.columns]
    for column in date_columns:
        frame[column] = dates(frame, column, where, fmt, required=column == "opened_at")
    _check_span(frame, date_columns, where)
    if fmt == "servicenow":
        numbers = cleaned(frame["number"])
        if numbers.isna().any():
            raise where.fail("number", "is missing (every update names its incident)",
                             int(np.argmax(numbers.isna().to_numpy())))
        frame["number"] = numbers
        # The README of the export: the last row of an incident carries its final state.
        last = frame.groupby("number", sort=False).tail(1)
        tickets = _normalise(last, where.subset(last.index.to_numpy()), fmt)
    else:
        tickets = _normalise(frame, where, fmt)
    seen = frame[date_columns].max().max()
    if tickets["resolved_at"].isna().all():
        raise EventLogError(f"no resolved tickets: column 'resolved_at' is empty for all "
                            f"{len(tickets)} tickets, so resolution times cannot be fitted "
                            f"({where.name})")
    present = tuple(k for k, name in _OPTIONAL[fmt].items() if name in frame.columns)
    return TicketLog(tickets, where.name, fmt, len(frame), pd.Timestamp(seen), present)
