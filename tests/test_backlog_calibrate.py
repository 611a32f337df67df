"""``ss.calibrate.snapshot`` and ``from_event_log(..., at=...)`` on the shipped sample.

tests/data/servicenow_incident_events_sample.csv: 890 incidents opened 29 Feb - 2 Mar
2016 (UCI dataset 498, CC BY 4.0); 29 of them are never resolved in the export.
"""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.calibrate._read import read_log

SAMPLE = Path(__file__).resolve().parent / "data" / "servicenow_incident_events_sample.csv"
CUT = "2016-03-01 12:00"


def test_snapshot_holds_exactly_the_tickets_open_at_the_cut_off(tmp_path: Path) -> None:
    tickets = read_log(SAMPLE, "servicenow").tickets
    cut = pd.Timestamp(CUT)
    expected = tickets[(tickets["opened_at"] <= cut)
                       & ~(tickets["resolved_at"] <= cut)]["ticket"]
    rows = ss.calibrate.snapshot(SAMPLE, at=CUT, out=tmp_path / "open.csv")
    assert sorted(rows["id"]) == sorted(expected) and len(rows) == 272
    assert (rows["tier"] == "l1").all() and rows["opened_at"].is_monotonic_increasing
    assert set(rows["priority"]) <= {"P1", "P2", "P3", "P4"}
    assert (tmp_path / "open.csv").read_text(encoding="utf-8").startswith("# open tickets")


def test_snapshot_after_the_last_opening_holds_the_29_never_resolved() -> None:
    tickets = read_log(SAMPLE, "servicenow").tickets
    never = set(tickets.loc[tickets["resolved_at"].isna(), "ticket"])
    assert len(never) == 29  # as the export shows
    rows = ss.calibrate.snapshot(SAMPLE, at="2016-03-02 16:00")  # last opening 15:33
    assert never <= set(rows["id"])


def test_round_trip_snapshot_scenario_simulate(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short-history CalibrationWarnings
        cal = ss.calibrate.from_event_log(SAMPLE, at=CUT)
    scenario = cal.scenario
    assert scenario.start == pd.Timestamp(CUT).to_pydatetime()
    assert scenario.backlog is not None and len(scenario.backlog) == 272
    # The TOML text is the same scenario, and a file naming the snapshot CSV (relative to
    # the scenario file) gives the same backlog.
    assert ss.Scenario.from_dict(tomllib.loads(cal.toml)) == scenario
    ss.calibrate.snapshot(SAMPLE, at=CUT, out=tmp_path / "open_tickets.csv")
    data = tomllib.loads(cal.toml)
    data["initial"] = {"backlog": "open_tickets.csv"}
    (tmp_path / "desk.toml").write_text(ss.Scenario.from_dict(data, source=str(
        tmp_path / "desk.toml")).to_toml(), encoding="utf-8")
    from_file = ss.load_scenario(tmp_path / "desk.toml").backlog
    assert from_file is not None and from_file.ids == scenario.backlog.ids
    np.testing.assert_allclose(from_file.opened, scenario.backlog.opened)
    assert (from_file.opened <= 0).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(scenario.with_overrides({"horizon": "1d"}), 2, 3)
    t = res.tickets
    assert t.groupby("replication")["initial"].sum().tolist() == [272, 272]
    assert not t.loc[t["initial"], "abandoned"].any()
    assert len(res.sla(initial=False)) == len(res.sla()) == 4


def test_snapshot_refuses_a_cut_off_after_the_log(tmp_path: Path) -> None:
    with pytest.raises(ss.ScenarioError, match="after the last instant the log shows"):
        ss.calibrate.snapshot(SAMPLE, at="2030-01-01")
    with pytest.raises(ss.ScenarioError, match="at must be an instant"):
        ss.calibrate.snapshot(SAMPLE, at="next friday")
