"""The paired comparison's table, displayed in a notebook as a card.

:func:`supportsim.compare` and :meth:`supportsim.SweepResult.compare` return a
:class:`Comparison`: a pandas DataFrame (the documented layout, unchanged) whose
``_repr_html_`` is a compact card (:mod:`supportsim.report._display`) saying, per
priority and metric, which variant is better with the interval on the difference. Its
text ``repr`` is pandas'. Everything derived from it (a slice, ``.loc``, ``.query``,
arithmetic, ``copy``) is a plain DataFrame, so code downstream sees no new type.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supportsim._comparison_cells import METRIC_NAMES, difference, is_cost, level

__all__ = ["Comparison", "comparison_card"]

#: Rows shown in the card; the frame keeps every row.
MAX_ROWS = 40

class Comparison(pd.DataFrame):
    """A comparison table (a DataFrame) with a rich notebook display.

    Derived frames are plain DataFrames: ``_constructor`` (pandas < 2.1) and
    ``_constructor_from_mgr`` (pandas >= 2.1, which builds results from a block manager)
    both return :class:`pandas.DataFrame`. It pickles as itself (the class is importable).
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _constructor_from_mgr(self, mgr: Any, axes: Any) -> pd.DataFrame:
        return pd.DataFrame._from_mgr(mgr, axes=axes)

    def _repr_html_(self) -> str | None:
        from supportsim.report._display import render_card

        return render_card(comparison_card(pd.DataFrame(self)))


def _known(metric: str) -> bool:
    """A metric of :func:`supportsim.compare` (shares, times, costs), whose cells the CLI
    and the report write (:mod:`supportsim._comparison_cells`); other numeric columns of a
    sweep's table read in three significant digits."""
    return metric.endswith(("attainment", "_time")) or is_cost(metric)


def _label(metric: str) -> str:
    # The card lists costs in a table of their own, so "cost: " would repeat its caption.
    return METRIC_NAMES.get(metric, metric.replace("_", " ")).removeprefix("cost: ")


def _level(row: Any, value: float) -> str:
    if _known(row.metric):
        return level(value, row.metric)
    return "-" if math.isnan(value) else f"{value:.3g}"


def _difference(row: Any) -> str:
    if _known(row.metric):
        return difference(row)
    if math.isnan(row.difference):
        return "n/a"
    interval = "" if math.isnan(row.low) or math.isnan(row.high) else \
        f" [{row.low:+.3g}, {row.high:+.3g}]"
    return f"{row.difference:+.3g}{interval}"


def comparison_card(frame: pd.DataFrame) -> Any:
    """The :class:`~supportsim.report._display.Card` of a comparison frame: one pair of
    labels in the title (``b − a``), or a variant and baseline column per row (a sweep's
    comparison of several variants)."""
    from supportsim.report._display import Card, Table

    if frame.empty:
        return Card(kind="Comparison", title="no pairs to compare",
                    notes=["The comparison is empty: no variant has a baseline partner."])
    pairs = list(dict.fromkeys(zip(frame["variant"].astype(str),
                                   frame["baseline"].astype(str), strict=True)))
    one = len(pairs) == 1
    variant, baseline = pairs[0] if one else ("variant", "baseline")
    title = f"{variant} − {baseline} on common random numbers"
    shown = frame.head(MAX_ROWS)
    costs = (shown["priority"].astype(str) == "all") & shown["metric"].astype(str) \
        .str.startswith("cost_")
    values = [baseline, variant] if one else ["baseline value", "variant value"]
    tables = []
    for part, caption in ((shown[~costs], "Per priority"),
                          (shown[costs], "Costs over the horizon, mean per replication "
                                         "(the scenarios' [costs] currency)")):
        if part.empty:
            continue
        rows: list[list[str]] = []
        for r in part.itertuples(index=False):
            cells = [] if one else [str(r.variant), str(r.baseline)]
            if caption == "Per priority":
                cells.append(str(r.priority))
            cells += [_label(str(r.metric)), _level(r, float(r.baseline_value)),
                      _level(r, float(r.value)), _difference(r), str(r.better) or "neither"]
            rows.append(cells)
        columns = [*([] if one else ["variant", "baseline"]),
                   *(["priority"] if caption == "Per priority" else []),
                   "metric" if caption == "Per priority" else "cost", *values,
                   "difference [CI]", "better"]
        tables.append(Table(columns, rows, caption if costs.any() else "",
                            numeric=frozenset([*values, "difference [CI]"])))
    replications = sorted({int(n) for n in frame["replications"].dropna()})
    facts = [("variant", variant), ("baseline", baseline)] if one else [
        ("pairs", f"{len(pairs)} variant–baseline pairs")]
    wins = frame["better"].astype(str)
    ahead = int((wins == frame["variant"].astype(str)).sum())
    behind = int((wins == frame["baseline"].astype(str)).sum())
    first, second = (variant, baseline) if one else ("the variant", "the baseline")
    facts += [("replications", ", ".join(map(str, replications)) or "-"),
              ("verdict", f"{first} better on {ahead}, {second} better on {behind}, no "
                          f"clear difference on {len(frame) - ahead - behind} of "
                          f"{len(frame)} (priority x metric)")]
    notes = ["better: the variant whose side of zero the interval lies on, per the metric's "
             "direction (higher attainment, shorter times, lower cost); neither where the "
             "interval spans 0."]
    if len(frame) > MAX_ROWS:
        notes.append(f"The first {MAX_ROWS} of {len(frame)} rows; the DataFrame has all.")
    return Card(kind="Comparison", title=title, facts=facts, tables=tables, notes=notes)
