"""``ss.select_best``: choose the best strategy with a stated guarantee (KN, on common
random numbers), simulating more replications only of the strategies still in contention."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from supportsim.analysis._metric_names import Metric, metric_series, resolve_metric
from supportsim.report._display import Card, CardDisplay, Table
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario
from supportsim.sequential._kn import kn_select
from supportsim.sequential._selection_set import SelectionSet, condition_groups, select_within

if TYPE_CHECKING:
    from supportsim.planning import Plan

__all__ = ["Selection", "SelectionWarning", "select_best"]

#: Observations per strategy KN may take when simulating, unless told otherwise.
DEFAULT_MAX_REPLICATIONS = 1000


class SelectionWarning(UserWarning):
    """:func:`select_best` ran out of replications with several strategies in contention."""


@dataclass(frozen=True)
class Selection(CardDisplay):
    """What :func:`select_best` returns.

    Attributes
    ----------
    best : str
        The strategy selected.
    eliminated : dict of str to int
        Strategy -> the replications it had when KN eliminated it, in the order they fell:
        its mean trailed another contender's by more than KN's margin. The guarantee is
        about `best` (within `indifference` of the best); an eliminated strategy may
        itself be within `indifference` of the best. Tied strategies and those still in
        contention are not here.
    replications : dict of str to int
        Replications used per strategy.
    means : dict of str to float
        Each strategy's mean of the metric over its replications.
    guarantee : str
        The guarantee in words, or why there is none.
    decided : bool
        False when the replications ran out with several strategies in contention
        (finished results, or the cap): `best` is then the best mean among `contenders`
        and the guarantee does not hold.
    contenders : list of str
        Strategies in contention when KN stopped: `best` alone when `decided`; else
        every strategy the procedure had not eliminated (nor found tied) when the
        replications ran out.
    metric : str
    indifference, confidence : float
    higher_is_better : bool
    tied : dict of str to str
        Strategy -> the strategy it was identical to (the same value in every
        first-stage replication and the same mean when it gave way, e.g. two ways to
        write the same desk). Not worse: KN keeps one of two equals so it can end; the
        one kept is in `contenders`, `eliminated` or `tied` in turn.
    seed : int or None
        The root seed of the replications simulated (None: finished results given).
    """

    best: str
    eliminated: dict[str, int]
    replications: dict[str, int]
    means: dict[str, float]
    guarantee: str
    decided: bool
    contenders: list[str]
    metric: str
    indifference: float
    confidence: float
    higher_is_better: bool
    first_stage: int = field(default=10, repr=False)
    tied: dict[str, str] = field(default_factory=dict)
    seed: int | None = None

    @property
    def total_replications(self) -> int:
        """Replications simulated over all strategies."""
        return sum(self.replications.values())

    def _rows(self) -> list[tuple[str, float, int, str]]:
        """(name, mean, replications, fate) per strategy: contenders, the tied, then by
        elimination."""
        out = []
        for name in [*self.contenders, *self.tied, *self.eliminated]:
            if name == self.best:
                fate = "selected"
            elif name in self.contenders:
                fate = "in contention when the replications ran out (not eliminated)"
            elif name in self.tied:
                fate = (f"tied with {self.tied[name]!r}: identical over the first stage, "
                        f"same mean after {self.replications[name]} replications")
            else:
                fate = f"eliminated after {self.eliminated[name]} replications"
            out.append((name, self.means[name], self.replications[name], fate))
        return out

    def _short(self) -> tuple[str, str, list[str]]:
        return "Selection", self.metric, [f"best {self.best!r}", self.guarantee]

    def _card(self) -> Card:
        """The rich display (:class:`supportsim.report._display.CardDisplay`)."""
        rows = [[name, f"{mean:.4g}", str(count), fate] for name, mean, count, fate
                in self._rows()]
        facts = [("best", self.best),
                 ("metric", f"{self.metric} ({'higher' if self.higher_is_better else 'lower'}"
                            " is better)"),
                 ("guarantee", self.guarantee),
                 ("replications", f"{self.total_replications} in all, first stage "
                                  f"{self.first_stage} per strategy"
                                  + ("" if self.seed is None else f", seed {self.seed}"))]
        table = Table(["strategy", "mean (own replications)", "replications", "fate"], rows,
                      "Strategies, the contenders first",
                      frozenset({"mean (own replications)", "replications"}),
                      ["" if self.decided else "missed" if name in self.contenders else ""
                       for name, *_ in self._rows()])
        notes = [] if self.decided else [
            "The replications ran out with several strategies in contention: none of them "
            "was eliminated, and there is no guarantee."]
        if self.tied:
            notes.append("Tied: the same results as another strategy (the same desk "
                         "written twice); not worse, only not kept twice.")
        if self.eliminated:
            notes.append("Eliminated: behind another contender by more than KN's margin, "
                         "which narrows as replications accrue. The guarantee is about the "
                         "selected strategy; an eliminated one may still be within "
                         f"{self.indifference:g} of the best.")
        return Card("Selection", self.metric, facts, [table], notes)

    def __repr__(self) -> str:
        lines = [f"Selection on {self.metric} ({'higher' if self.higher_is_better else 'lower'}"
                 f" is better): best = {self.best!r}", f"  {self.guarantee}"]
        rows = self._rows()
        width = max(len(row[0]) for row in rows)
        for name, mean, count, fate in rows:
            lines.append(f"  {name:<{width}}  mean {mean:.4g}  ({count} replications)  {fate}")
        lines.append(f"  {self.total_replications} replications in all")
        return "\n".join(lines)


def select_best(candidates: Any, metric: str, *, indifference: float,
                confidence: float = 0.95, first_stage: int = 10,
                max_replications: int | None = None, seed: int | None = None,
                better: Literal["higher", "lower"] | None = None,
                by: str | Sequence[str] | None = None) -> Selection | SelectionSet:
    """The best strategy on `metric`, by Kim & Nelson's fully sequential procedure KN.

    Kim, S.-H. and Nelson, B. L. (2001), "A fully sequential procedure for
    indifference-zone selection in simulation", ACM TOMACS 11(3), 251-273 (the procedure
    in :mod:`supportsim.sequential._kn`). Every strategy runs `first_stage` replications;
    then, one replication at a time, a strategy is eliminated once its mean trails another
    contender's by more than a margin that shrinks as replications accrue, and only the
    strategies still in contention are simulated further. Replication ``r`` of every
    strategy sees the same tickets (common random numbers), which KN allows and which
    makes it stop sooner.

    Parameters
    ----------
    candidates
        What to choose from:

        - a mapping of name to :class:`~supportsim.Scenario`, or a list of scenarios
          (named by their ``name``): simulated as needed;
        - a sweep file (path) or a :class:`~supportsim.SweepResult`: its variants,
          simulated as needed from the sweep's seed (a sweep's own replications are
          those same replications, so they are not re-read but re-simulated as needed);
        - a mapping or list of :class:`~supportsim.Plan` (from :func:`supportsim.plan`):
          their ``.scenario`` (the input with the plan applied), simulated as needed: to
          choose between the cheapest plans of two structures with ``metric="cost"``;
        - a mapping or list of finished :class:`~supportsim.SimulationResult`: KN runs on
          their replications (paired by replication number) and cannot add any; when
          they run out with several strategies in contention the selection says it is
          undecided and warns (:class:`SelectionWarning`). Pass scenarios for a guarantee.
    metric : str
        ``"P1.response"``, ``"wait"``, ``"abandoned"`` or any ``res.summary()`` metric
        (:mod:`supportsim.analysis._metric_names`).
    indifference : float
        The smallest difference worth detecting, in the metric's unit (0.01: one point of
        attainment; hours for times). Smaller costs more replications.
    confidence : float, default 0.95
    first_stage : int, default 10
        Replications of every strategy before any is eliminated (n0 >= 2).
    max_replications : int, optional
        Cap per strategy when simulating (default 1000).
    seed : int, optional
        Root seed when simulating; default the sweep's or the first scenario's seed, and
        for plans one more than the largest seed any of them was searched or verified on
        (``plan.trace["seed"]``): KN then chooses on replications the plans never saw,
        not on those the search tuned them to (which would flatter them).
    better : {"higher", "lower"}, optional
        Needed for metrics with no better direction (utilisation, head counts).
    by : str or list of str, optional
        A sweep's factors that are conditions (what the desk faces, not a choice): KN
        selects within each combination of their values, never across (the variant
        with the least demand is not the best strategy). Default: the factors under
        ``demand.``, ``initial.``, and ``horizon``, ``warmup``, ``start``, ``start_zone``
        (:mod:`supportsim.sweeps._conditions`); ``()``: one selection over all variants.
        Only for a sweep (file, :class:`~supportsim.sweeps.SweepFile` or result).

    Returns
    -------
    Selection or SelectionSet
        A :class:`SelectionSet` (condition -> Selection, each with its own guarantee)
        when the sweep has conditions; else one :class:`Selection`.

    Raises
    ------
    ValueError
        Fewer than 2 candidates (in some condition), mixed kinds, an unknown metric, a
        non-positive indifference, a scenario with ``warmup = "auto"`` (give an explicit
        warm-up, so each replication is scored on its own as it arrives), `by` naming a
        key that is not a factor of the sweep or given with candidates that are not one.

    Notes
    -----
    Trust it when each strategy's replication values are roughly normal (means over
    hundreds of tickets are) and the indifference zone is a difference that matters to
    the decision. The guarantee is about the mean over replications of the scenario as
    modelled, not about the desk itself.
    """
    names, items = _candidates(candidates)
    if seed is None:
        seed = _fresh_for_plans(items)
    items = [_scenario_of_plan(item) for item in items]
    grouped = condition_groups(candidates, by)
    if grouped is not None and grouped[0]:
        # One root seed for every condition: replication r sees the same tickets' draws.
        return select_within(names, items, *grouped, metric,
                             seed=_seed(seed, candidates, items),
                             options={"indifference": indifference, "confidence": confidence,
                                      "first_stage": first_stage,
                                      "max_replications": max_replications, "better": better})
    if len(items) < 2:
        raise ValueError(f"select_best needs at least 2 candidates, got {len(items)}")
    if not isinstance(indifference, (int, float)) or isinstance(indifference, bool) \
            or not indifference > 0 or not np.isfinite(indifference):
        raise ValueError(f"indifference must be a positive number in the metric's unit, "
                         f"got {indifference!r}")
    finished = all(isinstance(item, SimulationResult) for item in items)
    if not finished and not all(isinstance(item, Scenario) for item in items):
        raise ValueError("candidates must be all scenarios or all simulation results (a "
                         "plan counts as its scenario)")
    scenarios = [item.scenario if finished else item for item in items]
    spec = resolve_metric(metric, scenarios[0], better=better)
    if spec.higher_is_better is None:
        raise ValueError(f"metric {metric!r} has no better direction: say "
                         "better='higher' or better='lower'")
    if finished:
        draw, stage = _from_results(items, spec)
        if stage < first_stage:
            raise ValueError(f"the results share {stage} replications, fewer than the "
                             f"first stage ({first_stage}): lower first_stage or pass "
                             "scenarios")
    else:
        for name, scenario in zip(names, scenarios, strict=True):
            if scenario.auto_warmup:
                raise ValueError(f"{name}: warmup = 'auto' is found after all replications, "
                                 "and KN scores each replication as it arrives: give an "
                                 "explicit warmup (ss.analysis.warmup on a pilot finds one)")
        root = _seed(seed, candidates, scenarios)
        draw = _from_scenarios(scenarios, spec, root)
        stage = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
    outcome = kn_select(draw, len(items), indifference=float(indifference),
                        confidence=confidence, first_stage=first_stage, max_stage=stage,
                        higher_is_better=bool(spec.higher_is_better))
    means = {names[i]: float(outcome.means[i]) for i in range(len(names))}
    contenders = [names[i] for i in outcome.survivors]
    if outcome.decided:
        guarantee = (f"with probability ≥ {confidence * 100:g} %, the selected strategy is "
                     f"within {_amount(indifference, spec)} of the best on {spec.name}")
    else:
        why = ("the results given hold no more replications" if finished
               else f"max_replications={stage} was reached")
        guarantee = (f"no guarantee: {len(contenders)} strategies still in contention after "
                     f"{max(outcome.observations)} replications ({why}); the best mean "
                     "among them is shown" + ("; pass scenarios so more can be simulated"
                                              if finished else ""))
        warnings.warn(f"select_best: {guarantee}", SelectionWarning, stacklevel=2)
    return Selection(best=names[outcome.best],
                     eliminated={names[i]: r for i, r in outcome.eliminated.items()},
                     replications={names[i]: outcome.observations[i]
                                   for i in range(len(names))},
                     means=means, guarantee=guarantee, decided=outcome.decided,
                     contenders=contenders, metric=spec.name,
                     indifference=float(indifference), confidence=confidence,
                     higher_is_better=bool(spec.higher_is_better), first_stage=first_stage,
                     tied={names[i]: names[j] for i, j in outcome.tied.items()},
                     seed=None if finished else root)


def _amount(delta: float, spec: Metric) -> str:
    if spec.unit == "share":
        points = delta * 100
        return f"{points:g} point{'' if points == 1 else 's'}"
    return f"{delta:g} {spec.unit}".strip()


def _candidates(candidates: Any) -> tuple[list[str], list[Any]]:
    """Names and scenarios (or results) of what `select_best` was given."""
    from supportsim.sweeps import SweepFile, SweepResult, load_sweep

    if isinstance(candidates, (str, os.PathLike, SweepFile)):
        sweep_file = (candidates if isinstance(candidates, SweepFile)
                      else load_sweep(Path(candidates)))
        from supportsim.sweeps._grid import build_variants

        variants = build_variants(sweep_file.factors, sweep_file.strategies,
                                  str(sweep_file.path))
        return ([v.name for v in variants],
                [sweep_file.base.with_overrides(v.overrides) if v.overrides
                 else sweep_file.base for v in variants])
    if isinstance(candidates, SweepResult):
        rows = candidates.variants
        return ([str(n) for n in rows["variant"]],
                [candidates.scenario.with_overrides(o) if o else candidates.scenario
                 for o in rows["overrides"]])
    if isinstance(candidates, Mapping):
        return [str(k) for k in candidates], list(candidates.values())
    if isinstance(candidates, Sequence):
        items = list(candidates)
        names = [str(item.scenario.name if isinstance(item, SimulationResult | _plan_type())
                     else getattr(item, "name", i)) for i, item in enumerate(items)]
        if len(set(names)) != len(names):
            names = [f"{name} #{i}" for i, name in enumerate(names)]
        return names, items
    raise ValueError("candidates must be scenarios or results (a mapping or a list), a sweep "
                     f"file or a SweepResult, got {type(candidates).__name__}")


def _fresh_for_plans(items: list[Any]) -> int | None:
    """For plans, a root seed none of them was searched or verified on (their trace's
    largest seed + 1); None for other candidates."""
    plans = [item for item in items if isinstance(item, _plan_type())]
    seeds = [int(s) for plan in plans for s in plan.trace.get("seed", [])]
    return max(seeds) + 1 if seeds else None


def _plan_type() -> type[Plan]:
    from supportsim.planning import Plan

    return Plan


def _scenario_of_plan(item: Any) -> Any:
    """A plan stands for its scenario (the input with the plan applied)."""
    return item.scenario if isinstance(item, _plan_type()) else item


def _seed(seed: int | None, candidates: Any, scenarios: list[Scenario]) -> int:
    from supportsim.simulation import resolve_seed
    from supportsim.sweeps import SweepFile, SweepResult, load_sweep

    if seed is None and isinstance(candidates, (SweepResult, SweepFile)):
        seed = candidates.seed
    elif seed is None and isinstance(candidates, (str, os.PathLike)):
        seed = load_sweep(Path(candidates)).seed
    return resolve_seed(scenarios[0], seed)


def _from_scenarios(scenarios: list[Scenario], spec: Metric, seed: int) -> Any:
    from supportsim.simulation import simulate_replications

    def draw(systems: Sequence[int], r: int) -> np.ndarray:
        out = []
        for i in systems:
            res = simulate_replications(scenarios[i], [r], seed, tickets="drop")
            out.append(float(metric_series(res, spec).iloc[0]))
        return np.array(out)

    return draw


def _from_results(results: list[SimulationResult], spec: Metric) -> tuple[Any, int]:
    series = [metric_series(res, spec) for res in results]
    common = series[0].index
    for s in series[1:]:
        common = common.intersection(s.index)
    table = np.array([s.reindex(common).to_numpy() for s in series]).T  # rep x system

    def draw(systems: Sequence[int], r: int) -> np.ndarray:
        return table[r, list(systems)]

    return draw, len(common)
