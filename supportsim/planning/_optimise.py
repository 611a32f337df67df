"""The staffing optimiser: :func:`plan`, simulation in the loop.

Method (after Atlason, Epelman and Henderson, "Call center staffing with simulation and
cutting plane methods", Annals of OR 127, 2004, and Cezik and L'Ecuyer, "Staffing
multiskill call centers via linear programming and simulation", Management Science
54(2), 2008, both of which search staffings on common random numbers):

1. start from an analytic lower bound per tier (its offered load must fit the agents on
   duty; a tier that is exactly M/M/c with one priority gets the Erlang C staff of its
   response target, :func:`supportsim.analytic.required_staff`);
2. while a target is missed, add the unit of a decision (one agent, one grid step) with
   the largest gain in attainment per unit of cost, all candidates simulated together on
   the same seeds (when no single unit gains anything, every decision steps up at once);
3. once every target is met, try removing a unit, then swapping a unit between
   decisions, keeping only moves that stay feasible and cost less, until none does;
4. simulate the plan on fresh seeds and report that SLA table.

A target is met when the lower confidence bound of its attainment (``res.sla()``'s
``_low`` column) reaches it. Categorical decisions (such as ``team.structure``) are
searched one value at a time; the cheapest feasible result wins.

Guarantees, honestly: the result is feasible on the search seeds and a local optimum
there (no single removal or swap keeps it feasible for less); it is not proven the
global optimum of a non-convex problem, and the fresh seeds can disagree near a target
(then :class:`PlanWarning` says which target, and ``Plan.verified`` is False).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supportsim.planning._display import value_of
from supportsim.planning._evaluate import Evaluation, Evaluator, Point
from supportsim.planning._groups import rostered
from supportsim.planning._targets import (
    Decision,
    Target,
    check_inputs,
    default_decisions,
    targets_text,
)
from supportsim.report._display import Card, CardDisplay
from supportsim.scenario import Scenario

__all__ = ["Plan", "PlanError", "PlanWarning", "lower_bounds", "plan"]


class PlanError(ValueError):
    """No plan within the decision bounds meets the targets (the message says which)."""


class PlanWarning(UserWarning):
    """The plan found on the search seeds missed a target on the fresh seeds."""


@dataclass(repr=False)  # the short repr of CardDisplay, not the dataclass's
class Plan(CardDisplay):
    """What :func:`plan` returns.

    Attributes
    ----------
    values : dict
        The decisions' chosen values by dotted key.
    cost : float
        Mean cost per replication on the verification seeds: ``res.costs()``'s ``total``
        with a ``[costs]`` section, else paid agent-hours over the horizon.
    sla : DataFrame
        ``res.sla()`` of the plan on fresh seeds (not those it was searched on).
    trace : DataFrame
        Every evaluation: ``step``, ``phase`` (``bound``, ``start``, ``add``, ``remove``,
        ``swap``, ``verify``), one column per decision, ``cost``, ``feasible``,
        ``shortfall`` (summed over targets), ``chosen`` (the search moved there), ``seed``,
        and the lower bound of each target (``low_P1.response`` ...).
    scenario : Scenario
        The input with the plan applied (``plan.scenario.to_toml("plan.toml")``).
    verified : bool
        Every target met on the fresh seeds too.
    replications : int
        Replications simulated in all (search and verification).
    targets : list of Target
    costs : ndarray
        Cost of each verification replication (``cost`` is their mean).
    baseline : dict
        The decisions' values in the input scenario (None where it does not write one).
    confidence : float
        Of the intervals the targets were judged on.
    baseline_shifts : dict
        For a decision that is the staff of a tier or agent group on shifts, the
        shifts' staff in the input scenario (shown as ``7 (4+3)``).

    In a notebook a plan shows as a card (values against the scenario's, cost with its
    interval, the targets met or missed on fresh seeds); ``repr`` is one line.
    """

    values: dict[str, Any]
    cost: float
    sla: pd.DataFrame
    trace: pd.DataFrame = field(repr=False)
    scenario: Scenario = field(repr=False)
    verified: bool
    replications: int
    targets: list[Target] = field(repr=False)
    costs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    baseline: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.95
    baseline_shifts: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def _short(self) -> tuple[str, str, list[str]]:
        from supportsim.planning._display import plan_short

        return plan_short(self)

    def _card(self) -> Card:
        from supportsim.planning._display import plan_card

        return plan_card(self)

    def attainment(self) -> pd.DataFrame:
        """Per target: ``target`` (``P1.response``), ``level``, ``attainment``, ``low`` and
        ``high`` on the verification seeds, and ``met`` (low >= level)."""
        rows = self.sla.set_index(self.sla["priority"].astype(str))
        out = []
        for t in self.targets:
            low = float(rows.loc[t.priority, f"{t.kind}_attainment_low"])
            out.append({"target": t.key, "level": t.level,
                        "attainment": float(rows.loc[t.priority, f"{t.kind}_attainment"]),
                        "low": low,
                        "high": float(rows.loc[t.priority, f"{t.kind}_attainment_high"]),
                        "met": bool(low >= t.level)})
        return pd.DataFrame(out)


def plan(
    scenario: Scenario,
    targets: Mapping[str, Any],
    *,
    decisions: Mapping[str, Any] | None = None,
    replications: int | None = None,
    confidence: float = 0.95,
    executor: Any = None,
    seed: int | None = None,
    progress: bool | None = None,
) -> Plan:
    """The cheapest values of the decisions whose SLA attainment meets every target.

    Parameters
    ----------
    scenario : Scenario
    targets : mapping
        ``{"P1": {"response": 0.95, "resolution": 0.9}, ...}`` or ``{"P1.response": 0.95}``:
        attainment shares in (0, 1), met when the lower confidence bound reaches them.
    decisions : mapping, optional
        Dotted scenario keys to search: ``(low, high)`` for integers, ``(low, high,
        step)`` for a numeric grid (e.g. ``"workforce.reserve.fraction": (0, 0.3, 0.05)``,
        ``"team.tiers.l1.hours.0.staff": (0, 8)``), or a list of values for a categorical
        choice (``"team.structure": ["tiered", "swarming"]``). Default: every tier's
        staff, from its analytic lower bound to at least twice today's head count; for a
        tier split into agent groups, each group's staff instead
        (``team.tiers.l1.groups.NAME.staff``; a group on shifts keeps their proportions).
    replications : int, optional
        Per evaluation (>= 2); default the scenario's.
    confidence : float, default 0.95
        Of the intervals whose lower bounds must clear the targets.
    executor : None, int, Executor or str
        Where replications run, as for :func:`supportsim.sweep`: None all local cores,
        1 this process, n processes, an Executor, or ``"dask://host:port"``.
    seed : int, optional
        Root of the search seeds (default the scenario's); the verification uses
        ``seed + 1``, streams independent of the search's.
    progress : bool, optional
        A bar counting the points evaluated (each `replications` simulations; how many
        the search needs is not known ahead). None (default): shown on a terminal or in
        Jupyter once the search has taken a couple of seconds; True: always (plain lines
        where stderr is a log); False: never.

    Returns
    -------
    Plan

    Raises
    ------
    PlanError
        No point within the bounds meets the targets: names the target furthest from
        being met and the best attainment reached (at the upper end of every bound);
        where every mean there clears its target and only a lower bound misses, it
        advises more replications rather than wider bounds.
    ValueError
        A target or decision breaks its rule.

    Warns
    -----
    PlanWarning
        The plan misses a target on the fresh verification seeds.

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> p = ss.plan(sc, {"P1.response": 0.8}, replications=4, executor=1)  # doctest: +SKIP
    >>> p.values, p.cost  # doctest: +SKIP
    """
    from supportsim._progress import progress_bar
    from supportsim.simulation import resolve_seed
    from supportsim.sweeps._executors import open_executor

    goals, given, count = check_inputs(scenario, targets, decisions, replications,
                                       confidence)
    root = resolve_seed(scenario, seed)
    lower, starts = lower_bounds(scenario, goals)
    chosen = default_decisions(scenario, lower, starts) if given is None else given
    trace: list[dict[str, Any]] = []
    with open_executor(executor, count * max(len(chosen), 2)) as backend, \
            progress_bar(None, desc="plan", unit="point", progress=progress) as bar:
        evaluator = Evaluator(scenario, chosen, goals, count, float(confidence), backend,
                              bar)
        search = _Search(evaluator, trace, root)
        if given is None and any(t.groups is not None for t in scenario.team.tiers.values()):
            # Default decisions on agent groups: each group's bound is 0 or its own
            # skills', so the tier's (on the groups' sum) is kept by the search instead.
            from supportsim.planning._groups import keeps_up

            search.admissible = lambda point: keeps_up(evaluator.scenario(point))
        numeric = [i for i, d in enumerate(chosen) if not d.categorical]
        options = itertools.product(*[d.values if d.categorical else (None,) for d in chosen])
        found: list[Evaluation] = []
        tops: list[Evaluation] = []
        for option in options:
            start = tuple(_start(d, starts) if o is None else o
                          for d, o in zip(chosen, option, strict=True))
            top = tuple(d.high if o is None else o for d, o in zip(chosen, option, strict=True))
            best, top_eval = search.run(start, top, numeric)
            tops.append(top_eval)
            if best is not None:
                found.append(best)
        if not found:
            raise PlanError(_infeasible(min(tops, key=lambda e: e.shortfall), chosen, goals,
                                        count))
        best = min(found, key=lambda e: (e.cost, e.point))
        (check,) = search.evaluate([best.point], "verify", root + 1)
    table = pd.DataFrame(trace)
    if not check.feasible:
        missed = [t for t in goals if check.lows[t.key] < t.level]
        warnings.warn(PlanWarning(
            "plan: on fresh seeds the plan misses " + ", ".join(
                f"{t.key} (lower bound {check.lows[t.key]:.3f} < {t.level:g})" for t in missed)
            + "; raise replications, or search with targets a little above those needed"),
            stacklevel=2)
    return Plan(values={d.key: v for d, v in zip(chosen, best.point, strict=True)},
                cost=check.cost, sla=check.sla, trace=table, scenario=check.scenario,
                verified=check.feasible, replications=evaluator.simulated, targets=goals,
                costs=check.costs, baseline={d.key: value_of(scenario, d.key) for d in chosen},
                confidence=float(confidence),
                baseline_shifts={d.key: split for d in chosen
                                 if (split := rostered(scenario, d.key)) is not None})


def lower_bounds(scenario: Scenario, targets: list[Target]
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """Per tier, the agents below which it cannot keep up, and where the search starts.

    A tier with agent groups also has an entry per group, by the dotted key of its
    staff (:func:`supportsim.planning._groups.group_bounds`).

    The offered load (Erlangs, :func:`supportsim.capacity.tier_loads`) must stay below the
    mean agents on duty, so the head count must exceed load / (share of hours on duty):
    the lower bound. The search starts there, except on a tier that is exactly M/M/c (one
    priority, stationary Poisson demand, exponential work, around the clock): there it
    starts at the Erlang C staff of each response target on a 24x7 clock
    (:func:`supportsim.analytic.required_staff`), and the removal step checks by
    simulation that one agent fewer misses.
    """
    from supportsim import analytic
    from supportsim.capacity import tier_loads

    swarming = scenario.team.structure == "swarming"
    # A swarm pools the tiers, with overhead: each tier's work as if tiered is still
    # work its own agents must do, so the tiered loads bound the swarm's tiers too.
    tiered = scenario.with_overrides({"team.structure": "tiered"}) if swarming else scenario
    loads = tier_loads(tiered).set_index("tier")
    out: dict[str, int] = {}
    starts: dict[str, int] = {}
    for name, tier in scenario.team.tiers.items():
        row = loads.loc[name]
        share = float(row["on_duty"]) / tier.headcount if tier.headcount else 1.0
        load = float(row["offered_load"])
        bound = out[name] = math.floor(load / share) + 1 if load > 0 and share > 0 else 0
        if row["model"] == "M/M/c" and len(scenario.priorities) == 1 and not swarming:
            for t in targets:
                priority = scenario.priorities[t.priority]
                if t.kind == "response" and priority.clock == "24x7":
                    bound = max(bound, int(analytic.required_staff(
                        float(row["arrival_rate"]), 1.0 / float(row["work_time"]), t.level,
                        priority.response)))
        starts[name] = bound
    if any(tier.groups is not None for tier in scenario.team.tiers.values()):
        from supportsim.planning._groups import group_bounds

        groups, group_starts = group_bounds(scenario, tiered, out)
        out.update(groups)
        starts.update(group_starts)
    return out, starts


def _start(decision: Decision, starts: Mapping[str, int]) -> Any:
    """Where a numeric decision starts: its tier's (or agent group's) analytic start if it
    is a tier's (a group's) staff."""
    parts = decision.key.split(".")
    if len(parts) == 4 and parts[:2] == ["team", "tiers"] and parts[3] == "staff":
        bound = starts.get(parts[2], decision.low)
    elif decision.key in starts:
        bound = starts[decision.key]
    else:
        return decision.low
    return next((v for v in decision.values if v >= bound), decision.high)


def _infeasible(top: Evaluation, decisions: list[Decision], targets: list[Target],
                replications: int) -> str:
    """Why no plan was found, at the point that came closest, and what would help.

    A target whose mean attainment misses its level there needs more of the decisions
    (or a lower target). One whose mean clears it while its lower confidence bound does
    not is missed for want of precision: more replications narrow the interval, wider
    bounds would only buy staff the mean says is not needed.
    """
    where = ", ".join(f"{d.key}={v}" for d, v in zip(decisions, top.point, strict=True))
    short = [t for t in targets if top.means[t.key] < t.level]
    worst = max(short or targets, key=lambda t: t.level - top.lows[t.key])
    text = (f"plan: no plan within the decision bounds meets {worst.key} >= "
            f"{worst.level:g}: the best reached is {top.means[worst.key]:.3f} (lower bound "
            f"{top.lows[worst.key]:.3f}) at {where}; ")
    if short:
        advice = "raise the bounds or lower the target"
    else:
        advice = (f"the mean clears the target there, its lower bound does not: with "
                  f"{replications} replications per point the interval is too wide; give "
                  f"more replications (-r, replications=) rather than wider bounds")
    return f"{text}{advice} (targets: {targets_text(targets)})"


class _Search:
    """Greedy add, then remove and swap, on one seed, recording every evaluation."""

    def __init__(self, evaluator: Evaluator, trace: list[dict[str, Any]], seed: int) -> None:
        self.ev = evaluator
        self.trace = trace
        self.seed = seed
        # Points the search may stand on (None: all); a start outside climbs in, and
        # removals and swaps never leave (the default decisions on agent groups).
        self.admissible: Callable[[Point], bool] | None = None

    def _allowed(self, points: list[Point]) -> list[Point]:
        return points if self.admissible is None else [p for p in points
                                                       if self.admissible(p)]

    def evaluate(self, points: list[Point], phase: str, seed: int | None = None
                 ) -> list[Evaluation]:
        seed = self.seed if seed is None else seed
        fresh = [p for p in dict.fromkeys(points) if (p, seed) not in self.ev.cache]
        result = self.ev.evaluate(points, seed)
        for e in (r for r in result if r.point in fresh):
            fresh.remove(e.point)
            row: dict[str, Any] = {"step": len(self.trace), "phase": phase}
            row.update({d.key: v for d, v in zip(self.ev.decisions, e.point, strict=True)})
            row.update({"cost": e.cost, "feasible": e.feasible, "shortfall": e.shortfall,
                        "chosen": False, "seed": seed})
            row.update({f"low_{k}": v for k, v in e.lows.items()})
            self.trace.append(row)
        return result

    def _mark(self, point: Point) -> None:
        for row in reversed(self.trace):
            if tuple(row[d.key] for d in self.ev.decisions) == point and row["seed"] == self.seed:
                row["chosen"] = True
                return

    def _step(self, point: Point, i: int, direction: int) -> Point | None:
        values = self.ev.decisions[i].values
        k = values.index(point[i]) + direction
        if not 0 <= k < len(values):
            return None
        return (*point[:i], values[k], *point[i + 1:])

    def run(self, start: Point, top: Point, numeric: list[int]
            ) -> tuple[Evaluation | None, Evaluation]:
        while self.admissible is not None and start != top and not self.admissible(start):
            for i in numeric:  # every decision up one unit, towards the top corner
                start = self._step(start, i, +1) or start
        current, top_eval = self.evaluate([start, top], "start")
        if not top_eval.feasible:
            return None, top_eval
        self._mark(start)
        while not current.feasible:  # add
            ups = [p for i in numeric if (p := self._step(current.point, i, +1)) is not None]
            if not ups:
                current = top_eval
                break
            before = current
            current = max(self.evaluate(ups, "add"), key=lambda e: _gain(before, e))
            if _gain(before, current)[:2] <= (0.0, 0.0) and len(numeric) > 1:
                # No single unit helps (the lower bounds are noisy or a target needs two
                # decisions to move together): step every decision up at once, so the
                # search heads for the top corner, which is feasible, rather than adding
                # units that only cost; the removals trim what was not needed.
                diagonal = before.point
                for i in numeric:
                    diagonal = self._step(diagonal, i, +1) or diagonal
                (current,) = self.evaluate([diagonal], "add")
            self._mark(current.point)
        while True:  # remove, then swap
            downs = self._allowed([p for i in numeric
                                   if (p := self._step(current.point, i, -1)) is not None])
            better = [e for e in self.evaluate(downs, "remove") if e.feasible]
            if not better:
                swaps = self._allowed([p for i in numeric for j in numeric if i != j
                                       if (q := self._step(current.point, i, -1)) is not None
                                       if (p := self._step(q, j, +1)) is not None])
                better = [e for e in self.evaluate(swaps, "swap")
                          if e.feasible and e.cost < current.cost]
            better = [e for e in better if e.cost <= current.cost]
            if not better:
                return current, top_eval
            current = min(better, key=lambda e: (e.cost, e.point))
            self._mark(current.point)


def _gain(before: Evaluation, after: Evaluation) -> tuple[float, float, float]:
    """How good a one-unit increase is, as a sort key (larger is better).

    First the shortfall of the lower bounds closed per unit of extra cost (a move closing
    some for no extra cost ranks first). Where no move closes any, the lower bounds are
    at the mercy of the spread across replications (a target with few tickets: more
    staff can raise the mean and still widen the interval), so the mean attainment
    gained on the targets still missed, per unit of extra cost, decides; then the
    cheaper move.
    """
    extra = after.cost - before.cost
    closed = max(before.shortfall - after.shortfall, 0.0)
    missed = [k for k in before.lows if before.missing(k)]
    gained = sum(after.means[k] - before.means[k] for k in missed)
    return (_per_cost(closed, extra), _per_cost(gained, extra), -extra)


def _per_cost(amount: float, extra: float) -> float:
    if amount <= 0:
        return amount  # no gain: rank by how little is lost
    return math.inf if extra <= 0 else amount / extra
