"""Two variants side by side: SLA attainment per priority and resolution-time ECDFs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from supportsim.plot._common import _ECDF_POINTS, _replication_note
from supportsim.plot._distributions import _sla_times
from supportsim.plot._style import title
from supportsim.results import SimulationResult

__all__ = ["comparison"]

WIDTH_COMPARE = 10.0  # inches: two panels side by side need more than a single figure
HEIGHT_COMPARE = 5.5
_HATCH = "////"
_SHORTEST = 1 / 60  # hours: the ECDF's log axis starts at one minute


def _priority_colour(k: int) -> str:
    # The same colour per priority as plot.weekly_attainment.
    return f"C{k}"


def _paired(a: SimulationResult, b: SimulationResult) -> bool:
    """Whether the two results ran on common random numbers (same seed, replications);
    from the per-replication scores, so a result without its ticket table can tell."""
    return a.seed == b.seed and (sorted(a.attainment()["replication"].unique())
                                 == sorted(b.attainment()["replication"].unique()))


def _bars(ax: Axes, kind: str, tables: tuple[pd.DataFrame, pd.DataFrame],
          differences: pd.DataFrame | None) -> None:
    """Attainment of `kind` per priority: variant a solid, variant b hatched."""
    width = 0.38
    names = tables[0]["priority"].astype(str).tolist()
    x = np.arange(len(names))
    colours = [_priority_colour(k) for k in range(len(names))]
    for offset, table, solid in ((-width / 2, tables[0], True), (width / 2, tables[1], False)):
        mean = table[f"{kind}_attainment"].to_numpy(dtype=float)
        low = table[f"{kind}_attainment_low"].to_numpy(dtype=float)
        high = table[f"{kind}_attainment_high"].to_numpy(dtype=float)
        # One replication gives no interval (NaN): draw no error bar rather than fail.
        err = np.nan_to_num(np.clip(np.vstack([mean - low, high - mean]), 0, None), nan=0.0)
        ax.bar(x + offset, np.nan_to_num(mean), width, yerr=err, capsize=2, ecolor="0.2",
               color=colours if solid else "white", edgecolor=colours, lw=1.0,
               hatch=None if solid else _HATCH)
    if differences is not None:
        rows = differences[differences["metric"] == f"{kind}_attainment"].set_index("priority")
        for k, name in enumerate(names):
            row = rows.loc[name]
            if np.isnan(row["difference"]):
                continue
            # Bold where the paired interval excludes zero: per-variant error bars overlap
            # long before a paired difference stops being significant.
            significant = bool(row["better"])
            ax.annotate(f"{row['difference'] * 100:+.1f}", (x[k], 1.0), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom",
                        fontsize="x-small", color="black" if significant else "0.5",
                        fontweight="bold" if significant else "normal")
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.12)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("within target")
    ax.set_title(f"{kind.capitalize()} attainment", fontsize="medium")


def _ecdf(ax: Axes, results: tuple[SimulationResult, SimulationResult]) -> None:
    """Resolution time on each priority's SLA clock: one colour per priority, a solid, b dashed."""
    priorities = results[0].scenario.priorities
    frames = [_sla_times(r, "resolution", "sla") for r in results]
    finite = np.concatenate([f["resolution"].to_numpy()[np.isfinite(f["resolution"])]
                             for f in frames])
    targets = [p.resolution for p in priorities.values()]
    top = max(2.0 * max(targets), float(np.quantile(finite, 0.99)) if finite.size else 0.0)
    # NOTE: evaluated on a fixed log grid (exact at each grid point), so a million
    # tickets cost no more to draw than a thousand.
    xs = np.geomspace(_SHORTEST, max(top, 2 * _SHORTEST), _ECDF_POINTS)
    for k, (name, priority) in enumerate(priorities.items()):
        colour = _priority_colour(k)
        for frame, style in zip(frames, ("-", "--"), strict=True):
            values = np.sort(frame.loc[frame["priority"] == name, "resolution"].to_numpy())
            if values.size:
                ax.step(xs, np.searchsorted(values, xs, side="right") / values.size,
                        where="post", color=colour, ls=style, lw=1.2)
        ax.axvline(priority.resolution, color=colour, ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("resolution time on the priority's SLA clock [h] (dotted: target)")
    ax.set_ylabel("share of tickets resolved")
    ax.set_title("Resolution time (ECDF)", fontsize="medium")


def comparison(a: SimulationResult, b: SimulationResult, *,
               labels: tuple[str, str] = ("a", "b"), confidence: float = 0.95) -> Figure:
    """Two variants side by side: SLA attainment and resolution-time distributions.

    Parameters
    ----------
    a, b : SimulationResult
        Two variants of one scenario (the same priorities), ideally simulated with the
        same seed and replications (common random numbers).
    labels : (str, str), default ("a", "b")
        Names of `a` and `b` in the legend and the title.
    confidence : float, default 0.95
        Level of the t-intervals across replications (error bars) and of the paired
        intervals behind the annotated differences.

    Returns
    -------
    Figure
        Left: response (top) and resolution (bottom) attainment per priority, `a` solid
        and `b` hatched, with error bars; above each pair the difference ``b - a`` in
        percentage points, bold where its interval from :func:`supportsim.compare`
        (paired on common random numbers, else Welch) excludes zero. Right: ECDF of the
        resolution time per priority on its SLA clock, log scale, `a` solid and `b`
        dashed, targets dotted; where a curve crosses its target is that priority's
        pooled resolution attainment. One colour per priority throughout.

    Raises
    ------
    ValueError
        If the two results have different priorities.
    """
    from supportsim.comparison import compare

    if a.scenario.priority_names != b.scenario.priority_names:
        raise ValueError("the two results have different priorities: "
                         f"{a.scenario.priority_names} vs {b.scenario.priority_names}")
    paired = _paired(a, b)
    differences = compare(a, b, labels=labels, confidence=confidence, paired=paired)
    tables = (a.sla(confidence=confidence), b.sla(confidence=confidence))

    fig = Figure(figsize=(WIDTH_COMPARE, HEIGHT_COMPARE), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.15])
    response = fig.add_subplot(grid[0, 0])
    resolution = fig.add_subplot(grid[1, 0], sharex=response)
    ecdf = fig.add_subplot(grid[:, 1])
    _bars(response, "response", tables, differences)
    _bars(resolution, "resolution", tables, differences)
    resolution.set_xlabel("priority")
    # Both bar panels report their quantity (get_xlabel), but only the bottom one draws it.
    response.set_xlabel("priority")
    response.xaxis.label.set_visible(False)
    response.tick_params(labelbottom=False)
    _ecdf(ecdf, (a, b))

    # Tuples draw a bar and a line side by side (HandlerTuple); the stubs only know Artists.
    handles: list[Any] = [
        (Patch(facecolor="0.55", edgecolor="0.55"), Line2D([], [], color="0.3", ls="-")),
        (Patch(facecolor="white", edgecolor="0.3", hatch=_HATCH),
         Line2D([], [], color="0.3", ls="--")),
    ]
    names = [f"{labels[0]} (solid)", f"{labels[1]} (hatched / dashed)"]
    for k, name in enumerate(a.scenario.priority_names):
        handles.append(Patch(color=_priority_colour(k)))
        names.append(str(name))
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 6),
               fontsize="small", frameon=False, handler_map={tuple: HandlerTuple(ndivide=None)})
    pairing = (f"paired on seed {a.seed}" if paired
               else f"seeds {a.seed} vs {b.seed} (unpaired)")
    title(fig, f"{labels[1]} vs {labels[0]} — {a.scenario.name}",
          f"{_replication_note(a)}, {pairing}, tickets after warm-up; "
          f"bars: mean with {confidence:.0%} CI, numbers: {labels[1]} − {labels[0]} [pp]")
    return fig
