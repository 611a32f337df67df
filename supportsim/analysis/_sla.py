"""SLA attainment per replication and priority, vectorised over the tickets table.

Scoring rules (documented in docs/analysis.md):

- tickets that arrived during the warm-up (column ``warmup``) are not scored;
- each priority's targets run on its own clock: ``24x7`` (wall hours) or ``business``
  (business hours of the calendar of the ticket's site — its ``site`` column; without
  [sites] the one ``[calendar]`` — holidays excluded);
- response is met when the first agent started work within the target; resolution
  when the ticket was resolved within the target (a time exactly on target is met);
- an abandoned ticket misses both (the customer gave up; it was never resolved);
- a ticket without a response (or resolution) at the horizon is a miss once its
  deadline lies before the horizon (its clock shows more than the target at the
  horizon), and is not scored while it could still make it.

The work is done in blocks of rows on numpy arrays, never on intermediate DataFrames, so
that scoring ten million rows needs a few tens of MB beyond the table itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supportsim.analysis._intervals import bootstrap_interval, mean_interval
from supportsim.calendar import Calendar
from supportsim.scenario import Scenario
from supportsim.sites import elapsed_by_site

__all__ = ["business_elapsed", "outcome_codes", "score_tickets", "sla_attainment",
           "sla_table", "ticket_sites"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
Codes = npt.NDArray[np.int8]

#: Outcome codes of one target for one ticket: not scored, missed, met.
NOT_SCORED, MISSED, MET = 0, 1, 2
KINDS = ("response", "resolution")
_COLUMNS = {"response": "first_response_at", "resolution": "resolved_at"}

# NOTE: blocks of 2**18 rows keep every temporary in the CPU caches' neighbourhood
# (~2 MB per float column) and bound the extra memory, whatever the table size.
_BLOCK = 1 << 18
# Business hours never exceed wall hours, so a business-clock ticket whose wall time is
# below its target by more than this (hours; far above float rounding of B(t)) is met
# without asking the calendar.
_MARGIN = 1e-6


@dataclass(frozen=True)
class _Rules:
    """Targets and clocks per priority rank, plus horizon and the sites' calendars."""

    targets: dict[str, FloatArray]
    business: npt.NDArray[np.bool_]
    horizon: float
    calendars: tuple[Calendar, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> _Rules:
        priorities = list(scenario.priorities.values())
        return cls(
            targets={"response": np.array([p.response for p in priorities], dtype=float),
                     "resolution": np.array([p.resolution for p in priorities], dtype=float)},
            business=np.array([p.clock == "business" for p in priorities], dtype=bool),
            horizon=float(scenario.horizon),
            calendars=tuple(scenario.site_calendars.values()),
        )

    def codes(self, kind: str, rank: IntArray, arrived: FloatArray, done: FloatArray,
              abandoned: npt.NDArray[np.bool_], site: IntArray | None = None) -> Codes:
        """Outcome code (NOT_SCORED, MISSED, MET) of one target for a block of tickets;
        `site` gives each ticket's site (None: the first site's calendar for all)."""
        target = self.targets[kind][rank]
        taken = done - arrived  # NaN where it did not happen
        met = taken <= target
        business = self.business[rank] if self.business.any() else None
        if business is not None:
            check = taken > target - _MARGIN
            check &= business
            idx = np.flatnonzero(check)
            if idx.size:
                met[idx] = elapsed_by_site(self.calendars, None if site is None else site[idx],
                                           arrived[idx], done[idx]) <= target[idx]
        met &= ~abandoned
        scored = ~np.isnan(done)
        scored |= abandoned
        idx = np.flatnonzero(~scored)  # still open at the horizon: scored once late
        if idx.size:
            start, limit = arrived[idx], target[idx]
            late = (self.horizon - start) > limit
            if business is not None:
                sub = np.flatnonzero(business[idx])
                if sub.size:
                    own = None if site is None else site[idx[sub]]
                    late[sub] = elapsed_by_site(self.calendars, own, start[sub],
                                                self.horizon) > limit[sub]
            scored[idx] = late
        code = scored.view(np.int8)
        code += met.view(np.int8)  # met implies scored: 0, 1 or 2
        return code


def _rank_source(tickets: pd.DataFrame, scenario: Scenario) -> tuple[np.ndarray, IntArray]:
    """Codes of the ``priority`` column and a table mapping them to scenario ranks."""
    names = scenario.priority_names
    priority = tickets["priority"]
    if isinstance(priority.dtype, pd.CategoricalDtype):
        codes = priority.cat.codes.to_numpy()
        categories = [str(c) for c in priority.cat.categories]
    else:
        codes = pd.Index(names).get_indexer(priority.astype(object))
        categories = names
    lookup = np.array([names.index(c) if c in names else -1 for c in categories] + [-1],
                      dtype=np.intp)
    # Code -1 (missing) indexes the trailing -1; unknown categories map to -1 as well.
    return codes, lookup


def _ranks(codes: np.ndarray, lookup: IntArray, part: slice, scenario: Scenario) -> IntArray:
    """Scenario ranks of a block of rows (checked block by block: no full-size temporary)."""
    rank = lookup[codes[part]]
    if rank.size and rank.min() < 0:
        raise ValueError(f"tickets have priorities not in the scenario ({scenario.priority_names})")
    return rank


def ticket_sites(tickets: pd.DataFrame, scenario: Scenario) -> IntArray | None:
    """Each ticket's site index into ``scenario.site_names``; None with only one site.

    Raises
    ------
    ValueError
        If the scenario has several sites and the table no ``site`` column, or a site
        the scenario does not have.
    """
    names = scenario.site_names
    if len(names) == 1:
        return None
    if "site" not in tickets:
        raise ValueError(f"tickets have no 'site' column, but the scenario has sites "
                         f"({', '.join(names)}): business clocks depend on it")
    column = tickets["site"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = np.array([names.index(str(c)) if str(c) in names else -1
                           for c in column.cat.categories] + [-1], dtype=np.intp)
        site = lookup[column.cat.codes.to_numpy()]
    else:
        site = pd.Index(names).get_indexer(column.astype(object))
    if site.size and site.min() < 0:
        raise ValueError(f"tickets have sites not in the scenario ({', '.join(names)})")
    return np.asarray(site, dtype=np.intp)


def business_elapsed(scenario: Scenario, site: IntArray | None, start_at: npt.ArrayLike,
                     end_at: npt.ArrayLike) -> FloatArray:
    """Business hours between instants on the calendar of each ticket's site
    (:func:`ticket_sites`; None: the scenario's only calendar)."""
    return elapsed_by_site(tuple(scenario.site_calendars.values()), site, start_at, end_at)


def _replication_index(reps: np.ndarray) -> tuple[np.ndarray, Callable[[slice], IntArray]]:
    """Sorted distinct replication numbers and a function giving the rows' positions in them."""
    if reps.size and np.issubdtype(reps.dtype, np.integer):
        lo, hi = int(reps.min()), int(reps.max())
        if lo >= 0 and hi <= 4 * reps.size + 1024:
            # NOTE: a lookup table over small non-negative numbers instead of np.unique,
            # which sorts all rows.
            present = np.zeros(hi + 1, dtype=bool)
            for start in _blocks(reps.size):  # blocks: bincount would copy to intp
                present[reps[start:start + _BLOCK]] = True
            values = np.flatnonzero(present)
            lookup = np.zeros(hi + 1, dtype=np.intp)
            lookup[values] = np.arange(values.size)
            return values, lambda part: lookup[reps[part]]
    values, inverse = np.unique(reps, return_inverse=True)
    position = inverse.reshape(-1).astype(np.intp)
    return values, lambda part: position[part].copy()


def _blocks(rows: int) -> range:
    return range(0, rows, _BLOCK)


def outcome_codes(tickets: pd.DataFrame, scenario: Scenario) -> tuple[Codes, Codes]:
    """Per-row response and resolution outcome codes, warm-up rows included.

    Returns
    -------
    response, resolution : ndarray of int8
        ``0`` not scored, ``1`` missed, ``2`` met, by the rules of this module but
        *without* the warm-up rule (callers drop rows with ``warmup`` themselves).
    """
    rules = _Rules.of(scenario)
    codes, lookup = _rank_source(tickets, scenario)
    arrived = tickets["arrived_at"].to_numpy(dtype=float)
    done = {kind: tickets[_COLUMNS[kind]].to_numpy(dtype=float) for kind in KINDS}
    abandoned = tickets["abandoned"].to_numpy(dtype=bool)
    site = ticket_sites(tickets, scenario)
    out = {kind: np.empty(len(tickets), dtype=np.int8) for kind in KINDS}
    for start in _blocks(len(tickets)):
        part = slice(start, start + _BLOCK)
        rank = _ranks(codes, lookup, part, scenario)
        for kind in KINDS:
            out[kind][part] = rules.codes(kind, rank, arrived[part], done[kind][part],
                                          abandoned[part], None if site is None else site[part])
    return out["response"], out["resolution"]


def score_tickets(tickets: pd.DataFrame, scenario: Scenario, *, initial: bool = True
                  ) -> pd.DataFrame:
    """Per-ticket SLA outcome for tickets after the warm-up.

    `initial` False leaves out the ``[initial]`` backlog's tickets (column ``initial``),
    which are scored by default.

    Returns
    -------
    DataFrame
        Indexed like the scored rows of `tickets`: ``response_scored``, ``response_met``,
        ``resolution_scored``, ``resolution_met`` (booleans).
    """
    keep = ~_excluded(tickets, initial)
    response, resolution = outcome_codes(tickets, scenario)
    out = {}
    for kind, code in zip(KINDS, (response[keep], resolution[keep]), strict=True):
        out[f"{kind}_scored"] = code > NOT_SCORED
        out[f"{kind}_met"] = code == MET
    return pd.DataFrame(out, index=tickets.index[keep])


def _excluded(tickets: pd.DataFrame, initial: bool) -> npt.NDArray[np.bool_]:
    """Rows not scored: the warm-up's, and the backlog's when `initial` is False."""
    out = tickets["warmup"].to_numpy(dtype=bool)
    if not initial and "initial" in tickets:  # tables from before the warm start have none
        out = out | tickets["initial"].to_numpy(dtype=bool)
    return out


def tally(
    tickets: pd.DataFrame,
    scenario: Scenario,
    buckets: int = 1,
    bucket_of: Callable[[FloatArray], IntArray] | None = None,
    *,
    initial: bool = True,
) -> tuple[np.ndarray, npt.NDArray[np.int64]]:
    """Count tickets per replication x priority x bucket x response code x resolution code.

    Parameters
    ----------
    buckets : int
        Number of buckets (e.g. weeks); ``bucket_of`` maps a block of arrival instants to
        bucket numbers in ``[0, buckets)``. With the default, one bucket.
    initial : bool, default True
        Count the ``[initial]`` backlog's tickets; False leaves them out.

    Returns
    -------
    replications : ndarray
        The distinct replication numbers of `tickets`, sorted.
    counts : ndarray of int64, shape (replications, priorities, buckets, 3, 3)
        Warm-up tickets excluded; the last two axes are the outcome codes.
    """
    rules = _Rules.of(scenario)
    codes, lookup = _rank_source(tickets, scenario)
    n_priorities = len(scenario.priorities)
    rep_values, rep_position = _replication_index(tickets["replication"].to_numpy())
    arrived = tickets["arrived_at"].to_numpy(dtype=float)
    done = {kind: tickets[_COLUMNS[kind]].to_numpy(dtype=float) for kind in KINDS}
    abandoned = tickets["abandoned"].to_numpy(dtype=bool)
    warmup = _excluded(tickets, initial)
    site = ticket_sites(tickets, scenario)
    cells = rep_values.size * n_priorities * buckets * 9
    counts = np.zeros(cells + 1, dtype=np.int64)  # the last bin collects warm-up rows
    for start in _blocks(len(tickets)):
        part = slice(start, start + _BLOCK)
        rank = _ranks(codes, lookup, part, scenario)
        key = rep_position(part)
        key *= n_priorities
        key += rank
        if bucket_of is not None:
            key *= buckets
            key += bucket_of(arrived[part])
        key *= 9
        own = None if site is None else site[part]
        response = rules.codes("response", rank, arrived[part], done["response"][part],
                               abandoned[part], own)
        response *= 3
        response += rules.codes("resolution", rank, arrived[part],
                                done["resolution"][part], abandoned[part], own)
        key += response
        np.putmask(key, warmup[part], cells)
        counts += np.bincount(key, minlength=cells + 1)
    shape = (rep_values.size, n_priorities, buckets, 3, 3)
    return rep_values, counts[:-1].reshape(shape)


def _shares(counts: npt.NDArray[np.int64]) -> dict[str, np.ndarray]:
    """Met shares and scored counts per kind from counts with trailing (3, 3) axes."""
    out: dict[str, np.ndarray] = {}
    for axis, kind in ((-1, "response"), (-2, "resolution")):
        per_code = counts.sum(axis=axis)  # code of `kind` on the remaining last axis
        scored = per_code[..., MISSED] + per_code[..., MET]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{kind}_attainment"] = np.where(
                scored > 0, per_code[..., MET] / np.maximum(scored, 1), np.nan)
        out[f"{kind}_tickets"] = scored
    out["tickets"] = counts.sum(axis=(-1, -2))
    return out


def sla_attainment(tickets: pd.DataFrame, scenario: Scenario, *, initial: bool = True
                   ) -> pd.DataFrame:
    """Share of scored tickets that met response and resolution targets.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets`` (or at least ``replication``, ``priority``,
        ``arrived_at``, ``first_response_at``, ``resolved_at``, ``abandoned``, ``warmup``).
    scenario : Scenario
        Supplies targets, clocks, calendar and horizon.
    initial : bool, default True
        Score the tickets of the ``[initial]`` backlog (column ``initial``; their clocks
        run from their opening, before start); False leaves them out.

    Returns
    -------
    DataFrame
        One row per replication x priority: ``replication``, ``priority``,
        ``response_attainment``, ``resolution_attainment`` (shares met; NaN where nothing
        was scored), ``response_tickets``, ``resolution_tickets`` (tickets scored) and
        ``tickets`` (tickets after the warm-up, in that replication).

    Notes
    -----
    The scoring rules are in the module docstring and docs/analysis.md. A replication
    whose tickets all arrived in the warm-up still has rows (shares NaN, counts 0).
    """
    rep_values, counts = tally(tickets, scenario, initial=initial)
    return replication_frame(rep_values, counts[:, :, 0], scenario.priority_names)


def replication_frame(rep_values: np.ndarray, counts: np.ndarray, names: list[str]
                      ) -> pd.DataFrame:
    """The rows of :func:`sla_attainment` from one bucket of :func:`tally`'s counts."""
    shares = _shares(counts)
    frame = pd.DataFrame({
        "replication": np.repeat(rep_values, len(names)),
        "priority": pd.Categorical(np.tile(names, len(rep_values)), categories=names),
    })
    for kind in KINDS:
        frame[f"{kind}_attainment"] = shares[f"{kind}_attainment"].reshape(-1)
        frame[f"{kind}_tickets"] = shares[f"{kind}_tickets"].reshape(-1)
    frame["tickets"] = shares["tickets"].reshape(-1)
    return frame


def sla_table(
    attainment: pd.DataFrame,
    scenario: Scenario,
    confidence: float = 0.95,
    *,
    method: str = "t",
    resamples: int = 9999,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """Aggregate :func:`sla_attainment` across replications, with confidence intervals.

    Parameters
    ----------
    attainment : DataFrame
        The output of :func:`sla_attainment`.
    scenario : Scenario
    confidence : float, default 0.95
    method : {"t", "bootstrap"}, default "t"
        ``"t"``: Student-t interval of the mean across replications on the logit scale
        (:func:`supportsim.analysis.mean_interval`; where every replication met all its
        tickets, or none, the open side is the Wilson bound of the scored tickets).
        ``"bootstrap"``: percentile bootstrap over replications (no normality
        assumption). Either way the interval contains the estimate and stays in [0, 1].
    resamples : int, default 9999
        Bootstrap resamples.
    rng : Generator or int, optional
        Randomness of the bootstrap; None uses a fixed seed so tables are reproducible.

    Returns
    -------
    DataFrame
        One row per priority: ``priority``, ``clock``, ``response_target``,
        ``resolution_target`` (hours), ``response_attainment`` with ``_low``/``_high``,
        ``resolution_attainment`` with ``_low``/``_high``, ``response_tickets`` and
        ``resolution_tickets`` (scored, all replications), ``tickets`` (after the warm-up,
        all replications), ``tickets_per_replication`` (their mean) and
        ``replications``.
    """
    if method not in ("t", "bootstrap"):
        raise ValueError(f"method must be 't' or 'bootstrap', got {method!r}")
    generator = np.random.default_rng(0 if rng is None else rng)
    rows = []
    for name, group in attainment.groupby("priority", observed=False, sort=False):
        priority = scenario.priorities[str(name)]
        row = {"priority": name, "clock": priority.clock,
               "response_target": priority.response, "resolution_target": priority.resolution}
        for kind in KINDS:
            values = group[f"{kind}_attainment"].to_numpy(dtype=float)
            scored = int(group[f"{kind}_tickets"].sum())
            bounds = (mean_interval(values, scale="logit", confidence=confidence,
                                    trials=np.asarray(scored)) if method == "t"
                      else bootstrap_interval(values, confidence=confidence,
                                              resamples=resamples, rng=generator))
            mean, low, high = (float(x) for x in bounds)
            row[f"{kind}_attainment"] = mean
            row[f"{kind}_attainment_low"] = low
            row[f"{kind}_attainment_high"] = high
        for kind in KINDS:
            row[f"{kind}_tickets"] = int(group[f"{kind}_tickets"].sum())
        row["tickets"] = int(group["tickets"].sum())
        replications = int(group["replication"].nunique())
        row["tickets_per_replication"] = row["tickets"] / replications if replications else np.nan
        row["replications"] = replications
        rows.append(row)
    return pd.DataFrame(rows)
