"""Breaking points: the value of a factor at which SLA attainment falls below a goal.

:func:`find_breaking_point` simulates every strategy at the same factor values on the
same seeds (common random numbers), evaluates a coarse grid, refines the first crossing
of the goal by bisection, and bootstraps over replications for an interval. Semantics
and examples are in docs/analysis.md.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from supportsim._crossing import crossing, crossings, erlang_estimate, last_met
from supportsim._errors import CapacityWarning, ScenarioError
from supportsim._factor import (
    current_value,
    default_grid,
    is_integer,
    override_value,
    span_values,
)
from supportsim.analysis import mean_interval
from supportsim.capacity import warn_if_overloaded
from supportsim.scenario import Scenario
from supportsim.simulation import resolve_seed, simulate

__all__ = ["BreakingPoints", "find_breaking_point", "span_values"]

Metric = Literal["response", "resolution"]
Direction = Literal["up", "down"]
FloatArray = npt.NDArray[np.float64]

_STAFF_SUFFIXES = (".staff", ".headcount")


@dataclass(frozen=True)
class BreakingPoints:
    """What :func:`find_breaking_point` returns.

    Attributes
    ----------
    table : DataFrame
        One row per strategy: ``strategy``, ``breaking_value``, ``low``, ``high``
        (bootstrap interval over replications, always containing ``breaking_value``),
        ``last_met`` and ``first_missed`` (the evaluated values that bracket the first
        crossing), ``status`` (``"crossed"``, ``"met throughout"``: the goal holds over
        the whole range, ``"missed throughout"``: it fails everywhere), ``evaluations``
        and ``erlang_c_estimate`` (the same answer from Erlang C where the desk is M/M/c
        and the metric is response; else NaN). For a continuous factor
        ``breaking_value`` is where the attainment curve crosses the goal, linear between
        ``last_met`` and ``first_missed``; for an integer factor (staff) it is
        ``last_met`` itself, the last value that still meets the goal (the smallest
        staffing that holds), with ``first_missed`` its neighbour and an interval over
        integers. When the goal holds (or fails) over the whole range, the value and the
        bound on that side are ±inf: beyond the end of the range where it breaks.
    curve : DataFrame
        Every evaluated point: ``strategy``, ``value``, ``attainment`` (mean across
        replications) with ``low``/``high`` (t-interval), ``replications``, ``stage``
        (``"grid"``, ``"refine"`` or, for an integer factor, ``"interval"``: evaluated to
        resolve the interval to single integers), sorted by strategy and value.
    samples : DataFrame
        The per-replication attainment behind the curve: ``strategy``, ``value``,
        ``replication``, ``attainment``.
    factor, target, metric, priority, direction, confidence, seed, integer
        The question asked (``priority`` None: all priorities pooled; ``direction`` "up"
        when larger values are worse; ``integer`` True when searched over integers) and
        the root seed used.

    Notes
    -----
    Indexing reads the table: ``bp["breaking_value"]`` is ``bp.table["breaking_value"]``.
    The curve is not kept in ``DataFrame.attrs``: pandas compares attrs on concat, which
    fails for a DataFrame inside them.
    """

    table: pd.DataFrame
    curve: pd.DataFrame = field(repr=False)
    samples: pd.DataFrame = field(repr=False)
    factor: str
    target: float
    metric: Metric
    priority: str | None
    direction: Direction
    confidence: float
    seed: int
    integer: bool = False

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        from supportsim.report._others import breakpoints_repr

        return breakpoints_repr(self)

    def _repr_html_(self) -> str:
        from supportsim.report._display import render_card
        from supportsim.report._others import breakpoints_card

        return render_card(breakpoints_card(self))

    def __str__(self) -> str:
        return (f"Breaking point of {self.metric} attainment "
                f"({self.priority or 'all priorities'}) below {self.target:.0%} "
                f"in {self.factor}\n{self.table.to_string(index=False)}")


# --------------------------------------------------------------------------- evaluation


class _Evaluator:
    """Per-replication attainment at factor values, cached, on common seeds."""

    def __init__(self, scenario: Scenario, factor: str, strategy: Mapping[str, Any],
                 metric: Metric, priority: str | None, replications: int, seed: int,
                 integer: bool, name: str = "",
                 progress: Callable[[str, float, float], None] | None = None) -> None:
        self.scenario, self.factor, self.strategy = scenario, factor, dict(strategy)
        self.metric, self.priority = metric, priority
        self.replications, self.seed, self.integer = replications, seed, integer
        self.name, self.progress = name, progress
        self.points: dict[float, tuple[FloatArray, str]] = {}

    def variant(self, value: float) -> Scenario:
        return self.scenario.with_overrides(
            {**self.strategy, self.factor: override_value(value, self.integer)})

    def __call__(self, value: float, stage: str) -> float:
        if value not in self.points:
            with warnings.catch_warnings():
                # Overload is expected on the far side of a breaking point.
                warnings.simplefilter("ignore", CapacityWarning)
                # Only the scores are read: no ticket table is kept per evaluation.
                result = simulate(self.variant(value), replications=self.replications,
                                  seed=self.seed, tickets="drop", progress=False)
            att = result.attainment()
            if self.priority is not None:
                att = att[att["priority"] == self.priority]
            met, scored = att[f"{self.metric}_attainment"], att[f"{self.metric}_tickets"]
            # Met tickets over scored tickets per replication (one priority, or pooled).
            hits = (met.fillna(0.0) * scored).groupby(att["replication"]).sum()
            with np.errstate(invalid="ignore", divide="ignore"):
                share = hits / scored.groupby(att["replication"]).sum()
            per_rep = share.reindex(range(self.replications)).to_numpy(dtype=float)
            self.points[value] = (per_rep, stage)
            if self.progress is not None:
                self.progress(self.name, value, float(np.nanmean(per_rep)))
        return float(np.nanmean(self.points[value][0]))

    def matrix(self, order: FloatArray) -> FloatArray:
        return np.vstack([self.points[v][0] for v in order])


def _search(evaluate: _Evaluator, grid: FloatArray, target: float, direction: Direction,
            refine: int, integer: bool) -> None:
    """Evaluate the grid, then bisect the first crossing: `refine` times for a continuous
    factor, down to two neighbouring integers for an integer one."""
    walk = grid if direction == "up" else grid[::-1]
    means = np.array([evaluate(v, "grid") for v in walk])
    _, i = crossing(walk, means, target)
    if 0 < i < len(walk):
        # Halving any integer gap reaches neighbours well within 64 steps.
        _bisect(evaluate, float(walk[i - 1]), float(walk[i]), target,
                64 if integer else refine, integer, "refine")


def _bisect(evaluate: _Evaluator, good: float, bad: float, target: float, steps: int,
            integer: bool, stage: str) -> None:
    """Halve the bracket [good, bad] `steps` times; integers stop at neighbours."""
    while steps > 0 and not (integer and abs(bad - good) <= 1):
        mid = float(math.floor((good + bad) / 2)) if integer else (good + bad) / 2
        if evaluate(mid, stage) >= target:
            good = mid
        else:
            bad = mid
        steps -= 1


def _integer_interval(evaluate: _Evaluator, target: float, direction: Direction,
                      picks: npt.NDArray[np.intp], quantiles: list[float],
                      budget: int) -> None:
    """Evaluate integers until each finite bound of the bootstrap interval is followed
    (walking from the good end) by its neighbouring integer, so every resample's answer
    the bounds rest on is exact: a bound left resting on a gap would only say "somewhere
    in this gap". At most `budget` extra evaluations."""
    for _ in range(budget):
        ordered = np.array(sorted(evaluate.points))
        walk = ordered if direction == "up" else ordered[::-1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN resample columns
            boot = np.nanmean(evaluate.matrix(walk)[:, picks], axis=2)
        bounds = np.quantile(last_met(walk, boot, target), quantiles, method="inverted_cdf")
        gaps = [(float(b), float(walk[k + 1])) for b in bounds if np.isfinite(b)
                for k in [int(np.flatnonzero(walk == b)[0])]
                if k + 1 < len(walk) and abs(walk[k + 1] - b) > 1]
        if not gaps:
            return
        _bisect(evaluate, *gaps[0], target, 1, True, "interval")


def _direction(evaluators: Sequence[_Evaluator], grid: FloatArray, factor: str) -> Direction:
    """Larger values worse ("up") unless the curve says otherwise; staff is worse down."""
    lo = np.mean([e(float(grid[0]), "grid") for e in evaluators])
    hi = np.mean([e(float(grid[-1]), "grid") for e in evaluators])
    if lo == hi:
        return "down" if factor.endswith(_STAFF_SUFFIXES) else "up"
    return "up" if lo > hi else "down"


# --------------------------------------------------------------------------- the search


def find_breaking_point(
    scenario: Scenario,
    factor: str,
    target: float,
    *,
    metric: Metric = "response",
    priority: str | None = None,
    strategies: Mapping[str, Mapping[str, Any]] | None = None,
    values: Sequence[float] | None = None,
    direction: Direction | None = None,
    replications: int | None = None,
    seed: int | None = None,
    refine: int = 4,
    integer: bool | None = None,
    confidence: float = 0.95,
    resamples: int = 2000,
    rng: np.random.Generator | int | None = None,
    progress: bool | Callable[[str, float, float], None] | None = None,
) -> BreakingPoints:
    """Find the value of `factor` at which SLA attainment falls below `target`.

    Parameters
    ----------
    scenario : Scenario
    factor : str
        A dotted scenario key with a numeric value: ``"demand.rate"``,
        ``"demand.growth"``, ``"demand.bursts.ERP go-live.multiplier"``,
        ``"team.tiers.l1.staff"``, ...
    target : float
        The attainment goal, a share in (0, 1), e.g. 0.9.
    metric : {"response", "resolution"}, default "response"
    priority : str, optional
        The priority whose attainment counts; None pools all priorities (met over scored
        tickets, per replication).
    strategies : mapping of name to overrides, optional
        Variants to compare, e.g. ``{"tiered": {}, "swarming": {"team.structure":
        "swarming"}}``; each is searched separately, all on the same seeds. Default
        ``{"base": {}}``.
    values : sequence of float, optional
        The coarse grid. Default: 7 values from half to twice the scenario's current
        value (integers for an integer factor); :func:`span_values` gives a range's.
    direction : {"up", "down"}, optional
        Which way the factor gets worse: "up" when larger values are worse (demand,
        growth, a burst's multiplier, attrition), "down" when smaller are (staff). Default:
        read from the curve at the ends of the grid (pooled over strategies).
    replications : int, optional
        Replications per evaluation; default ``scenario.replications``.
    seed : int, optional
        Root seed of every evaluation (common random numbers); default the scenario's.
    refine : int, default 4
        Bisection steps around the first crossing of a continuous factor. An integer
        factor is bisected until the bracket is two neighbouring integers, and then
        evaluated where the interval needs it (at most `refine` + 4 more integers per
        strategy), so its answer and interval are exact integers.
    integer : bool, optional
        Search integers only; default when the factor's current value in the scenario is
        an integer (staff; a shift tier's staff is the shifts' sum), or, for a key the
        scenario does not set, when all `values` are.
    confidence : float, default 0.95
        Level of the bootstrap interval of the breaking value and of the curve's
        t-intervals.
    resamples : int, default 2000
        Bootstrap resamples of the replications.
    rng : Generator or int, optional
        Randomness of the bootstrap; None uses a fixed seed (reproducible tables).
    progress : bool or callable, optional
        None (default): a progress bar on a terminal or in a notebook; True: always
        a bar (tqdm; a widget in Jupyter); False: none; a callable is called as
        ``progress(strategy, value, attainment)`` after each evaluation instead.

    Returns
    -------
    BreakingPoints
        ``.table`` (one row per strategy: ``strategy``, ``breaking_value``, ``low``,
        ``high``, ...) and ``.curve`` (every evaluated point); see :class:`BreakingPoints`.

    Warns
    -----
    CapacityWarning
        Once, before the search, if `scenario` itself overloads a tier (as
        :func:`~supportsim.simulate` would); the evaluated variants are not checked, as
        overload is expected beyond the breaking point.

    Raises
    ------
    ValueError
        Bad metric, target, priority, direction or grid; a strategy that sets `factor`.
    ScenarioError
        If an override does not fit the scenario schema.

    Notes
    -----
    The attainment of an evaluation is the mean over replications of the per-replication
    share met (:func:`supportsim.analysis.sla_attainment`). The breaking value is where
    the piecewise-linear curve through the evaluated means first crosses `target`,
    walking from the good end of the range (for an integer factor: the last value
    before that crossing, which still meets the goal); the interval comes from
    resampling whole replications (the same draws for every value and strategy, as the
    seeds are shared) and recomputing that answer. A resample whose curve never crosses
    within the range counts as beyond its end, so an interval may reach ±inf. The
    interval is widened to contain the estimate where the percentile bootstrap leaves it
    outside (first crossings of resampled curves that hover near the goal come early).

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> bp = ss.find_breaking_point(sc, "demand.rate", 0.8, values=[18, 22, 26])  # doctest: +SKIP
    >>> bp.table[["strategy", "breaking_value", "low", "high"]]  # doctest: +SKIP
    """
    if metric not in ("response", "resolution"):
        raise ValueError(f"metric must be 'response' or 'resolution', got {metric!r}")
    if not 0 < target < 1:
        raise ValueError(f"target must be a share in (0, 1), got {target!r}")
    if priority is not None and priority not in scenario.priorities:
        raise ValueError(f"priority must be one of {scenario.priority_names}, got {priority!r}")
    if direction not in (None, "up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', got {direction!r}")
    if refine < 0:
        raise ValueError(f"refine must be >= 0, got {refine!r}")
    chosen = {"base": {}} if strategies is None else {str(k): dict(v)
                                                      for k, v in strategies.items()}
    if not chosen:
        raise ValueError("strategies must name at least one strategy")
    for name, overrides in chosen.items():
        if factor in overrides:
            raise ValueError(f"strategy {name!r} sets the factor {factor!r} itself")
    base = current_value(scenario, factor)
    if integer is None:  # the schema's type shows in the current value (staff: int)
        given = [base] if base is not None else list(values or [])
        integer = bool(given) and all(is_integer(v) for v in given)
    if values is None:
        if base is None:
            _check_known(scenario, factor)
        grid = default_grid(base, factor, integer)
    else:
        grid = np.unique(np.asarray(values, dtype=float))
        if grid.size < 2 or not np.all(np.isfinite(grid)):
            raise ValueError(f"values: need at least two distinct finite values, got "
                             f"{list(values)!r}")
        if integer and not np.all(grid == np.round(grid)):
            raise ValueError(f"values: {factor} is searched over integers, got {list(values)!r}")
    count = scenario.replications if replications is None else int(replications)
    if count < 2:
        raise ValueError(f"replications must be >= 2 for an interval, got {replications!r}")
    root = resolve_seed(scenario, seed)
    warn_if_overloaded(scenario)
    generator = np.random.default_rng(0 if rng is None else rng)
    picks = generator.integers(0, count, size=(int(resamples), count))
    alpha = (1 - confidence) / 2
    rows, curves, samples = [], [], []
    with _progress(progress, factor) as report:
        evaluators = {name: _Evaluator(scenario, factor, overrides, metric, priority, count,
                                       root, integer, name, report)
                      for name, overrides in chosen.items()}
        way: Direction = direction or _direction(list(evaluators.values()), grid, factor)
        for name, evaluate in evaluators.items():
            _search(evaluate, grid, target, way, refine, integer)
            if integer:
                _integer_interval(evaluate, target, way, picks, [alpha, 1 - alpha],
                                  refine + 4)
            rows.append(_answer(evaluate, name, grid, target, way, integer, picks, alpha,
                                metric))
            curve, sample = _frames(evaluate, name, way, count, confidence)
            curves.append(curve)
            samples.append(sample)
    curve = pd.concat(curves, ignore_index=True).sort_values(
        ["strategy", "value"], kind="stable", key=lambda s: s.map(
            {n: k for k, n in enumerate(chosen)}) if s.name == "strategy" else s)
    return BreakingPoints(
        table=pd.DataFrame(rows), curve=curve.reset_index(drop=True),
        samples=pd.concat(samples, ignore_index=True), factor=factor, target=float(target),
        metric=metric, priority=priority, direction=way, confidence=confidence, seed=root,
        integer=integer)


# --------------------------------------------------------------------------- the answer


def _answer(evaluate: _Evaluator, name: str, grid: FloatArray, target: float,
            way: Direction, integer: bool, picks: npt.NDArray[np.intp], alpha: float,
            metric: Metric) -> dict[str, Any]:
    """One row of the table: the breaking value, its interval and the bracket."""
    ordered = np.array(sorted(evaluate.points))
    walk = ordered if way == "up" else ordered[::-1]
    per_rep = evaluate.matrix(walk)  # points x replications
    means = np.nanmean(per_rep, axis=1)
    estimate, i = crossing(walk, means, target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN resample columns
        boot = np.nanmean(per_rep[:, picks], axis=2)  # points x resamples
    if integer:
        estimate = float(last_met(walk, means, target))
        spread = last_met(walk, boot, target)
    else:
        spread = crossings(walk, boot, target)
    if way == "down":  # walking downwards, "before the first" is above the range
        spread = np.where(np.isinf(spread), -spread, spread)
        estimate = -estimate if math.isinf(estimate) else estimate
    # Order statistics, not interpolation: a resample beyond the range stays infinite.
    low, high = np.quantile(spread, [alpha, 1 - alpha], method="inverted_cdf")
    crossed = 0 < i < len(walk)
    return {
        "strategy": name,
        "breaking_value": float(estimate),
        "low": min(float(low), estimate), "high": max(float(high), estimate),
        "last_met": float(walk[i - 1]) if crossed else math.nan,
        "first_missed": float(walk[i]) if crossed else math.nan,
        "status": ("crossed" if crossed else "missed throughout" if i == 0
                   else "met throughout"),
        "evaluations": len(evaluate.points),
        "erlang_c_estimate": (erlang_estimate(evaluate.variant, grid, target, way, integer)
                              if metric == "response" else math.nan),
    }


def _frames(evaluate: _Evaluator, name: str, way: Direction, count: int,
            confidence: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The strategy's evaluated curve and its per-replication samples."""
    ordered = np.array(sorted(evaluate.points))
    walk = ordered if way == "up" else ordered[::-1]
    per_rep = evaluate.matrix(walk)
    mean, lo_t, hi_t = mean_interval(per_rep, axis=1, scale="logit", confidence=confidence)
    curve = pd.DataFrame({
        "strategy": name, "value": walk, "attainment": mean,
        "low": lo_t, "high": hi_t,
        "replications": np.sum(~np.isnan(per_rep), axis=1),
        "stage": [evaluate.points[v][1] for v in walk],
    })
    sample = pd.DataFrame({
        "strategy": name, "value": np.repeat(walk, count),
        "replication": np.tile(np.arange(count), walk.size),
        "attainment": per_rep.reshape(-1),
    })
    return curve, sample


def _check_known(scenario: Scenario, factor: str) -> None:
    """Raise the schema's did-you-mean for a misspelt key; a known key that the scenario
    leaves unset falls through to the request for explicit values."""
    try:
        scenario.with_overrides({factor: 1})
    except ScenarioError as exc:
        if f"{factor} is not a known key" in str(exc) or "has no item" in str(exc):
            raise


@contextmanager
def _progress(progress: bool | Callable[[str, float, float], None] | None,
              factor: str) -> Iterator[Callable[[str, float, float], None] | None]:
    """The per-evaluation callback: the caller's, or one that moves a tqdm bar on stderr
    (shown when stderr is a terminal for None, always for True)."""
    if callable(progress):
        yield progress
        return
    if progress is False:
        yield None
        return
    from supportsim._progress import progress_bar

    bar = progress_bar(None, desc="breakpoint", unit="evaluation", progress=progress)

    def update(strategy: str, value: float, attainment: float) -> None:
        bar.set_postfix_str(f"{strategy}: {factor}={value:g} -> {attainment:.1%}",
                            refresh=False)
        bar.update(1)

    try:
        yield update
    finally:
        bar.close()
