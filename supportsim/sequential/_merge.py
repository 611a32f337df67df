"""Join and cut :class:`~supportsim.SimulationResult` objects by replication number."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from supportsim.results import SimulationResult

__all__ = ["first_replications", "merge_results"]

_TABLES = ("staff", "timeline", "events", "scores")
#: Per-replication tables a result may lack (None): joined and cut only when present.
_OPTIONAL = ("abandonment_counts",)


def merge_results(parts: Sequence[SimulationResult]) -> SimulationResult:
    """One result holding the replications of `parts` (same scenario and seed), in
    ascending replication order: the tables of ``simulate`` with that many replications."""
    first = parts[0]
    if len(parts) == 1:
        return first
    order = sorted(parts, key=lambda part: int(part.timeline["replication"].iloc[0]))
    joined = {name: pd.concat([getattr(p, name) for p in order], ignore_index=True)
              for name in _TABLES}
    joined["metrics"] = pd.concat([p.metrics for p in order])
    for name in _OPTIONAL:
        if getattr(first, name) is not None:
            joined[name] = pd.concat([getattr(p, name) for p in order], ignore_index=True)
    tickets = None
    if first.ticket_table is not None:
        tickets = pd.concat([p.tickets for p in order], ignore_index=True)
    fresh = None
    if first.fresh_scores is not None:
        fresh = pd.concat([p.fresh_scores for p in order], ignore_index=True)
    return dataclasses.replace(
        first, replications=sum(p.replications for p in order), ticket_table=tickets,
        ticket_files=tuple(f for p in order for f in p.ticket_files), fresh_scores=fresh,
        **joined)


def first_replications(res: SimulationResult, count: int, *, delete: bool = False
                       ) -> SimulationResult:
    """`res` cut to its replications ``0 .. count-1``; with `delete`, the spilled ticket
    files of the others are deleted (they were written by the run being cut)."""
    if count >= res.replications:
        return res

    def cut(frame: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
        reps = frame.index if index else frame["replication"]
        out = frame[reps < count]
        return out if index else out.reset_index(drop=True)

    files = []
    for path in res.ticket_files:
        if int(path.stem.rsplit("r", 1)[-1]) < count:
            files.append(path)
        elif delete:
            path.unlink(missing_ok=True)
    return dataclasses.replace(
        res, replications=count,
        **{name: cut(getattr(res, name)) for name in _TABLES},
        metrics=cut(res.metrics, index=True),
        **{name: cut(getattr(res, name)) for name in _OPTIONAL
           if getattr(res, name) is not None},
        ticket_table=None if res.ticket_table is None else cut(res.ticket_table),
        ticket_files=tuple(files),
        fresh_scores=None if res.fresh_scores is None else cut(res.fresh_scores))
