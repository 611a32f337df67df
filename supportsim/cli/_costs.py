"""The Costs block of ``supportsim run`` and the money cells of its comparisons.

Printed only when the scenario has a ``[costs]`` section: a block of zeros would read like
a free desk. pandas is imported inside the functions (``supportsim --help`` stays light).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from supportsim._comparison_cells import COST_NAMES, is_cost, money, money_difference
from supportsim.cli._common import _table

if TYPE_CHECKING:
    from supportsim.results import SimulationResult

__all__ = ["COST_NAMES", "costs_section", "is_cost", "money", "money_difference",
           "sweep_costs_section"]

#: Rows of the block: cost_table item -> label.
_ITEMS = {"staff": "staff (rostered hours on duty)", "overtime": "overtime",
          "reserve": "reserve (called in)", "hiring": "hiring (joiners)",
          "penalties": "SLA penalties", "total": "total",
          "per_resolved_ticket": "per resolved ticket"}


def costs_section(result: SimulationResult, window: object = None) -> str | None:
    """The Costs block, or None when the scenario has no ``[costs]``; under a scoring
    `window` it says that penalties still cover the whole run (``cost_table`` has no
    window)."""
    import pandas as pd

    from supportsim.scenario._schema import TIERS

    costs = result.scenario.costs
    if costs is None:
        return None
    table = result.cost_table().set_index("item")
    names = [TIERS[level - 1] for level in result.scenario.levels]
    tiers = []
    labels = dict(_ITEMS)
    for tier in names:
        tiers.append(f"staff_{tier}")
        labels[f"staff_{tier}"] = f"  {tier}"
        # A group with its own rate ([costs.tiers.lN.groups.NAME]): part of its tier's.
        for group in costs.tiers[tier].groups if tier in costs.tiers else ():
            tiers.append(f"staff_{tier}_{group}")
            labels[f"staff_{tier}_{group}"] = f"    of which {group} (own rate)"
    order = ["staff", *tiers, *(c for c in _ITEMS if c != "staff")]

    def cell(item: str) -> str:
        row = table.loc[item]
        digits = 2 if item == "per_resolved_ticket" else 0
        text = money(row["value"], digits)
        if not (math.isnan(row["low"]) or math.isnan(row["high"])):
            text += f" [{money(row['low'], digits)}, {money(row['high'], digits)}]"
        return text

    rows = pd.DataFrame({
        "item": [labels[i] for i in order],
        f"{costs.currency} per replication (95% CI)": [cell(i) for i in order],
        "share": ["" if math.isnan(table.loc[i, "share"]) else f"{table.loc[i, 'share']:.1%}"
                  for i in order],
    })
    weeks = result.scenario.horizon / 168.0
    missed = (f"  missed targets per replication: {table.loc['missed_response', 'value']:,.1f} "
              f"response, {table.loc['missed_resolution', 'value']:,.1f} resolution; "
              f"joiners {table.loc['joiners', 'value']:,.1f}")
    scored = ("penalties and missed targets on every ticket after the warm-up,\nthe whole "
              "run's, not only the window's" if window is not None
              else "penalties on the tickets the SLA table scores")
    return (f"Costs ({costs.currency} per replication; people paid over the whole horizon of "
            f"{weeks:g} weeks,\nwarm-up included; {scored})\n"
            f"{_table(rows)}\n{missed}")


def sweep_costs_section(result: Any, summary: Any, by: list[str] | None = None
                        ) -> str | None:
    """The Costs block of ``supportsim sweep``: per variant, the total with its interval,
    its main parts, and whether it is on the cost–resolution frontier (within its
    condition, `by` as :func:`supportsim.frontier`); None without ``[costs]``."""
    import pandas as pd

    from supportsim.pareto import frontier

    if "cost_total" not in summary.columns:
        return None
    currency = result.scenario.costs.currency if result.scenario.costs is not None else ""
    table = frontier(result, by=by)
    within = table.attrs["by"]
    front = table.set_index("variant")

    def total(row: Any) -> str:
        text = money(row.cost_total)
        if not (math.isnan(row.cost_total_low) or math.isnan(row.cost_total_high)):
            text += f" [{money(row.cost_total_low)}, {money(row.cost_total_high)}]"
        return text

    names = summary["variant"].astype(str)
    rows = pd.DataFrame({
        "variant": names,
        "total (95% CI)": [total(r) for r in summary.itertuples()],
        "staff": [money(v) for v in summary["cost_staff"]],
        "penalties": [money(v) for v in summary["cost_penalties"]],
        "per resolved ticket": [money(v, 2) for v in summary["cost_per_resolved_ticket"]],
        "frontier": ["yes" if not front.loc[n, "dominated"] else
                     f"no, dominated by {front.loc[n, 'dominated_by']}"
                     if n in front.index else "n/a" for n in names],
    })
    if within:
        rows.insert(1, "condition", [str(front.loc[n, "condition"]) if n in front.index
                                     else "" for n in names])
        # Variants under another demand are not alternatives (--by, ss.frontier).
        head = (f"Costs per variant ({currency} per replication; frontier: no other variant "
                f"under the same\ncondition ({', '.join(within)}) is as cheap and resolves as "
                "many tickets within target, one\nof them strictly; all priorities pooled, on "
                "the means; ss.frontier)\n")
    else:
        head = (f"Costs per variant ({currency} per replication; frontier: no other variant is "
                "as cheap and\nresolves as many tickets within target, one of them strictly; "
                "all priorities pooled,\non the means; ss.frontier)\n")
    return head + _table(rows)
