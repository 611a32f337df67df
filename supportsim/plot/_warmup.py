"""The warm-up figure: an output series, its batch means and the MSER-5 cut."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from supportsim.plot._common import _WARMUP_COLOUR, _figure
from supportsim.plot._style import legend_outside, title

if TYPE_CHECKING:
    from supportsim.analysis import Warmup

_LABELS = {"wait": "waiting time (h)", "backlog": "backlog (tickets)"}


def warmup(result: Warmup) -> Figure:
    """The replication-average series, its batch means and the cut of
    :func:`supportsim.analysis.warmup`, the discarded part shaded.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure()
    ax = fig.add_subplot()
    hours = result.series.index.to_numpy(dtype=float) / 24.0
    values = result.series.to_numpy(dtype=float)
    ax.plot(hours, values, color="0.6", lw=0.5, label="replication average")
    m = values.size // result.batch
    if m:
        centres = hours[: m * result.batch].reshape(m, result.batch).mean(axis=1)
        means = values[: m * result.batch].reshape(m, result.batch).mean(axis=1)
        ax.plot(centres, means, color="C0", lw=1.0, label=f"means of {result.batch}")
    cut = result.hours / 24.0
    ax.axvspan(float(hours[0]) if hours.size else 0.0, cut, color=_WARMUP_COLOUR,
               label=f"cut at {result.hours:.0f} h")
    kept = values[result.index:]
    if kept.size:
        ax.axhline(float(np.mean(kept)), color="C1", ls="--", lw=1.0,
                   label="mean after the cut")
    ax.set_xlabel("time since start [days]")
    ax.set_ylabel(_LABELS.get(result.metric, result.metric))
    n = result.replications
    subject = f"MSER-{result.batch} warm-up, {n} replication{'s' if n != 1 else ''}"
    if not result.settled:
        subject += ": does NOT settle"
    title(ax, subject)
    legend_outside(ax)
    return fig
