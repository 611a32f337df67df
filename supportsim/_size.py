"""How big a simulation will be, estimated before anything is allocated.

The expected number of tickets comes from the demand model in closed form
(:func:`supportsim.demand.expected_arrivals`), so the estimate is instant whatever the
horizon. Memory is estimated from bytes per ticket measured on this implementation
(constants below). A simulation that would hold more than ``max_tickets`` tickets in
memory at once is refused with a :class:`SizeLimitError` before it starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from supportsim._errors import ScenarioError

if TYPE_CHECKING:
    from supportsim.scenario import Scenario

__all__ = [
    "DEFAULT_MAX_TICKETS",
    "KEPT_BYTES_PER_TICKET",
    "PEAK_BYTES_PER_TICKET",
    "SizeEstimate",
    "SizeLimitError",
    "estimate_size",
]

#: Peak bytes per ticket of the replication being simulated: its ticket stream, the
#: engine's per-ticket records, the frozen record arrays and its ticket table, all alive
#: at once. Measured as the slope of peak RSS (``/usr/bin/time -v``) against tickets of
#: ``simulate(mmc, replications=1, tickets="drop")`` on scenarios/mmc.toml with horizons
#: of 8 and 64 weeks (26,880 and 215,040 tickets): 614 B/ticket, 627 B/ticket after the
#: engine's channel order and overtime records; rounded up.
PEAK_BYTES_PER_TICKET = 640
#: Peak bytes per ticket kept in the ticket table across replications (83 B of columns,
#: plus the copy made when the per-replication tables are joined at the end). Measured as
#: the slope of peak RSS against total tickets of ``simulate(mmc, replications=R)`` on
#: scenarios/mmc.toml (8 weeks) at R = 50, 200 and 400: 203 and 176 B/ticket (177 B
#: between 50 and 200 on the final code); rounded up.
KEPT_BYTES_PER_TICKET = 210
#: Bytes per value in the hourly timeline (one row per replication and hour).
_TIMELINE_BYTES_PER_VALUE = 8
#: Default limit on tickets held in memory at once: one replication's when the ticket
#: table is dropped or spilled, all replications' when it is kept. 8 million tickets peak
#: at about 5 GB in one replication and under 2 GB kept across replications, within a
#: common 8 GB laptop; scenarios/mmc.toml (20 tickets/h for 8 weeks) fits about 300
#: replications with the tickets kept and any number with them dropped; the flagship
#: rollout_tiered.toml about 400 kept. A fixed count, not the machine's free memory, so
#: that whether a run is accepted does not depend on where it runs.
DEFAULT_MAX_TICKETS = 8_000_000


class SizeLimitError(ScenarioError):
    """A simulation would hold more tickets in memory than its ``max_tickets`` allows.

    A :class:`~supportsim.ScenarioError` (so a ``ValueError``): the command line prints
    it on one line and exits 2.
    """


@dataclass(frozen=True)
class SizeEstimate:
    """The expected size of a simulation, before it runs.

    Attributes
    ----------
    tickets_per_replication : float
        Expected tickets of one replication (storms included).
    replications : int
    tickets : float
        Expected tickets over all replications.
    held : float
        Expected tickets held in memory at once: all of them when the ticket table is
        kept, one replication's when it is dropped or spilled to disk.
    peak_bytes : float
        Estimated peak memory of the simulation (beyond the interpreter and libraries).
    keep : bool
        Whether the ticket table is kept in memory.
    """

    tickets_per_replication: float
    replications: int
    tickets: float
    held: float
    peak_bytes: float
    keep: bool

    def check(self, max_tickets: int | None, source: str | None = None) -> None:
        """Raise :class:`SizeLimitError` if more than `max_tickets` tickets would be held.

        Also if the estimated peak memory exceeds that of one replication of
        `max_tickets` tickets (``max_tickets * PEAK_BYTES_PER_TICKET``), which only the
        hourly timeline of many replications over a long horizon, or the delays drawn for
        retrials with ``retry`` near 1 (up to 100 per ticket), can do.
        ``max_tickets=None`` means no limit.
        """
        if max_tickets is None:
            return
        where = f" ({source})" if source else ""
        budget = max_tickets * PEAK_BYTES_PER_TICKET
        if self.held <= max_tickets:
            if self.peak_bytes <= budget:
                return
            raise SizeLimitError(
                f"size: {self.replications:,} replications of the hourly timeline (and "
                f"any retrial draws) need an estimated {format_bytes(self.peak_bytes)}, "
                "above the "
                f"{format_bytes(budget)} allowed by max_tickets = {max_tickets:,} "
                f"({PEAK_BYTES_PER_TICKET} B per ticket); use fewer replications, a shorter "
                f"horizon, or a higher max_tickets (--max-tickets){where}")
        if self.keep and self.replications > 1:
            what = (f"{self.replications:,} replications x {self.tickets_per_replication:,.0f} "
                    f"expected tickets = {self.tickets:,.0f} tickets kept in memory")
            remedy = ("fewer replications, tickets='drop' or a directory to spill them to, "
                      "or a higher max_tickets (--max-tickets)")
        else:
            what = f"{self.tickets_per_replication:,.0f} expected tickets in one replication"
            remedy = ("a shorter horizon or lower demand, or a higher max_tickets "
                      "(--max-tickets)")
        raise SizeLimitError(
            f"size: {what} (estimated peak {format_bytes(self.peak_bytes)}) is above "
            f"max_tickets = {max_tickets:,}; use {remedy}{where}")


def estimate_size(scenario: Scenario, replications: int | None = None, *,
                  keep: bool = True) -> SizeEstimate:
    """Expected tickets and peak memory of ``simulate(scenario, replications)``.

    Parameters
    ----------
    scenario : Scenario
    replications : int, optional
        Defaults to ``scenario.replications``.
    keep : bool, default True
        Whether the ticket table is kept in memory (``simulate(..., tickets="keep")``).

    Returns
    -------
    SizeEstimate
    """
    from supportsim._retrials import bytes_per_ticket as retrial_bytes
    from supportsim.demand import expected_arrivals

    count = scenario.replications if replications is None else int(replications)
    per_rep = expected_arrivals(scenario)
    total = per_rep * count
    held = total if keep else per_rep
    values_per_hour = 11 + 8 * len(scenario.levels)  # timeline columns (docs/results.md)
    timeline = count * scenario.horizon * values_per_hour * _TIMELINE_BYTES_PER_VALUE
    # Retrial delays are drawn before the run (supportsim._retrials): E[R] per ticket.
    retrials = per_rep * retrial_bytes(scenario)
    peak = (per_rep * PEAK_BYTES_PER_TICKET + (total if keep else 0.0) * KEPT_BYTES_PER_TICKET
            + timeline + retrials)
    return SizeEstimate(tickets_per_replication=per_rep, replications=count, tickets=total,
                        held=held, peak_bytes=peak, keep=keep)


def format_bytes(size: float) -> str:
    """``1.2 GB``-style text (decimal units)."""
    if not math.isfinite(size):
        return "unbounded"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
