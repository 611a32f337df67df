"""Precision on demand: add replications in batches until each named interval is narrow
enough (``simulate(..., precision={"P1.response": 0.01})``), or a cap is reached.

The pilot is the `replications` asked for; from it :func:`~supportsim.analysis.
replications_for` sizes the next batch (the count the pilot's spread says is needed), and
so on until every target is met. Replication ``r`` draws from streams keyed by
``(seed, r)`` alone (:func:`~supportsim.simulation.simulate_replications`), so the run
is the same whether it is reached in one call, in batches, or on any executor; when a
batch overshoots, the result is cut back to the first count that meets every target,
so it equals ``simulate(scenario, that_count, seed)``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import special

from supportsim.analysis import replications_for
from supportsim.analysis._metric_names import Metric, metric_series, resolve_metric
from supportsim.report._display import Card, CardDisplay
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario
from supportsim.sequential._auto_warmup import apply_auto_warmup
from supportsim.sequential._merge import first_replications, merge_results

__all__ = ["DEFAULT_MAX_REPLICATIONS", "PrecisionReport", "PrecisionTarget",
           "PrecisionWarning", "half_width", "parse_precision", "run_sequential"]

#: The cap of ``precision=`` when ``max_replications`` is not given.
DEFAULT_MAX_REPLICATIONS = 200


class PrecisionWarning(UserWarning):
    """``max_replications`` was reached before every precision target was met."""


@dataclass(frozen=True)
class PrecisionTarget:
    """One target of ``precision=`` and what the run reached.

    Attributes
    ----------
    metric : str
    target : float
        The half-width asked for, in the metric's unit.
    half_width : float
        The Student-t half-width reached (linear scale) at the result's replications.
    mean : float
    met : bool
    """

    metric: str
    target: float
    half_width: float
    mean: float
    met: bool


@dataclass(frozen=True, repr=False)
class PrecisionReport(CardDisplay):
    """``res.precision``: the targets, what was reached, and the replications it took.

    Attributes
    ----------
    targets : tuple of PrecisionTarget
    replications : int
        Replications in the result: the first count that met every target, or the cap.
    pilot, max_replications : int
    batches : tuple of int
        Replications simulated per batch (the last may overshoot; the result is cut back).
    confidence : float
    met : bool
        Every target met.
    """

    targets: tuple[PrecisionTarget, ...]
    replications: int
    pilot: int
    max_replications: int
    batches: tuple[int, ...]
    confidence: float
    met: bool

    def table(self) -> pd.DataFrame:
        """One row per target: ``metric``, ``target``, ``half_width``, ``mean``, ``met``."""
        return pd.DataFrame([t.__dict__ for t in self.targets])

    def _short(self) -> tuple[str, str, list[str]]:
        return "PrecisionReport", "met" if self.met else "NOT met", [
            f"{self.replications} replications (pilot {self.pilot}, cap "
            f"{self.max_replications})",
            ", ".join(f"{t.metric} ±{t.half_width:.3g}" for t in self.targets)]

    def _card(self) -> Card:
        """The rich display: the targets, what was reached, the replications it took."""
        from supportsim.report._blocks import precision_table

        table = precision_table(SimpleNamespace(precision=self))
        assert table is not None
        facts = [("precision", "every target met" if self.met else "NOT met: the cap was "
                  "reached first"),
                 ("replications", f"{self.replications} (pilot {self.pilot}, cap "
                                  f"{self.max_replications}; batches "
                                  f"{', '.join(map(str, self.batches))})"),
                 ("intervals", f"{self.confidence:.0%} Student t, half-width on the "
                               "metric's own scale")]
        return Card("PrecisionReport", "met" if self.met else "NOT met", facts, [table])

    def __str__(self) -> str:
        head = (f"precision {'met' if self.met else 'NOT met'} with {self.replications} "
                f"replications (pilot {self.pilot}, cap {self.max_replications}, "
                f"{self.confidence:.0%} intervals)")
        lines = [f"  {t.metric}: mean {t.mean:.4g}, half-width {t.half_width:.3g} "
                 f"(target {t.target:g}){'' if t.met else ' NOT met'}" for t in self.targets]
        return "\n".join([head, *lines])


def half_width(values: np.ndarray, confidence: float = 0.95) -> float:
    """Student-t half-width of the mean of `values` (NaN left out; inf below 2 values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return math.inf
    return float(special.stdtrit(x.size - 1, 0.5 + confidence / 2) * x.std(ddof=1)
                 / math.sqrt(x.size))


def parse_precision(precision: Mapping[str, float], scenario: Scenario
                    ) -> list[tuple[Metric, float]]:
    """Check ``precision=``: known metric names (:mod:`supportsim.analysis._metric_names`)
    to positive finite half-widths, below 1 for shares (attainment, utilisation)."""
    if not isinstance(precision, Mapping) or not precision:
        raise ValueError("precision must be a non-empty mapping of metric name to half-width, "
                         f"e.g. {{'P1.response': 0.01}}, got {precision!r}")
    out: list[tuple[Metric, float]] = []
    for name, value in precision.items():
        metric = resolve_metric(name, scenario)
        same = next((m.name for m, _ in out if m.column == metric.column), None)
        if same is not None:  # "wait" and "mean_wait": one metric, two half-widths
            raise ValueError(f"precision[{name!r}] is the metric precision[{same!r}] names "
                             f"({metric.column}): give each metric once")
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value <= 0:
            raise ValueError(f"precision {name} must be a positive half-width in the "
                             f"metric's unit (0.01 = one point of attainment), got {value!r}")
        if metric.unit == "share" and value >= 1:  # a share's interval is met by any data
            raise ValueError(f"precision {name} must be a half-width in (0, 1) for a "
                             f"share (0.01 = one point), got {value!r}")
        out.append((metric, float(value)))
    return out


Batch = Callable[[range], SimulationResult]


def run_sequential(scenario: Scenario, count: int, seed: int, run_batch: Batch, *,
                   precision: Mapping[str, float] | None,
                   max_replications: int | None, confidence: float = 0.95,
                   keep_tickets: bool = True) -> SimulationResult:
    """The driver behind :func:`supportsim.simulate` for ``precision=`` and
    ``warmup = "auto"``.

    Parameters
    ----------
    scenario : Scenario
        As given (``auto_warmup`` decides whether MSER-5 is applied).
    count : int
        The pilot: replications ``0 .. count-1``, run first.
    seed : int
    run_batch : callable
        ``run_batch(range(a, b))`` simulates those replications of the scenario with an
        explicit warm-up (0 under ``"auto"``) and returns their result.
    precision : mapping or None
    max_replications : int or None
    confidence : float, default 0.95
    keep_tickets : bool
        False drops the ticket table at the end (it is needed until then under "auto").
    """
    targets = parse_precision(precision, scenario) if precision is not None else []
    cap = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
    if targets and count < 2:
        raise ValueError(f"precision needs a pilot of at least 2 replications, got {count}")
    if targets and (isinstance(cap, bool) or not isinstance(cap, int) or cap < count):
        raise ValueError(f"max_replications must be an integer >= replications ({count}), "
                         f"got {max_replications!r}")
    finish = _finisher(scenario)
    parts = [run_batch(range(count))]
    batches = [count]
    checked = count - 1  # counts up to this one are known not to meet every target
    while True:
        raw = merge_results(parts)
        done = raw.replications
        if not targets:
            return _drop(finish(raw, True), keep_tickets)
        found = None
        for n in range(checked + 1, done + 1):
            reached = _reached(finish(first_replications(raw, n), False), targets, confidence)
            if all(t.met for t in reached):
                found = n
                break
        checked = done
        if found is not None or done >= cap:
            n = found if found is not None else done
            res = finish(first_replications(raw, n, delete=True), True)
            reached = _reached(res, targets, confidence)
            report = PrecisionReport(targets=tuple(reached), replications=n, pilot=count,
                                     max_replications=cap, batches=tuple(batches),
                                     confidence=confidence, met=found is not None)
            if found is None:
                missed = "; ".join(f"{t.metric} half-width {t.half_width:.3g} > {t.target:g}"
                                   for t in reached if not t.met)
                warnings.warn(f"precision not met after max_replications={cap}: {missed}; "
                              "raise max_replications or accept wider intervals "
                              "(res.precision)", PrecisionWarning, stacklevel=3)
            return _drop(dataclasses.replace(res, precision=report), keep_tickets)
        needed = max(_needed(finish(raw, False), metric, target, confidence, cap)
                     for metric, target in targets)
        upto = min(max(needed, done + 1), cap)
        batches.append(upto - done)
        parts.append(run_batch(range(done, upto)))


def _finisher(scenario: Scenario) -> Callable[[SimulationResult, bool], SimulationResult]:
    """Applies the MSER-5 warm-up under ``"auto"`` (warning only when `final`)."""
    if not scenario.auto_warmup:
        return lambda res, final: res

    def finish(res: SimulationResult, final: bool) -> SimulationResult:
        if final:
            return apply_auto_warmup(res)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return apply_auto_warmup(res)

    return finish


def _drop(res: SimulationResult, keep: bool) -> SimulationResult:
    if keep or res.ticket_table is None:
        return res
    return dataclasses.replace(res, ticket_table=None)


def _reached(res: SimulationResult, targets: list[tuple[Metric, float]],
             confidence: float) -> list[PrecisionTarget]:
    out = []
    for metric, target in targets:
        values = metric_series(res, metric).to_numpy()
        h = half_width(values, confidence)
        out.append(PrecisionTarget(metric=metric.name, target=target, half_width=h,
                                   mean=float(np.nanmean(values)) if np.any(~np.isnan(values))
                                   else math.nan, met=h <= target))
    return out


def _needed(res: SimulationResult, metric: Metric, target: float, confidence: float,
            cap: int) -> int:
    """Replications the spread so far says `metric` needs (the cap when beyond it)."""
    values = metric_series(res, metric).to_numpy()
    values = values[~np.isnan(values)]
    if values.size < 2:
        return cap
    try:
        return replications_for(float(values.std(ddof=1)), target, confidence,
                                max_replications=cap)
    except ValueError:  # more than the cap: run up to it
        return cap
