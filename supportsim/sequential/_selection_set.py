"""Selection within each condition of a sweep: :class:`SelectionSet`.

A sweep over ``demand.rate`` x staffing asks "which staffing is best *at each rate*"; KN
over all variants would answer "the lowest rate". So :func:`supportsim.select_best`
groups a sweep's variants by their condition values (:mod:`supportsim.sweeps._conditions`)
and runs KN within each group, on the same replications (common random numbers).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim.report._display import Card, CardDisplay, Table

if TYPE_CHECKING:
    from supportsim.sequential._select import Selection

__all__ = ["SelectionSet", "condition_groups", "select_within"]


@dataclass(frozen=True)
class SelectionSet(Mapping[str, "Selection"], CardDisplay):
    """What :func:`~supportsim.select_best` returns on a sweep with conditions: one
    :class:`~supportsim.sequential.Selection` per condition, each with its own guarantee.

    A read-only mapping: condition (e.g. ``"rate=16.0"``) -> Selection, in grid order.

    Attributes
    ----------
    selections : dict of str to Selection
    by : list of str
        The condition keys (factors of the sweep).
    """

    selections: dict[str, Selection]
    by: list[str]

    def __getitem__(self, condition: str) -> Selection:
        return self.selections[condition]

    def __iter__(self) -> Iterator[str]:
        return iter(self.selections)

    def __len__(self) -> int:
        return len(self.selections)

    @property
    def best(self) -> dict[str, str]:
        """Condition -> the strategy selected there."""
        return {c: s.best for c, s in self.selections.items()}

    @property
    def decided(self) -> bool:
        """Whether every condition's selection carries its guarantee."""
        return all(s.decided for s in self.selections.values())

    @property
    def total_replications(self) -> int:
        """Replications simulated over all conditions and strategies."""
        return sum(s.total_replications for s in self.selections.values())

    def _joint(self) -> str:
        first = next(iter(self.selections.values()))
        joint = max(0.0, 1 - len(self) * (1 - first.confidence))
        return (f"each guarantee holds within its condition; all {len(self)} at once with "
                f"probability ≥ {joint * 100:g} % (Bonferroni)")

    def _short(self) -> tuple[str, str, list[str]]:
        first = next(iter(self.selections.values()))
        return "SelectionSet", first.metric, [f"{c}: {s.best!r}"
                                              for c, s in self.selections.items()]

    def _card(self) -> Card:
        """The rich display (:class:`supportsim.report._display.CardDisplay`)."""
        first = next(iter(self.selections.values()))
        rows = [[c, s.best, "yes" if s.decided else "no", str(s.total_replications),
                 s.guarantee] for c, s in self.selections.items()]
        summary = Table(["condition", "best", "decided", "replications", "guarantee"], rows,
                        f"Best per condition ({', '.join(self.by)})",
                        frozenset({"replications"}),
                        ["" if s.decided else "missed" for s in self.selections.values()])
        tables = [summary]
        for condition, selection in self.selections.items():
            table = selection._card().tables[0]
            tables.append(Table(table.columns, table.rows, f"{condition}: {table.caption}",
                                table.numeric, table.row_class))
        facts = [("metric", f"{first.metric} ({'higher' if first.higher_is_better else 'lower'}"
                            " is better)"),
                 ("conditions", f"{len(self)} ({', '.join(self.by)}): variants are compared "
                                "only within a condition"),
                 ("guarantee", self._joint()),
                 ("replications", f"{self.total_replications} in all")]
        notes = [] if self.decided else [
            "In some condition the replications ran out with several strategies in "
            "contention: no guarantee there."]
        if any(s.tied for s in self.selections.values()):
            notes.append("Tied: the same results as another strategy of its condition "
                         "(the same desk written twice); not worse, only not kept twice.")
        return Card("SelectionSet", first.metric, facts, tables, notes)

    def __repr__(self) -> str:
        first = next(iter(self.selections.values()))
        lines = [f"Selection on {first.metric} within each condition ({', '.join(self.by)}): "
                 f"{len(self)} conditions, variants compared only within one",
                 f"  {self._joint()}"]
        for condition, selection in self.selections.items():
            lines += ["", f"[{condition}]", repr(selection)]
        return "\n".join(lines)


def condition_groups(candidates: Any, by: str | Sequence[str] | None
                     ) -> tuple[list[str], list[str]] | None:
    """A sweep's (file, SweepFile, SweepResult) condition keys, and per candidate its
    condition label; None for other candidates, which may not take `by`."""
    from supportsim.sweeps import SweepFile, SweepResult, load_sweep
    from supportsim.sweeps._conditions import condition_keys, condition_labels

    if isinstance(candidates, (str, os.PathLike, SweepFile)):
        from supportsim.sweeps._grid import build_variants

        spec = candidates if isinstance(candidates, SweepFile) else load_sweep(Path(candidates))
        factors = list(spec.factors)
        rows: list[Mapping[str, Any]] = [
            dict(zip(factors, v.values, strict=True))
            for v in build_variants(spec.factors, spec.strategies, str(spec.path))]
    elif isinstance(candidates, SweepResult):
        factors = list(candidates.factors)
        rows = candidates.variants[factors].to_dict("records")
    else:
        if by is not None and (isinstance(by, str) or len(by)):
            raise ValueError(f"by={by!r} names a sweep's factors; these candidates are not "
                             "a sweep (pass the variants of one condition)")
        return None
    keys = condition_keys(factors, by)
    return keys, condition_labels(factors, keys, rows)


def select_within(names: list[str], items: list[Any], by: list[str], labels: list[str],
                  metric: str, *, seed: int, options: dict[str, Any]) -> SelectionSet:
    """KN per condition label, on the one root `seed` (common random numbers)."""
    from supportsim.sequential._select import Selection, select_best

    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    for label, members in groups.items():
        if len(members) < 2:
            raise ValueError(f"under the condition {label!r} there is {len(members)} variant, "
                             "nothing to choose from: sweep a decision (staff, a strategy) "
                             "too, or pass by=() to compare across conditions")
    selections = {}
    for label, members in groups.items():
        selection = select_best({names[i]: items[i] for i in members}, metric, seed=seed,
                                **options)
        assert isinstance(selection, Selection)  # a mapping of scenarios: one selection
        selections[label] = selection
    return SelectionSet(selections=selections, by=by)
