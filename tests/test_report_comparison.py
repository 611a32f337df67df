"""The report's paired comparison table writes each metric in its own unit, as
``run --vs`` prints it: money in the currency, never as hours."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import supportsim as ss
from supportsim._comparison_cells import difference, level

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
COSTS = {"currency": "EUR", "tiers": {"l1": {"hourly": 38.0}}}


def _rows(html: str) -> dict[str, list[str]]:
    """The comparison table's rows by metric label: its cells as text."""
    table = html.split("Paired comparison", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        if len(cells) > 2:
            rows[cells[1]] = cells
    return rows


def test_cost_rows_are_money_in_the_currency() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = ss.load_scenario(SCENARIOS / "mmc.toml").with_overrides(
            {"horizon": "1w", "warmup": "1d", "costs": COSTS})
    result = ss.simulate(base, replications=2, seed=4)
    variant = ss.simulate(base.with_overrides({"team.tiers.l1.staff": 8}), replications=2,
                          seed=4)
    rows = _rows(result.to_html(vs={"eight": variant}))
    staff = rows["cost: staff (EUR)"]
    frame = ss.compare(result, variant, labels=("base", "eight"))
    row = next(frame[frame.metric == "cost_staff"].itertuples())
    # 7 and 8 agents at 38 EUR an hour over 168 h: 44,688 and 51,072.
    assert staff[2:5] == ["44,688", "51,072", "+6,384 [+6,384, +6,384]"], staff
    assert staff[4] == difference(row)
    per_ticket = rows["cost: per resolved ticket (EUR)"]
    assert re.fullmatch(r"\d+\.\d\d", per_ticket[2]) and " h" not in per_ticket[4]
    # Shares in % and pp, times in min or h, as the CLI prints them.
    met = rows["response met"]
    assert met[2].endswith("%") and " pp [" in met[4]
    mean = rows["mean resolution"]
    assert mean[2] == level(row_value(frame, "mean_resolution_time"), "mean_resolution_time")


def row_value(frame, metric: str) -> float:
    return float(frame[frame.metric == metric]["baseline_value"].iloc[0])
