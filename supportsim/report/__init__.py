"""Reports and rich displays: what a person reads and shares.

:func:`write_report` writes one self-contained HTML file of a result (with paired
comparisons of variants), :func:`write_sweep_report` one of a sweep. The rich notebook
displays (``_repr_html_``) of :class:`~supportsim.Scenario`,
:class:`~supportsim.SimulationResult`, :class:`~supportsim.SweepResult` and
:class:`~supportsim.BreakingPoints` are cards built by :mod:`supportsim.report._display`,
which new result objects reuse. This package sits above :mod:`supportsim.plot`.
"""

from __future__ import annotations

from supportsim.report._document import (
    render_report,
    render_sweep_report,
    write_report,
    write_sweep_report,
)

__all__ = ["render_report", "render_sweep_report", "write_report", "write_sweep_report"]
