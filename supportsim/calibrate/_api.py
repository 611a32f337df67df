""":func:`from_event_log` and the :class:`CalibrationResult` it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from supportsim.calibrate._estimate import Estimates, estimate
from supportsim.calibrate._parameters import parameters
from supportsim.calibrate._read import TicketLog, read_log
from supportsim.calibrate._skeleton import build_skeleton, write_text
from supportsim.scenario import Scenario

if TYPE_CHECKING:
    from supportsim.calibrate._backtest import Backtest
    from supportsim.calibrate._report import Report

__all__ = ["SAMPLE_CREDIT", "CalibrationResult", "from_event_log"]

#: File name of the bundled real sample (tests/data); its figures must carry the credit.
SAMPLE_NAME = "servicenow_incident_events_sample.csv"
SAMPLE_CREDIT = ("Data: C. Amaral, M. Fantinato, S. Peres (University of São Paulo), "
                 "\"Incident management process enriched event log\", UCI Machine Learning "
                 "Repository, dataset 498; CC BY 4.0.")


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`from_event_log` returns.

    Attributes
    ----------
    scenario : Scenario
        A valid skeleton: demand and priorities fitted, work and team guessed.
    parameters : DataFrame
        The estimates: ``parameter``, ``group``, ``estimate``, ``low``, ``high``, ``unit``,
        ``n``, ``method`` (see docs/calibration.md for every parameter).
    tickets : DataFrame
        The history normalised to one row per ticket.
    estimates : Estimates
        The same estimates as objects (per-priority lognormal fits, shares, ...).
    toml : str
        The skeleton as TOML text with a FITTED / GUESSED comment on every key.
    source, format : str
        Where the history came from and its format.
    credit : str or None
        Data credit printed in the report and on every figure (set for the bundled sample).
    observed_until : Timestamp
        The latest instant the history shows.
    warnings : tuple of str
        What could not be fitted and was replaced by a stated default.
    """

    scenario: Scenario
    parameters: pd.DataFrame = field(repr=False)
    tickets: pd.DataFrame = field(repr=False)
    estimates: Estimates = field(repr=False)
    toml: str = field(repr=False)
    source: str
    format: str
    credit: str | None
    observed_until: pd.Timestamp
    columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def has_made_sla(self) -> bool:
        """Whether the history says, per ticket, if it made its SLA."""
        return "made_sla" in self.columns and bool(self.tickets["made_sla"].notna().any())

    def to_toml(self, path: str | Path | None = None) -> str:
        """The commented skeleton; written to `path` (all or nothing) when given."""
        if path is not None:
            write_text(path, self.toml)
        return self.toml

    def report(self) -> Report:
        """Text and figures: the fitted values, their intervals and what was guessed."""
        from supportsim.calibrate._report import build_report

        return build_report(self)

    def backtest(self, replications: int = 5, seed: int = 0,
                 follow_up: float | None = None) -> Backtest:
        """Simulate the skeleton over the observed window and compare with the history.

        Parameters
        ----------
        replications : int, default 5
            Independent replications (at least 2, for intervals).
        seed : int, default 0
            Root random seed.
        follow_up : float, optional
            Hours simulated after the window without arrivals, so tickets can resolve;
            default: until the latest timestamp of the history, as the log follows them.

        Returns
        -------
        Backtest
            ``.table`` (observed vs simulated), ``.daily`` and ``.figure()``.
        """
        from supportsim.calibrate._backtest import run_backtest

        return run_backtest(self, replications=replications, seed=seed, follow_up=follow_up)


