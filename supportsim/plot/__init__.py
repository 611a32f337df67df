"""Standard figures of a :class:`~supportsim.SimulationResult`, of two side by side
(:func:`comparison`), of a breaking-point search, of a sweep (:func:`sweep_heatmap`,
:func:`sweep_lines`), of a scenario's expected demand by rollout wave (:func:`demand`), and
the cost–SLA frontier of variants (:func:`frontier`).

One house style (:mod:`supportsim.plot._style`) gives every figure its colours, a title
naming its subject, units on the axes and the legend outside the data; SLA figures mark
each priority's goal and colour bars by the verdict.

Every function builds a :class:`matplotlib.figure.Figure` through the object-oriented API
and returns it; nothing touches pyplot's global state, so the functions are safe in
threads, in worker processes and in notebooks (where a returned Figure displays itself).
Figures are sized for a notebook cell (8 in wide, 4.5 in high per row of panels; the
side-by-side comparison 10 in) and carry a title, axis labels with units and a legend.

Time axes show calendar dates (the scenario ``start`` plus simulation hours) unless
``dates=False``, which shows days since the start instead. The warm-up and demand bursts
are shaded so that a peak can be read against its cause.

Examples
--------
>>> import supportsim as ss
>>> from supportsim import plot
>>> res = ss.simulate(ss.load_scenario("scenarios/mmc.toml"), replications=2)  # doctest: +SKIP
>>> fig = plot.backlog(res)  # doctest: +SKIP
>>> fig.savefig("backlog.png")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from supportsim.plot._breakpoint import breaking_points
from supportsim.plot._capacity import capacity
from supportsim.plot._compare import comparison
from supportsim.plot._demand import demand
from supportsim.plot._distributions import (
    _sla_waits,  # noqa: F401  (kept reachable as plot._sla_waits for tests)
    resolution_distribution,
    wait_distribution,
)
from supportsim.plot._frontier import frontier
from supportsim.plot._inline import enable_inline
from supportsim.plot._sla import sla_bars, weekly_attainment
from supportsim.plot._sweep import sweep_heatmap, sweep_lines
from supportsim.plot._timeline import backlog, utilisation
from supportsim.plot._warmup import warmup
from supportsim.results import SimulationResult

enable_inline()  # a returned Figure shows in Jupyter without %matplotlib inline

__all__ = [
    "backlog",
    "breaking_points",
    "capacity",
    "comparison",
    "demand",
    "frontier",
    "resolution_distribution",
    "save_figures",
    "sla_bars",
    "sweep_heatmap",
    "sweep_lines",
    "utilisation",
    "wait_distribution",
    "warmup",
    "weekly_attainment",
]

# --------------------------------------------------------------------------- saving

_STANDARD: dict[str, Any] = {
    "backlog": backlog,
    "wait_distribution": wait_distribution,
    "sla": sla_bars,
    "utilisation": utilisation,
    "weekly_attainment": weekly_attainment,
    "resolution_distribution": resolution_distribution,
    "capacity": capacity,
}


def save_figures(result: SimulationResult, directory: str | Path, *, dpi: int = 150,
                 names: Sequence[str] | None = None) -> list[Path]:
    """Write the standard figures as PNG files.

    Parameters
    ----------
    result : SimulationResult
    directory : str or Path
        Created (with parents) if missing; existing files of the same name are replaced.
    dpi : int, default 150
    names : sequence of str, optional
        A subset of ``"backlog"``, ``"wait_distribution"``, ``"sla"``, ``"utilisation"``,
        ``"weekly_attainment"``, ``"resolution_distribution"``, ``"capacity"`` (the
        default is all seven, in that order).

    Returns
    -------
    list of Path
        The files written, ``<directory>/<name>.png``.
    """
    chosen = list(_STANDARD) if names is None else list(names)
    unknown = [n for n in chosen if n not in _STANDARD]
    if unknown:
        raise ValueError(f"unknown figure names {unknown}; choose from {list(_STANDARD)}")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in chosen:
        path = folder / f"{name}.png"
        _STANDARD[name](result).savefig(path, dpi=dpi)
        written.append(path)
    return written
