"""Calibrate a scenario from a ticket history (see ``docs/calibration.md``).

:func:`from_event_log` reads a ServiceNow-style event log or a one-row-per-ticket CSV and
returns a :class:`CalibrationResult`: a valid skeleton :class:`~supportsim.Scenario`
(demand and priorities fitted, work and team guessed and labelled so), a table of
parameters with intervals, a report with figures, and a back-test that simulates the
skeleton beside the history.
"""

from supportsim.calibrate._api import SAMPLE_CREDIT, CalibrationResult, from_event_log
from supportsim.calibrate._backtest import Backtest
from supportsim.calibrate._estimate import CalibrationWarning
from supportsim.calibrate._read import FORMATS, EventLogError
from supportsim.calibrate._report import CANNOT_INFER, Report

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
]
