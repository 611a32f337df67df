"""The site of an [initial] backlog ticket (trial E14): given per row, or drawn by
[demand.sites] as before; a given site sets the ticket's clock and its skill shares."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w

import supportsim as ss
from supportsim.demand import generate
from tests.support import mmc_dict


def _desk(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Berlin (80 % of the demand, de/en) and Shanghai (20 %, all zh), with a backlog."""
    data = mmc_dict(rate=10.0, staff=4, horizon="2d", warmup="0h")
    data["start"] = "2026-03-02T00:00:00"
    data["sites"] = {"berlin": {"timezone": "Europe/Berlin",
                                "skills": {"de": 0.5, "en": 0.5}},
                     "shanghai": {"timezone": "Asia/Shanghai", "skills": {"zh": 1.0}}}
    data["demand"].update(sites={"berlin": 0.8, "shanghai": 0.2},
                          skills={"de": 0.4, "en": 0.4, "zh": 0.2})
    data["initial"] = {"backlog": rows}
    return data


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"T{k}", "opened_at": -1.0 - k, "priority": "P1", "tier": "l1"}
            for k in range(n)]


def test_a_given_site_is_kept_and_the_other_rows_draw_as_before() -> None:
    rows = _rows(40)
    drawn = generate(ss.Scenario.from_dict(_desk(copy.deepcopy(rows))), 5, 0)
    for k in range(0, 40, 2):
        rows[k]["site"] = "shanghai"
    placed = generate(ss.Scenario.from_dict(_desk(rows)), 5, 0)
    shanghai = 1  # index in [sites], file order
    # Backlog tickets come first in the stream, in order of opening (here: row order
    # reversed, -1 h is opened last).
    given = np.zeros(placed.initial, dtype=bool)
    given[[40 - 1 - k for k in range(0, 40, 2)]] = True
    assert (placed.site[:40][given] == shanghai).all()
    # Common random numbers: the rows without a site keep the sites (and the skills)
    # they drew before; the demand after the backlog is untouched.
    np.testing.assert_array_equal(placed.site[:40][~given], drawn.site[:40][~given])
    np.testing.assert_array_equal(placed.skill[:40][~given], drawn.skill[:40][~given])
    np.testing.assert_array_equal(placed.site[40:], drawn.site[40:])
    np.testing.assert_array_equal(placed.arrived_at, drawn.arrived_at)
    # A Shanghai ticket takes Shanghai's skill shares (zh only), whatever [demand.sites]
    # would have drawn: with 20 % Shanghai, most of these rows were Berlin's (de/en).
    assert (drawn.site[:40][given] != shanghai).sum() > 10
    assert (placed.skill[:40][given] == 2).all()  # "zh", third of [demand.skills]


def test_the_ticket_table_shows_the_given_site() -> None:
    rows = _rows(6)
    rows[0]["site"] = "shanghai"
    data = _desk(rows)
    data["team"]["tiers"]["l1"] = {"groups": {
        "ber": {"skills": ["de", "en"], "site": "berlin", "staff": 3},
        "sha": {"skills": ["zh"], "site": "shanghai", "staff": 2}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        tickets = ss.simulate(ss.Scenario.from_dict(data), replications=1, seed=2).tickets
    t0 = tickets[tickets["initial"]].iloc[5]  # T0 (-1 h) is opened last
    assert t0["arrived_at"] == -1.0
    assert t0["site"] == "shanghai" and t0["skill"] == "zh"


@pytest.mark.parametrize(("sites", "expected"), [
    (True, "initial.backlog.0.site must be one of [sites] (berlin, shanghai), got 'paris'"),
    (False, "initial.backlog.0.site needs [sites]: a desk without sites has one clock, got "
            "'paris'"),
])
def test_a_bad_site_names_the_key_the_value_and_the_rule(sites: bool, expected: str) -> None:
    rows = _rows(1)
    rows[0]["site"] = "paris"
    data = _desk(rows) if sites else mmc_dict(horizon="1d", warmup="0h") | {
        "initial": {"backlog": rows}}
    with pytest.raises(ss.ScenarioError) as info:
        ss.Scenario.from_dict(data, source="desk.toml")
    assert str(info.value) == f"{expected} (desk.toml)"


def test_a_backlog_file_takes_a_site_column(tmp_path: Path) -> None:
    (tmp_path / "open.csv").write_text(
        "id,opened_at,priority,tier,site\nA,-2h,P1,l1,shanghai\nB,-1h,P1,l1,\n",
        encoding="utf-8")
    data = _desk([])
    data["initial"] = {"backlog": "open.csv"}
    path = tmp_path / "desk.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    scenario = ss.load_scenario(path)
    assert scenario.backlog is not None
    assert scenario.backlog.site is not None and list(scenario.backlog.site) == [1, -1]
    (tmp_path / "open.csv").write_text(
        "id,opened_at,priority,tier,site\nA,-2h,P1,l1,mars\n", encoding="utf-8")
    with pytest.raises(ss.ScenarioError, match=r"open\.csv, line 2, column 5 \(site\): "
                                               r"must be one of \[sites\]"):
        ss.load_scenario(path)
