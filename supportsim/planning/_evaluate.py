"""Evaluating candidate plans: replications on an executor, cached per point and seed.

A point is a tuple of decision values. Its replications run as separate tasks on the
sweep executors (:func:`supportsim.sweeps._executors.open_executor`: in this process, a
process pool, or Dask), and the result of every (point, seed) pair is kept, so the
search never simulates a point twice on the same seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supportsim.planning._targets import Decision, Target
from supportsim.scenario import Scenario
from supportsim.sweeps._executors import Backend

__all__ = ["Evaluation", "Evaluator", "replication_cost"]

Point = tuple[Any, ...]


def replication_cost(result: Any) -> float:
    """What one simulated replication cost: the one place the plan reads money.

    With a ``[costs]`` section, the ``total`` of ``res.costs()`` (staff, overtime,
    reserve, hiring and SLA penalties, docs/results.md). Without one, the paid agent-hours
    (on duty, every tier): the plan then minimises hours of staff.
    """
    if getattr(result.scenario, "costs", None) is not None and hasattr(result, "costs"):
        return float(result.costs()["total"].sum())
    return float(result.staff["on_duty_time"].sum())


def _replication_task(spec: tuple[Scenario, int, int]) -> tuple[pd.DataFrame, float]:
    """One replication of one candidate (module level, so process pools can pickle it)."""
    from supportsim.simulation import simulate_replications

    scenario, replication, seed = spec
    result = simulate_replications(scenario, [replication], seed, tickets="drop")
    return result.attainment(), replication_cost(result)


@dataclass
class Evaluation:
    """A point simulated on one seed: its SLA table, cost and standing against the targets."""

    point: Point
    seed: int
    scenario: Scenario
    sla: pd.DataFrame
    costs: np.ndarray  # per replication
    lows: dict[str, float]  # lower confidence bound per target key
    means: dict[str, float]
    feasible: bool
    shortfall: float  # sum over targets of how far the lower bound is below the target

    levels: dict[str, float] = field(default_factory=dict)  # target level per key

    @property
    def cost(self) -> float:
        return float(np.mean(self.costs))

    def missing(self, key: str) -> bool:
        """Whether the target `key` is not met here."""
        return self.lows[key] < self.levels[key]


class Evaluator:
    """Simulates points of the decision space on demand, never the same one twice."""

    def __init__(self, base: Scenario, decisions: Sequence[Decision], targets: Sequence[Target],
                 replications: int, confidence: float, backend: Backend,
                 bar: Any = None) -> None:
        self.base = base
        self.decisions = list(decisions)
        self.targets = list(targets)
        self.replications = replications
        self.confidence = confidence
        self.backend = backend
        self.cache: dict[tuple[Point, int], Evaluation] = {}
        self.simulated = 0  # replications actually run
        self.bar = bar  # moved once per point simulated (supportsim._progress), if any

    def scenario(self, point: Point) -> Scenario:
        return self.base.with_overrides({d.key: v for d, v in zip(self.decisions, point,
                                                                   strict=True)})

    def evaluate(self, points: Sequence[Point], seed: int) -> list[Evaluation]:
        """Evaluations of `points` on `seed`, simulating (all at once) those not cached."""
        todo = list(dict.fromkeys(p for p in points if (p, seed) not in self.cache))
        scenarios = {p: self.scenario(p) for p in todo}
        futures = {(p, r): self.backend.executor.submit(_replication_task,
                                                        (scenarios[p], r, seed))
                   for p in todo for r in range(self.replications)}
        for p in todo:
            parts = [futures[(p, r)].result() for r in range(self.replications)]
            self.simulated += len(parts)
            attainment = pd.concat([part[0] for part in parts], ignore_index=True)
            costs = np.array([part[1] for part in parts])
            self.cache[(p, seed)] = self._judge(p, seed, scenarios[p], attainment, costs)
            if self.bar is not None:
                self.bar.set_postfix_str(f"{self.simulated} replications", refresh=False)
                self.bar.update(1)
        return [self.cache[(p, seed)] for p in points]

    def _judge(self, point: Point, seed: int, scenario: Scenario, attainment: pd.DataFrame,
               costs: np.ndarray) -> Evaluation:
        from supportsim.analysis import sla_table

        table = sla_table(attainment, scenario, confidence=self.confidence)
        rows = table.set_index(table["priority"].astype(str))
        lows, means = {}, {}
        for target in self.targets:
            low = float(rows.loc[target.priority, f"{target.kind}_attainment_low"])
            mean = float(rows.loc[target.priority, f"{target.kind}_attainment"])
            # Nothing scored (NaN) cannot show a target met.
            lows[target.key] = 0.0 if math.isnan(low) else low
            means[target.key] = 0.0 if math.isnan(mean) else mean
        gaps = [max(0.0, t.level - lows[t.key]) for t in self.targets]
        return Evaluation(point=point, seed=seed, scenario=scenario, sla=table, costs=costs,
                          lows=lows, means=means, feasible=not any(gaps),
                          shortfall=float(sum(gaps)),
                          levels={t.key: t.level for t in self.targets})
