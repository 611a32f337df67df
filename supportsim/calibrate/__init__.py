"""Calibrate a scenario from a ticket history (see ``docs/calibration.md``).

:func:`from_event_log` reads a ServiceNow-style event log or a one-row-per-ticket CSV and
returns a :class:`CalibrationResult`: a valid skeleton :class:`~supportsim.Scenario`
(demand and priorities fitted, work and team guessed and labelled so), a table of
parameters with intervals, a report with figures, and a back-test that simulates the
skeleton beside the history. :func:`snapshot` writes the tickets open at a cut-off as an
initial backlog (``[initial]``), and ``from_event_log(..., at=...)`` starts the skeleton
there with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supportsim.calibrate._api import SAMPLE_CREDIT, CalibrationResult, from_event_log
    from supportsim.calibrate._backtest import Backtest
    from supportsim.calibrate._estimate import CalibrationWarning
    from supportsim.calibrate._read import FORMATS, EventLogError
    from supportsim.calibrate._report import CANNOT_INFER, Report
    from supportsim.calibrate._snapshot import snapshot

# NOTE: loaded on first use (PEP 562): scipy.stats alone takes half a second to import.
_LAZY = {
    "CANNOT_INFER": "_report",
    "FORMATS": "_read",
    "SAMPLE_CREDIT": "_api",
    "Backtest": "_backtest",
    "CalibrationResult": "_api",
    "CalibrationWarning": "_estimate",
    "EventLogError": "_read",
    "Report": "_report",
    "from_event_log": "_api",
    "snapshot": "_snapshot",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'supportsim.calibrate' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"supportsim.calibrate.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CANNOT_INFER",
    "FORMATS",
    "SAMPLE_CREDIT",
    "Backtest",
    "CalibrationResult",
    "CalibrationWarning",
    "EventLogError",
    "Report",
    "from_event_log",
    "snapshot",
]
