""":func:`snapshot`: the tickets a history shows open at a cut-off, as an initial backlog.

A plan made from last Friday's export starts from the tickets open then. The rows are
those of a backlog file (``[initial] backlog``, docs/scenario.md): ``id``, ``opened_at``
(the instant, so a scenario whose `start` is the cut-off reads them as hours before
start), ``priority`` (mapped as :func:`~supportsim.calibrate.from_event_log` maps
priorities, ``P1``..), ``channel`` (where the log has one) and ``tier``.

What a log cannot tell, and what the snapshot writes instead:

- the tier: a log names assignment groups, not tiers, and the skeleton has one tier, so
  every ticket is put at ``l1``;
- whether an agent is on it at the cut-off, and the work already done: left out (not in
  service, no work done), so each ticket's work is drawn whole and its first response is
  the first time an agent starts it after the cut-off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from supportsim.calibrate._fields import EventLogError
from supportsim.calibrate._read import TicketLog, read_log

__all__ = ["backlog_rows", "cut_off", "snapshot"]

#: The comment line at the top of a snapshot file.
HEADER = ("# open tickets of {source} at {at} (supportsim.calibrate.snapshot); tier l1 for "
          "every ticket (the log names groups, not tiers); in service and work done unknown")


def cut_off(at: Any, log: TicketLog) -> pd.Timestamp:
    """`at` as a naive instant within what `log` shows."""
    try:
        instant = pd.Timestamp(at)
    except (TypeError, ValueError):
        raise EventLogError(f"at must be an instant such as '2016-03-01 12:00', got {at!r}"
                            ) from None
    if pd.isna(instant) or instant.tzinfo is not None:
        raise EventLogError(f"at must be a local instant without a UTC offset, got {at!r}")
    if instant > log.observed_until:
        raise EventLogError(
            f"at {instant} is after the last instant the log shows "
            f"({log.observed_until}): which tickets were open then is not known "
            f"({log.source})")
    return instant


def backlog_rows(log: TicketLog, at: pd.Timestamp) -> pd.DataFrame:
    """The tickets of `log` open at `at` (opened by then, resolved later or never)."""
    t = log.tickets
    open_then = (t["opened_at"] <= at) & (t["resolved_at"].isna() | (t["resolved_at"] > at))
    rows = t[open_then].sort_values("opened_at", kind="stable")
    ids = rows["ticket"].astype(str)
    # A log without ids: the ticket's line in the input (the header is line 1).
    ids = ids.where(ids != "", "line " + (rows["row"] + 2).astype(str))
    frame = pd.DataFrame({
        "id": ids.to_numpy(),
        "opened_at": [ts.to_pydatetime() for ts in rows["opened_at"]],
        "priority": rows["priority"].astype(str).to_numpy(),
    })
    if "channel" in log.columns:
        frame["channel"] = rows["channel"].astype(str).to_numpy()
    frame["tier"] = "l1"
    return frame


def snapshot(
    data: str | Path | pd.DataFrame,
    at: Any,
    format: Literal["servicenow", "tickets"] = "servicenow",
    *,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """The tickets open at the cut-off `at`, as the rows of an initial backlog.

    Parameters
    ----------
    data : str, Path or DataFrame
        The history, as for :func:`~supportsim.calibrate.from_event_log`.
    at : str, datetime or Timestamp
        The cut-off, a local instant no later than the last instant the log shows.
    format : {"servicenow", "tickets"}, default "servicenow"
    out : str or Path, optional
        Also write the rows there as a backlog CSV (a comment line, then the header),
        for ``[initial] backlog = "..."`` in a scenario whose `start` is the cut-off.

    Returns
    -------
    DataFrame
        ``id``, ``opened_at`` (datetimes), ``priority``, ``channel`` (where the log has
        channels) and ``tier`` (``"l1"``: a log does not say), in order of opening.

    Raises
    ------
    EventLogError
        As :func:`~supportsim.calibrate.from_event_log`, or an unreadable `at` or one after
        the log ends.

    Examples
    --------
    >>> import supportsim as ss
    >>> rows = ss.calibrate.snapshot("incidents.csv", at="2016-03-01 12:00")  # doctest: +SKIP
    """
    log = read_log(data, format)
    instant = cut_off(at, log)
    rows = backlog_rows(log, instant)
    if out is not None:
        from supportsim.calibrate._skeleton import write_text

        text = rows.assign(opened_at=[t.isoformat() for t in rows["opened_at"]]).to_csv(
            index=False)
        write_text(out, HEADER.format(source=Path(log.source).name, at=instant.isoformat())
                   + "\n" + text)
    return rows
