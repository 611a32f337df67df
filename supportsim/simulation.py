"""`simulate`: replications of one scenario, on common random numbers."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from supportsim._progress import progress_bar
from supportsim._size import DEFAULT_MAX_TICKETS, SizeEstimate, SizeLimitError, estimate_size
from supportsim.analysis import abandonment_counts, sla_attainment
from supportsim.capacity import warn_if_overloaded
from supportsim.demand import generate
from supportsim.engine import engine_stream, run_replication
from supportsim.records import replication_tables
from supportsim.results import SimulationResult, ticket_metrics
from supportsim.scenario import Scenario

__all__ = [
    "DEFAULT_MAX_TICKETS",
    "SizeEstimate",
    "SizeLimitError",
    "Tickets",
    "estimate_size",
    "resolve_seed",
    "simulate",
    "simulate_replications",
]

#: What to do with the ticket table: keep it in memory, drop it, or spill it to parquet
#: files in a directory (one per replication).
Tickets = Literal["keep", "drop"] | str | os.PathLike[str]
#: Per-replication frames are joined in batches of this many, so that thousands of
#: replications do not pay the fixed overhead of thousands of small DataFrames.
_BATCH = 16


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    tickets: Tickets = "keep",
    max_tickets: int | None = DEFAULT_MAX_TICKETS,
    precision: Mapping[str, float] | None = None,
    max_replications: int | None = None,
    executor: Any = None,
    progress: bool | None = None,
) -> SimulationResult:
    """Simulate `scenario` for a number of independent replications.

    Parameters
    ----------
    scenario : Scenario
    replications : int, optional
        Defaults to ``scenario.replications``.
    seed : int, optional
        Root of every random stream; defaults to ``scenario.seed``, and when both are
        None a fresh seed is drawn from the OS and recorded in the result.
    tickets : {"keep", "drop"} or path, default "keep"
        The ticket table: ``"keep"`` holds it in memory (``res.tickets``); ``"drop"``
        keeps only what ``res.sla()``, ``res.summary()`` and ``res.attainment()`` need,
        so memory does not grow with the tickets of many replications; a directory
        (a ``Path``, or any other string) receives one parquet file per replication as
        it finishes, ``tickets-r000000.parquet`` and so on, and ``res.tickets`` reads
        them back.
    max_tickets : int or None, default 8 million
        Refuse to start, with a :class:`SizeLimitError`, a simulation expected to hold
        more tickets in memory at once: all replications' with ``tickets="keep"``, one
        replication's otherwise. None for no limit. The default keeps the estimated
        peak near 5 GB at most (:data:`DEFAULT_MAX_TICKETS`; see
        :func:`estimate_size`).
    precision : mapping of str to float, optional
        Precision on demand: metric name -> the 95 % t-interval half-width wanted, in the
        metric's unit (``{"P1.response": 0.01}``: one point of attainment; names in
        :mod:`supportsim.analysis._metric_names`: ``"P1.resolution"``, ``"wait"``,
        ``"abandoned"``, any ``res.summary()`` metric). `replications` is then the pilot;
        batches sized from the spread so far (:func:`~supportsim.analysis.
        replications_for`) are added until every half-width is met, and the result holds
        the first count that meets them all (``res.precision``).
    max_replications : int, optional
        The cap of `precision` (default 200); reaching it warns
        (:class:`~supportsim.sequential.PrecisionWarning`) and ``res.precision.met`` is
        False.
    executor : optional
        Run the replications as tasks on an executor, as :func:`supportsim.sweep` does:
        an integer (processes), a ``concurrent.futures.Executor`` or a Dask scheduler
        address. None (default) runs them here, one after the other. The tables are the
        same either way.
    progress : bool or None, default None
        A bar counting replications (tqdm; a widget in Jupyter): None shows it on a
        terminal or in a notebook once the run has taken a couple of seconds, True
        always, False never.

    Returns
    -------
    SimulationResult

    Raises
    ------
    SizeLimitError
        Before anything runs, if the expected tickets held exceed `max_tickets`.
    ValueError
        An unknown metric in `precision`, a half-width that is not positive (or not
        below 1 for a share), a pilot below 2 or a cap below it.

    Warns
    -----
    CapacityWarning
        Before simulating, for each tier whose offered load reaches the agents on duty
        (:func:`supportsim.check`); the run goes ahead, overload is what it measures.

    Notes
    -----
    Replication ``r`` draws its tickets from streams keyed by ``(seed, r)`` alone, so
    scenarios that differ only in team or workforce see identical tickets in each
    replication (common random numbers), and a replication is the same whether it is
    reached in one call, in batches (`precision`) or on an executor.

    With ``warmup = "auto"`` the scenario is simulated with nothing flagged, then the
    warm-up is found by MSER-5 on the waiting time by arrival order averaged across
    replications (:func:`supportsim.analysis.warmup`) and applied to scoring:
    ``res.scenario.warmup`` is the cut, ``res.auto_warmup`` the detection, and an
    :class:`~supportsim.sequential.AutoWarmupWarning` says when the series does not
    settle. The ticket table is held until then even with ``tickets="drop"``.

    Each replication's tables are built, scored and (unless kept) released as soon as it
    finishes: memory holds one replication in flight plus small per-replication
    summaries, the staff and hourly timeline tables, and the ticket table if kept.

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> res = ss.simulate(sc, replications=2, seed=1)  # doctest: +SKIP
    >>> res.sla()  # doctest: +SKIP
    """
    count = scenario.replications if replications is None else int(replications)
    if count < 1:
        raise ValueError(f"replications must be an integer >= 1, got {replications!r}")
    root = resolve_seed(scenario, seed)
    if precision is None and max_replications is not None:
        raise ValueError("max_replications is the cap of precision=...; without precision "
                         "give the count as replications")
    warn_if_overloaded(scenario)
    if precision is None and executor is None and not scenario.auto_warmup:
        return simulate_replications(scenario, range(count), root, tickets=tickets,
                                     max_tickets=max_tickets, progress=progress)
    from supportsim.sequential import simulate_sequentially

    return simulate_sequentially(scenario, count, root, tickets=tickets,
                                 max_tickets=max_tickets, precision=precision,
                                 max_replications=max_replications, executor=executor,
                                 progress=progress)


def resolve_seed(scenario: Scenario, seed: int | None) -> int:
    """The root seed to use: `seed`, else ``scenario.seed``, else fresh OS entropy."""
    root = seed if seed is not None else scenario.seed
    if root is None:
        root = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if root < 0:
        raise ValueError(f"seed must be an integer >= 0, got {root}")
    return root


def simulate_replications(
    scenario: Scenario,
    replications: Iterable[int],
    seed: int,
    *,
    tickets: Tickets = "keep",
    max_tickets: int | None = DEFAULT_MAX_TICKETS,
    progress: bool | None = False,
) -> SimulationResult:
    """Simulate the given replication numbers of `scenario` from root `seed`.

    Replication ``r`` gives the same tables here as inside ``simulate(scenario,
    replications > r, seed)``, so independent workers can each run a subset (sweeps).

    Parameters
    ----------
    scenario : Scenario
    replications : iterable of int
        Replication numbers (>= 0), e.g. ``[3]`` or ``range(10)``.
    seed : int
        Root seed.
    tickets : {"keep", "drop"} or path, default "keep"
        As in :func:`simulate`.
    max_tickets : int or None, default 8 million
        As in :func:`simulate`.
    progress : bool or None, default False
        As in :func:`simulate`; off by default (sweep workers run this).

    Returns
    -------
    SimulationResult
    """
    if scenario.auto_warmup:
        raise ValueError(
            "warmup = 'auto' is found after all replications by simulate(); running "
            "replications one by one (sweeps, select_best) needs an explicit warmup: find "
            "it with ss.analysis.warmup on a pilot")
    numbers = [int(r) for r in replications]
    if not numbers or min(numbers) < 0:
        raise ValueError(f"replications must be a non-empty list of integers >= 0, got {numbers}")
    directory = _spill_directory(tickets)
    keep = tickets == "keep"
    estimate_size(scenario, len(numbers), keep=keep).check(max_tickets, scenario.source)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    tables = {name: _Frames(keep_index=name == "metrics")
              for name in ("staff", "timeline", "events", "scores", "metrics",
                           "abandonment_counts")}
    # With a backlog, each replication is also scored without it, so res.sla(initial=False)
    # works whatever happened to the tickets (kept, dropped or spilled).
    fresh = _Frames() if scenario.backlog is not None else None
    kept, files = _Frames(), []
    bar = progress_bar(len(numbers), desc="simulate", unit="replication", progress=progress)
    for rep in numbers:
        stream = generate(scenario, rep, seed, max_tickets=max_tickets)
        record = run_replication(scenario, stream, engine_stream(seed, rep))
        parts = replication_tables(scenario, rep, stream, record)
        del stream, record  # the raw arrays are several times the size of the tables
        frame = parts.pop("tickets")
        parts["scores"] = sla_attainment(frame, scenario)
        parts["metrics"] = ticket_metrics(frame)
        parts["abandonment_counts"] = abandonment_counts(frame)
        if fresh is not None:
            fresh.add(sla_attainment(frame, scenario, initial=False))
        for name, part in parts.items():
            tables[name].add(part)
        if keep:
            kept.add(frame)
        elif directory is not None:
            files.append(directory / f"tickets-r{rep:06d}.parquet")
            frame.to_parquet(files[-1], index=False)
        del frame, parts
        bar.update(1)
    bar.close()
    return SimulationResult(
        scenario=scenario, seed=seed, replications=len(numbers),
        **{name: frames.join() for name, frames in tables.items()},
        ticket_table=kept.join() if keep else None, ticket_files=tuple(files),
        fresh_scores=fresh.join() if fresh is not None else None)


def _spill_directory(tickets: Tickets) -> Path | None:
    """The directory to spill tickets to, None for ``"keep"`` and ``"drop"``."""
    if isinstance(tickets, str) and tickets in ("keep", "drop"):
        return None
    if not isinstance(tickets, (str, os.PathLike)) or not str(tickets):
        raise ValueError(f"tickets must be 'keep', 'drop' or a directory, got {tickets!r}")
    return Path(tickets)


class _Frames:
    """Frames of finished replications, joined in batches to bound per-frame overhead."""

    def __init__(self, keep_index: bool = False) -> None:
        self.keep_index = keep_index  # the index holds data (replication), not row numbers
        self.done: list[pd.DataFrame] = []
        self.batch: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame) -> None:
        self.batch.append(frame)
        if len(self.batch) >= _BATCH:
            self.done.append(pd.concat(self.batch))
            self.batch = []

    def join(self) -> pd.DataFrame:
        return pd.concat(self.done + self.batch, ignore_index=not self.keep_index)
