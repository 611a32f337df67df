"""Assembling a sweep's tables from task results that arrive in any order.

Rows are collected as they arrive and compacted in blocks, so the parent holds little
more than the table itself however many tasks a sweep has; the final order (grid order,
then replication, then priority rank) never depends on arrival order or executor.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from supportsim.scenario import Scenario
from supportsim.sweeps._grid import Variant, value_label
from supportsim.sweeps._summary import COST_PREFIX, METRICS, TIER_PREFIXES

__all__ = ["SummaryRows", "failures_frame", "tickets_frame", "variants_frame"]

_BLOCK = 64  # task frames per compaction: bounds the parent's peak, amortises concat
_CODE = "_variant"


class SummaryRows:
    """The summary rows of finished tasks, keyed by (variant id, replication)."""

    def __init__(self, variants: list[Variant], factors: dict[str, list[Any]]) -> None:
        self._variants = variants
        self._factors = factors
        self._code = {v.id: i for i, v in enumerate(variants)}
        self._pending: list[pd.DataFrame] = []
        self._blocks: list[pd.DataFrame] = []
        self._keys: set[tuple[str, int]] = set()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, variant_id: str, replication: int, frame: pd.DataFrame) -> None:
        """Keep one task's rows (a task already kept is ignored: no duplicates)."""
        if (variant_id, replication) in self._keys:
            return
        self._keys.add((variant_id, replication))
        self._pending.append(frame.assign(**{_CODE: self._code[variant_id]}))
        if len(self._pending) >= _BLOCK:
            self._compact()

    def _compact(self) -> None:
        if self._pending:
            self._blocks.append(pd.concat(self._pending, ignore_index=True))
            self._pending = []

    def table(self, base: Scenario) -> pd.DataFrame:
        """The tidy table (columns in docs/sweeps.md), in grid order."""
        self._compact()
        util = sorted({c for b in self._blocks for c in b.columns
                       if c.startswith(TIER_PREFIXES)},
                      key=lambda c: (TIER_PREFIXES.index(c[:c.index("_") + 1]), c))
        # Cost columns in the order a task gives them (per tier, then the parts and total).
        costs = list(dict.fromkeys(c for b in self._blocks for c in b.columns
                                   if c.startswith(COST_PREFIX)))
        columns = ["replication", "priority", *METRICS, *util, *costs]
        if self._blocks:
            body = pd.concat(self._blocks, ignore_index=True)
            # Stable: rows of one task keep their priority order.
            body = body.sort_values([_CODE, "replication"], kind="stable",
                                    ignore_index=True)
        else:
            body = pd.DataFrame({c: [] for c in [_CODE, *columns]})
        codes = body[_CODE].to_numpy(dtype=int)
        variants = self._variants
        head = pd.DataFrame({
            "variant": pd.Categorical.from_codes(codes, categories=[v.name for v in variants]),
            "strategy": pd.Categorical([variants[c].strategy for c in codes],
                                       categories=list(dict.fromkeys(v.strategy
                                                                     for v in variants))),
        })
        for key, column in _factor_columns(variants, self._factors).items():
            head[key] = column.take(codes).reset_index(drop=True)
        body = body.reindex(columns=columns)
        seen = [str(p) for p in body["priority"]]
        order = list(dict.fromkeys([*base.priority_names, *seen]))
        body["priority"] = pd.Categorical(seen, categories=order)
        body["replication"] = body["replication"].astype("int64")
        return pd.concat([head, body], axis=1)


def _factor_columns(variants: list[Variant], factors: dict[str, list[Any]]
                    ) -> dict[str, pd.Series]:
    """Per factor, its value for each variant; the dtype is set by all the factor's values.

    Values of one kind (numbers, strings or booleans) keep their type; mixed kinds and
    tables become text, so every column has one type and writes to parquet.
    """
    columns = {}
    for position, (key, values) in enumerate(factors.items()):
        kinds = {"bool" if isinstance(v, bool) else "number" if isinstance(v, int | float)
                 else "str" if isinstance(v, str) else "other" for v in values}
        plain = (values if len(kinds) == 1 and "other" not in kinds
                 else [value_label(v) for v in values])
        labels = [value_label(v) for v in values]
        codes = [labels.index(value_label(v.values[position])) for v in variants]
        columns[key] = pd.Series(plain).take(codes).reset_index(drop=True)
    return columns


def variants_frame(variants: list[Variant], factors: dict[str, list[Any]]) -> pd.DataFrame:
    """One row per variant: name, id, strategy, factor values and overrides."""
    frame = pd.DataFrame({
        "variant": [v.name for v in variants],
        "variant_id": [v.id for v in variants],
        "strategy": [v.strategy for v in variants],
    })
    for key, column in _factor_columns(variants, factors).items():
        frame[key] = column
    frame["overrides"] = [v.overrides for v in variants]
    return frame


def failures_frame(rows: list[dict[str, Any]], variants: list[Variant]) -> pd.DataFrame:
    """Failed tasks in grid order: variant, replication, error, message."""
    order = {v.id: i for i, v in enumerate(variants)}
    rows = sorted(rows, key=lambda r: (order[r["variant_id"]], r["replication"]))
    columns = ["variant", "replication", "error", "message"]
    return pd.DataFrame([{c: r[c] for c in columns} for r in rows], columns=columns)


def tickets_frame(variants: list[Variant], count: int,
                  tickets: dict[tuple[str, int], pd.DataFrame]) -> pd.DataFrame:
    """Every kept ticket table in grid order, with a ``variant`` column first."""
    parts = [tickets[(v.id, r)].assign(variant=v.name) for v in variants for r in range(count)
             if (v.id, r) in tickets]
    if not parts:
        return pd.DataFrame()
    frame = pd.concat(parts, ignore_index=True)
    frame["variant"] = pd.Categorical(frame["variant"], categories=[v.name for v in variants])
    return frame[["variant", *[c for c in frame.columns if c != "variant"]]]
