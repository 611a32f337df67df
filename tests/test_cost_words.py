"""Costs in words and in the report's cost table with agent groups on their own rate.

scenarios/global_rollout.toml pays l1 38/h with its Shanghai group (chinese) on 21/h, and
l2 55/h with erp_shanghai on 30/h ([costs.tiers.lN.groups.NAME]). The scenario card, its
text summary and the report's description name both rates; the report's cost table
shows a group's own-rate staff cost "of which" under its tier's, as `supportsim run`
prints it (tests/test_group_costs.py::test_run_prints_a_groups_own_rate_under_its_tier).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import supportsim as ss
from supportsim.report._blocks import cost_table
from supportsim.report._scenario import describe
from tests.test_group_costs import SHANGHAI, two_sites

GLOBAL = Path(__file__).resolve().parent.parent / "scenarios" / "global_rollout.toml"
RATES = "EUR: l1 38/h (chinese 21/h), l2 55/h (erp_shanghai 30/h)"


def test_card_summary_and_report_description_name_group_rates() -> None:
    scenario = ss.load_scenario(GLOBAL)
    assert RATES in describe(scenario)
    assert RATES in re.sub(r"<[^>]+>", "", scenario._repr_html_())
    # Without group rates nothing is added: scenarios/rollout_tiered.toml.
    tiered = ss.load_scenario(GLOBAL.parent / "rollout_tiered.toml")
    assert "(" not in describe(tiered).split("Costs: ", 1)[1].split(",")[0]


def test_report_cost_table_shows_a_groups_rate_of_which_under_its_tier() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(ss.Scenario.from_dict(two_sites(hourly=SHANGHAI)), progress=False)
    table = cost_table(res)
    assert table is not None
    labels = [row[0] for row in table.rows]
    at = labels.index("staff l1")
    assert labels[at - 1] == "staff (rostered hours on duty)"
    # Right under its tier, marked as a part (indented by the report's CSS) ...
    assert labels[at + 1] == "of which sha (own rate)"
    assert table.classes()[at + 1] == "part" and table.classes()[at] == ""
    # ... with the amount the CLI prints: 189 agent-hours x 21.50 = 4,063.50 per
    # replication (hand count in tests/test_group_costs.py).
    assert table.rows[at + 1][1].startswith("4,064")
    assert "staff l1_sha" not in labels
    html = res.to_html()
    assert '<tr class="part"><td>of which sha (own rate)</td>' in html
