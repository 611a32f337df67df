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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


def _read_table(data: Any, fmt: str) -> tuple[pd.DataFrame, Where]:
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        where = Where("DataFrame", False, frame.index)
    else:
        path = Path(data)
        try:
            empty = not path.read_bytes().strip()
        except OSError as exc:
            raise EventLogError(f"cannot read event log: {exc.strerror or exc} ({path})") from None
        if empty:
            raise EventLogError(f"event log is empty: no header and no rows ({path})")
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=_NA[fmt],
                                encoding="utf-8-sig", skipinitialspace=True)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise EventLogError(f"not a readable CSV file: {' '.join(str(exc).split())} "
                                f"({path})") from None
        where = Where(str(path), True, frame.index)
    frame.columns = [str(c).strip() for c in frame.columns]
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
