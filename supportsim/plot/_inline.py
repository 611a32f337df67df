"""Figures display inline in Jupyter without ``%matplotlib inline``.

The figures are built with the object-oriented API (no pyplot), so no backend shows them;
a notebook shows a returned object through IPython's display formatters, which know a
:class:`~matplotlib.figure.Figure` only once the inline backend has been activated (the
magic, or importing pyplot under it). :func:`enable_inline` registers the same PNG
formatter the inline backend uses when :mod:`supportsim.plot` is imported in a Jupyter
kernel, so the last expression of a cell, ``plot.backlog(res)``, shows the figure.
Outside a kernel it does nothing.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from supportsim._progress import in_notebook

__all__ = ["enable_inline"]


def _png(figure: Figure) -> Any:
    from IPython.core.pylabtools import print_figure

    return print_figure(figure, "png", bbox_inches="tight")


def enable_inline() -> bool:
    """Register a PNG display for Figures in the running Jupyter kernel; True if it is
    registered (by this call, earlier, or by the inline backend), False outside Jupyter."""
    if not in_notebook():
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:  # pragma: no cover - in_notebook saw one
        return False
    formatter = shell.display_formatter.formatters["image/png"]
    if Figure not in formatter.type_printers:  # keep the inline backend's if it is set
        formatter.for_type(Figure, _png)
    return True
