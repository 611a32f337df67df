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
    "sla": "SLA attainment per priority with 95% intervals.",
    "weekly_attainment": "Attainment week by week: when the desk met its targets.",
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
    return drawn, missing


#: Figures of a sweep's report: (name, caption, function of the SweepResult). Empty until
#: the sweep figures exist; a function raising ValueError (e.g. a heat map of a sweep
#: without two factors) is left out of the report with its reason.
SWEEP_FIGURES: list[tuple[str, str, Callable[[Any], Figure]]] = []


def sweep_figures(sweep: Any) -> tuple[list[Embedded], list[str]]:
    """The figures of :data:`SWEEP_FIGURES` that apply to `sweep`, and why the others
    do not."""
    drawn, missing = [], []
    for name, caption, draw in SWEEP_FIGURES:
        try:
            figure = draw(sweep)
        except ValueError as exc:
            missing.append(f"{name}: {exc}")
            continue
        drawn.append(embed(figure, name, caption))
    return drawn, missing
