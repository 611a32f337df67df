"""Figures of the report, embedded as PNG data URIs (no file beside the HTML, no request)."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from supportsim.results import SimulationResult

__all__ = ["SWEEP_FIGURES", "Embedded", "embed", "result_figures", "sweep_figures"]

#: Figures are drawn at this resolution: 8 in x 100 dpi is 800 px, a page's width.
DPI = 100


@dataclass(frozen=True)
class Embedded:
    """A figure ready for an ``<img>``: its caption, its data URI and pixel size."""

    name: str
    caption: str
    uri: str
    width: int
    height: int


def embed(figure: Figure, name: str, caption: str) -> Embedded:
    """`figure` as a base64 PNG data URI, at :data:`DPI`."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    width, height = (round(float(v) * DPI) for v in figure.get_size_inches())
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Embedded(name, caption, f"data:image/png;base64,{data}", width, height)


#: What each standard figure answers (its caption in the report).
CAPTIONS = {
    "sla": "SLA attainment per priority with 95% intervals; where the scenario states "
           "goals, each bar is coloured by its verdict against the dashed goal.",
    "weekly_attainment": "Attainment by week of arrival: when the desk met its targets "
                         "(and goals, dashed).",
    "backlog": "Open tickets over time (mean and spread across replications).",
    "capacity": "Offered load against the capacity on duty.",
    "utilisation": "Utilisation per tier over time.",
    "wait_distribution": "How long tickets waited for a first response, against target.",
    "resolution_distribution": "How long tickets took to resolve, against target.",
}


def result_figures(result: SimulationResult) -> tuple[list[Embedded], list[str]]:
    """The standard figures of `result` and, for those it cannot draw, why not.

    A result simulated with ``tickets="drop"`` has no ticket table for the ticket-level
    figures: they are listed as left out with the reason, never drawn empty.
    """
    from supportsim.plot import _STANDARD

    drawn, missing = [], []
    # Every standard figure in plot's order; one added there shows here with its name.
    for name, function in _STANDARD.items():
        draw: Callable[[Any], Figure] = function
        caption = CAPTIONS.get(name, name.replace("_", " ").capitalize() + ".")
        try:
            figure = draw(result)
        except ValueError as exc:
            if "no ticket table" not in str(exc):
                raise
            missing.append(f"{name}: {exc}".split(";")[0])
            continue
        drawn.append(embed(figure, name, caption))
    found = getattr(result, "auto_warmup", None)
    if found is not None:  # warmup = "auto": show where MSER-5 cut and why
        from supportsim.plot import warmup

        drawn.append(embed(warmup(found), "warmup", "The warm-up MSER-5 found "
                           "(warmup = \"auto\"): the series averaged over replications, its "
                           "batch means, and the cut; the shaded start is not scored."))
    return drawn, missing


def _heatmap(sweep: Any, by: Any = None) -> Figure:
    from supportsim.plot import sweep_heatmap

    return sweep_heatmap(sweep)


def _lines(sweep: Any, by: Any = None) -> Figure:
    from supportsim.plot import sweep_lines

    return sweep_lines(sweep)


def _frontier(sweep: Any, by: Any = None) -> Figure | None:
    """The cost–SLA frontier within the conditions `by` names; None (nothing to say) when
    the sweep has no cost columns."""
    from supportsim.plot import frontier

    if "cost_total" not in sweep.summary().columns:
        return None
    return frontier(sweep, by=by)


#: Figures of a sweep's report: (name, caption, function of the SweepResult and `by`, the
#: conditions of the frontier as in supportsim.frontier; only the frontier uses it). A function
#: raising ValueError (e.g. a heat map of a sweep without two factors) is left out of the
#: report with its reason; one returning None does not apply and is not mentioned.
SWEEP_FIGURES: list[tuple[str, str, Callable[[Any, Any], Figure | None]]] = [
    ("sweep_heatmap", "Response attainment (all priorities) over the first two factors, "
                      "one panel per strategy: where the desk keeps up.", _heatmap),
    ("sweep_lines", "Response attainment (all priorities) against the first factor, one "
                    "line per strategy with its 95% band.", _lines),
    ("frontier", "Cost against resolution attainment per variant: the frontier joins the "
                 "variants no other is both cheaper and better than.", _frontier),
]


def sweep_figures(sweep: Any, by: Any = None) -> tuple[list[Embedded], list[str]]:
    """The figures of :data:`SWEEP_FIGURES` that apply to `sweep`, and why the others
    do not; `by`: the frontier's conditions (:func:`supportsim.frontier`)."""
    drawn, missing = [], []
    for name, caption, draw in SWEEP_FIGURES:
        try:
            figure = draw(sweep, by)
        except ValueError as exc:
            missing.append(f"{name}: {exc}")
            continue
        if figure is not None:
            drawn.append(embed(figure, name, caption))
    return drawn, missing