def from_event_log(
    data: str | Path | pd.DataFrame,
    format: Literal["servicenow", "tickets"] = "servicenow",
    *,
    sla: Mapping[str, Mapping[str, Any]] | None = None,
    confidence: float = 0.95,
    name: str | None = None,
    credit: str | None = None,
    at: Any = None,
) -> CalibrationResult:
    """Calibrate a skeleton scenario from a ticket history.

    Parameters
    ----------
    data : str, Path or DataFrame
        A CSV file, or a DataFrame with the same columns.
    format : {"servicenow", "tickets"}, default "servicenow"
        ``servicenow``: one row per update of an incident (``number``, ``opened_at``,
        ``resolved_at``, ``priority``; optional ``contact_type``, ``reassignment_count``,
        ``reopen_count``, ``made_sla``), day-first dates, ``?`` for missing. ``tickets``:
        one row per ticket (``opened_at``, ``resolved_at``, ``priority``; optional
        ``channel``, ``reassignments``, ``first_response_at``, ``made_sla``), ISO dates.
    sla : mapping, optional
        Known SLA targets per priority, e.g. ``{"P1": {"response": "15min",
        "resolution": "4h", "clock": "24x7"}}``; others keep common defaults (guesses).
    confidence : float, default 0.95
        Level of every interval.
    name : str, optional
        Name of the skeleton scenario.
    credit : str, optional
        Data credit for the report and figures; set automatically for the bundled sample.
    at : str, datetime or Timestamp, optional
        A cut-off: the skeleton then starts there (`start` = `at`) from the tickets the
        history shows open then, as inline ``[[initial.backlog]]`` rows
        (:func:`~supportsim.calibrate.snapshot`: every ticket at l1, none in service).
        The fit still uses the whole history.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    EventLogError
        Unknown format, unreadable or empty file, missing required column, unparsable
        date or label (naming the column and the line; the header is line 1), or no
        resolved ticket. A :class:`~supportsim.ScenarioError` and so a ``ValueError``.

    Warns
    -----
    CalibrationWarning
        When the history spans less than two weeks (a flat profile is used instead of a
        weekly one), and for other estimates replaced by stated defaults.

    Examples
    --------
    >>> import supportsim as ss
    >>> cal = ss.calibrate.from_event_log("incidents.csv")  # doctest: +SKIP
    >>> cal.parameters.query("parameter == 'arrival_rate'")  # doctest: +SKIP
    >>> cal.to_toml("desk.toml"); print(cal.report())  # doctest: +SKIP
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    log = read_log(data, format)
    est = estimate(log, confidence)
    scenario, text = build_skeleton(est, log.source, log.format, sla=sla, name=name)
    if at is not None:
        scenario, text = _start_at(scenario, text, log, at)
    if credit is None and Path(log.source).name == SAMPLE_NAME:
        credit = SAMPLE_CREDIT
    return CalibrationResult(
        scenario=scenario, parameters=parameters(est), tickets=log.tickets, estimates=est,
        toml=text, source=log.source, format=log.format, credit=credit,
        observed_until=log.observed_until, columns=log.columns, warnings=est.warnings,
    )


def _start_at(scenario: Scenario, text: str, log: TicketLog, at: Any) -> tuple[Scenario, str]:
    """The skeleton started at the cut-off `at`, with the tickets open then as its backlog."""
    import re

    import tomli_w

    from supportsim.calibrate._snapshot import backlog_rows, cut_off

    instant = cut_off(at, log)
    rows = backlog_rows(log, instant).to_dict("records")
    data = scenario.to_dict()
    data["start"] = instant.to_pydatetime()
    data["initial"] = {"backlog": rows}
    scenario = Scenario.from_dict(data, source=log.source)
    start = (f"start = {instant.to_pydatetime().isoformat()}  # the cut-off (at=): the desk "
             "starts from the tickets open then, [[initial.backlog]] below")
    text = re.sub(r"(?m)^start = .*$", lambda _: start, text, count=1)
    section = tomli_w.dumps({"initial": {"backlog": rows}})
    text += (f"\n# Initial backlog: the {len(rows)} tickets open at {instant} in the history "
             "(ss.calibrate.snapshot).\n# GUESSED: tier l1 for every ticket (the log names "
             "groups, not tiers); none in service; no work done.\n" + section)
    return scenario, text
