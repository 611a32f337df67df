"""Text sections shared by ``run``, ``run --vs`` and ``sweep``: verdicts against the
scenario's goals, abandonment by channel and priority, and the ``--window`` option."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from supportsim.cli._common import _share, _table

if TYPE_CHECKING:
    import pandas as pd

    from supportsim.scenario import Scenario

__all__ = ["abandonment_section", "add_window_arg", "sweep_verdict_section", "verdict_section",
           "window_heading", "window_of"]

#: Abandoned shares at or above this are flagged in the run report.
HIGH_ABANDONMENT = 0.10


def _window(text: str) -> tuple[object, object]:
    """``START,LENGTH`` or ``START,END`` -> a window; numbers are hours since the start."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError(
            f"expected START,LENGTH or START,END, e.g. 2026-03-02,30d, got {text!r}")

    def item(part: str) -> object:
        try:
            return float(part)
        except ValueError:
            return part

    return item(parts[0]), item(parts[1])


def add_window_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--window START,LENGTH`` to `parser`."""
    parser.add_argument(
        "--window", type=_window, metavar="START,LENGTH",
        help="score only the tickets that arrive in this window, e.g. 2026-03-02,30d (a "
             "date or hours since the start, then a duration or an end date): the SLA "
             "table, verdicts and abandonment cover those tickets, each on its whole outcome")


def window_of(args: argparse.Namespace, scenario: Scenario) -> tuple[float, float] | None:
    """The ``--window`` as (start, length) in hours, checked against the scenario (a usage
    error if not)."""
    if getattr(args, "window", None) is None:
        return None
    from supportsim.analysis import parse_window
    from supportsim.cli._common import _UsageError

    try:
        start, end = parse_window(args.window, scenario)
    except ValueError as exc:
        raise _UsageError(f"--window: {exc}") from None
    return start, end - start  # hours since the start, hours long: a window as is


def window_heading(window: tuple[float, float] | None, scenario: Scenario) -> str:
    """``Window: tickets that arrived from 2026-02-16 00:00 to 2026-03-18 00:00 (30d)...``
    for a (start, length) window in hours, or ``""``."""
    if window is None:
        return ""
    from supportsim.sites import wall_clock
    from supportsim.units import span_text

    start, end = (wall_clock(scenario.start, t, scenario.zone_of_start)
                  for t in (window[0], window[0] + window[1]))
    return (f"Window: tickets that arrived from {start:%Y-%m-%d %H:%M} to "
            f"{end:%Y-%m-%d %H:%M} ({span_text(window[1])}),\nscored on their whole outcome")


def verdict_section(verdicts: pd.DataFrame, *, label: str = "") -> str:
    """The verdicts as a table with a one-line tally; ``""`` when no goal is stated."""
    import pandas as pd

    if verdicts.empty:
        return ""
    keys = [c for c in verdicts.columns if c in ("variant",)]
    rows = pd.DataFrame({
        **{k: verdicts[k].astype(str) for k in keys},
        "priority": verdicts["priority"].astype(str),
        "target": [f"{t} {w}" for t, w in zip(verdicts["target"], verdicts["target_time"],
                                               strict=True)],
        "goal": [f"{g:.0%}" if round(g * 100, 6).is_integer() else f"{g:.1%}"
                 for g in verdicts["goal"]],
        "met (95% CI)": [_share(r.attainment, r.low, r.high).strip()
                         for r in verdicts.itertuples()],
        "verdict": verdicts["verdict"],
    })
    counts = verdicts["verdict"].value_counts()
    tally = ", ".join(f"{counts.get(v, 0)} {v}" for v in ("holds", "uncertain", "fails")
                      if counts.get(v, 0))
    title = f"Goals{f' ({label})' if label else ''}: {tally} of {len(verdicts)}"
    return (f"{title}\n'holds' where the whole 95% interval is at or above the goal, 'fails' "
            "where it is\nbelow, 'uncertain' where it straddles the goal (more replications "
            "would decide)\n" + _table(rows))


def abandonment_section(table: pd.DataFrame, overall: float) -> str:
    """Abandoned share by channel and priority; ``""`` when no channel abandons."""
    import pandas as pd

    if table.empty or not (table["abandoned"] > 0).any():
        return ""
    table = table[table.groupby("channel", observed=True)["abandoned"].transform("sum") > 0]
    high = table["abandoned_share"] >= HIGH_ABANDONMENT
    rows = pd.DataFrame({
        "channel": table["channel"].astype(str),
        "priority": table["priority"].astype(str),
        "abandoned (95% CI)": [_share(r.abandoned_share, r.abandoned_share_low,
                                      r.abandoned_share_high).strip()
                               for r in table.itertuples()],
        "tickets": [f"{n:,.0f}" for n in table["tickets_per_replication"]],
        "": ["<- high" if h else "" for h in high],
    })
    note = "" if math.isnan(overall) else f" (all tickets: {overall:.1%})"
    return (f"Abandonment by channel and priority{note};\nchannels where nobody hangs up "
            "left out, tickets per replication\n" + _table(rows))


def sweep_verdict_section(verdicts: pd.DataFrame) -> str:
    """One row per variant, one verdict column per goal; ``""`` when no goal is stated."""
    import pandas as pd

    if verdicts.empty:
        return ""
    goal_names = [f"{p} {t} {g:.0%}" for p, t, g in zip(
        verdicts["priority"], verdicts["target"], verdicts["goal"], strict=True)]
    frame = verdicts.assign(goal_name=goal_names, variant=verdicts["variant"].astype(str))
    wide = frame.pivot(index="variant", columns="goal_name", values="verdict")
    wide = wide.reindex(index=list(dict.fromkeys(frame["variant"])),
                        columns=list(dict.fromkeys(goal_names)))
    counts = frame.groupby("variant", sort=False)["verdict"].agg(
        lambda v: f"{(v == 'holds').sum()}/{len(v)}")
    rows = pd.DataFrame({"variant": wide.index, **{c: wide[c].fillna("-").to_numpy()
                                                   for c in wide.columns},
                         "holds": counts.reindex(wide.index).to_numpy()})
    return ("Goals per variant ('holds' where the whole 95% interval is at or above the "
            "goal, 'fails'\nwhere below, 'uncertain' where it straddles it)\n" + _table(rows))
