"""The house look of every figure: colours, font sizes, titles, target lines, legends.

One place for what a reader learns once and then reads in every figure: tier colours,
green for a goal met and red for one missed (amber where the interval cannot tell), a
dashed dark line for a target or goal, a two-line title (the subject, then how it was
measured), units in brackets on the axes, and the legend outside the data.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

__all__ = [
    "FONT_SIZE",
    "GOAL_COLOUR",
    "TIER_COLOURS",
    "VERDICT_COLOURS",
    "goal_line",
    "legend_outside",
    "title",
]

#: Per tier; a team (swarming) or an all-tier total takes ``TOTAL_COLOUR``.
TIER_COLOURS: dict[str, str] = {"l1": "#1f77b4", "l2": "#ff7f0e", "l3": "#2ca02c"}
TOTAL_COLOUR = "#9467bd"
LOAD_COLOUR = "#d62728"
#: Verdicts of a goal (colour-blind safe: blue-green / vermilion / amber, Okabe-Ito).
VERDICT_COLOURS: dict[str, str] = {"holds": "#009e73", "fails": "#d55e00",
                                   "uncertain": "#e69f00", "n/a": "#999999"}
#: Bars of a target without a goal: neither met nor missed.
NEUTRAL_COLOUR = "#7f9fbf"
GOAL_COLOUR = "#333333"
FONT_SIZE = "medium"  # titles
SMALL = "small"  # legends, bar labels
#: Characters of a title's subject on one line (an 8-inch figure at FONT_SIZE).
TITLE_WIDTH = 80


def title(target: Axes | Figure, subject: str, detail: str = "") -> None:
    """Title a figure (suptitle) or axes: the subject, then what it rests on, smaller.

    A subject longer than :data:`TITLE_WIDTH` characters puts the scenario's name (after
    " — ") on a line of its own, so the title is not clipped at the figure's edges."""
    if len(subject) > TITLE_WIDTH and " — " in subject:
        subject = subject.replace(" — ", "\n", 1)
    text = subject if not detail else f"{subject}\n{detail}"
    if isinstance(target, Figure):
        target.suptitle(text, fontsize=FONT_SIZE)
    else:
        target.set_title(text, fontsize=FONT_SIZE)


def goal_line(ax: Axes, value: float, label: str | None, *, xmin: float = 0.0,
              xmax: float = 1.0, gid: str = "goal") -> Line2D:
    """A dashed horizontal target/goal line at `value` over [xmin, xmax] of the axes width.

    The line carries ``gid`` (``"goal"``) so that tests and reports can find it.
    """
    line = ax.axhline(value, xmin=xmin, xmax=xmax, color=GOAL_COLOUR, ls="--", lw=1.2,
                      label=label)
    line.set_gid(gid)
    return line


def legend_outside(ax: Axes, *, handles: Sequence[Artist] | None = None,
                   shift: float = 1.01) -> None:
    """The legend to the right of the axes: a peak can sit anywhere in the data.

    `handles` (their labels) replace the axes' own artists, e.g. patches that explain
    bar colours.
    """
    if handles is None:
        ax.legend(loc="upper left", bbox_to_anchor=(shift, 1.0), fontsize=SMALL,
                  frameon=False)
    else:
        ax.legend(list(handles), [str(h.get_label()) for h in handles], loc="upper left",
                  bbox_to_anchor=(shift, 1.0), fontsize=SMALL, frameon=False)
