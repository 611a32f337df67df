"""Calibration from a real ServiceNow event log (tests/data), the CLI and bad input.

The sample is the first 5,998 events of the UCI "Incident management process enriched
event log" (dataset 498; C. Amaral, M. Fantinato, S. Peres, University of São Paulo;
CC BY 4.0, see tests/data/README.md). Expected values are computed here from the file
with plain pandas, independently of the loader, not pinned.
"""

from __future__ import annotations

import codecs
import math
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import supportsim as ss
from supportsim.calibrate import CalibrationWarning, EventLogError
from supportsim.cli import main

SAMPLE = Path(__file__).resolve().parent / "data" / "servicenow_incident_events_sample.csv"
DAY_FIRST = "%d-%m-%Y %H:%M"


@pytest.fixture(scope="module")
def cal() -> ss.calibrate.CalibrationResult:
    with pytest.warns(CalibrationWarning, match="less than two weeks"):
        return ss.calibrate.from_event_log(SAMPLE, format="servicenow")


@pytest.fixture(scope="module")
def last_rows() -> pd.DataFrame:
    """The final state of each incident, read with plain pandas (the last row in the file)."""
    raw = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, na_values=["?"])
    last = raw.groupby("number", sort=False).tail(1).copy()
    for column in ("opened_at", "resolved_at"):
        last[column] = pd.to_datetime(last[column], format=DAY_FIRST)
    last["hours"] = (last["resolved_at"] - last["opened_at"]).dt.total_seconds() / 3600
    last["P"] = "P" + last["priority"].str[0]
    return last


def _param(cal: ss.calibrate.CalibrationResult, name: str, group: str = "all") -> pd.Series:
    rows = cal.parameters.query("parameter == @name and group == @group")
    assert len(rows) == 1, (name, group)
    return rows.iloc[0]


# --------------------------------------------------------------------------- the real sample


def test_sample_has_890_incidents(cal: ss.calibrate.CalibrationResult,
                                  last_rows: pd.DataFrame) -> None:
    assert len(last_rows) == 890
    assert len(cal.tickets) == 890
    assert _param(cal, "tickets")["estimate"] == 890
    assert _param(cal, "unresolved")["estimate"] == last_rows["resolved_at"].isna().sum() == 29


def test_rate_is_incidents_over_observed_span(cal: ss.calibrate.CalibrationResult,
                                              last_rows: pd.DataFrame) -> None:
    opened = last_rows["opened_at"]
    span = (opened.max() - opened.min()).total_seconds() / 3600
    rate = _param(cal, "arrival_rate")
    assert rate["estimate"] == pytest.approx(890 / span, rel=1e-12)
    assert _param(cal, "span")["estimate"] == pytest.approx(span)
    # Exact Poisson (Garwood) interval on the count 890, divided by the span.
    assert rate["low"] == pytest.approx(stats.chi2.ppf(0.025, 2 * 890) / 2 / span)
    assert rate["high"] == pytest.approx(stats.chi2.ppf(0.975, 2 * 891) / 2 / span)
    assert cal.scenario.demand.rate == pytest.approx(890 / span, rel=1e-9)


def test_priority_shares_equal_the_observed_ones(cal: ss.calibrate.CalibrationResult,
                                                 last_rows: pd.DataFrame) -> None:
    observed = last_rows["P"].value_counts(normalize=True)
    assert list(cal.scenario.priorities) == ["P1", "P2", "P3", "P4"]
    for name, share in observed.items():
        row = _param(cal, "priority_share", str(name))
        assert row["estimate"] == pytest.approx(share, abs=1e-15)
        assert row["low"] < share < row["high"]
        assert cal.scenario.priorities[str(name)].share == pytest.approx(share, abs=1e-6)


def test_channels_come_from_contact_type(cal: ss.calibrate.CalibrationResult) -> None:
    # Every incident of the sample came in by phone.
    assert list(cal.scenario.demand.channels) == ["phone"]
    assert cal.scenario.demand.channels["phone"].patience is None
    assert "patience" not in cal.toml.split("[demand.channels.phone]")[1].split("\n")[1][:20]


def test_lognormal_median_matches_observed_median_within_interval(
        cal: ss.calibrate.CalibrationResult, last_rows: pd.DataFrame) -> None:
    for group in ["all", "P1", "P2", "P3", "P4"]:
        rows = last_rows if group == "all" else last_rows[last_rows["P"] == group]
        observed = rows["hours"].dropna().median()
        fit = _param(cal, "resolution_median", group)
        assert fit["low"] <= observed <= fit["high"], (group, observed, fit.to_dict())
        assert _param(cal, "observed_median_resolution", group)["estimate"] == observed


def test_ks_statistic_and_pvalue_are_reported(cal: ss.calibrate.CalibrationResult,
                                              last_rows: pd.DataFrame) -> None:
    times = last_rows["hours"].dropna().to_numpy()
    s, _, scale = stats.lognorm.fit(times, floc=0)
    expected = stats.kstest(times, stats.lognorm(s, 0, scale).cdf)
    assert _param(cal, "resolution_ks_statistic")["estimate"] == pytest.approx(expected.statistic)
    assert _param(cal, "resolution_ks_pvalue")["estimate"] == pytest.approx(expected.pvalue)
    assert _param(cal, "resolution_sigma")["estimate"] == pytest.approx(s)


def test_reassignments_give_a_bounce_estimate(cal: ss.calibrate.CalibrationResult,
                                              last_rows: pd.DataFrame) -> None:
    counts = last_rows["reassignment_count"].astype(int)
    bounce = _param(cal, "tennis_bounce")
    assert bounce["estimate"] == pytest.approx((counts >= 3).sum() / (counts >= 1).sum())
    assert bounce["low"] < bounce["estimate"] < bounce["high"]
    assert cal.scenario.team.tennis.bounce == pytest.approx(bounce["estimate"], abs=5e-5)


def test_made_sla_share_is_the_logs(cal: ss.calibrate.CalibrationResult,
                                    last_rows: pd.DataFrame) -> None:
    made = (last_rows["made_sla"] == "TRUE").mean()
    assert _param(cal, "made_sla_share")["estimate"] == pytest.approx(made)


def test_short_history_uses_flat_profile_and_says_why(
        cal: ss.calibrate.CalibrationResult) -> None:
    assert cal.scenario.demand.profile == "flat"
    assert any("less than two weeks" in w for w in cal.warnings)
    assert 'profile = "flat"' in cal.toml and "under the two weeks" in cal.toml


def test_skeleton_writes_loads_and_simulates(cal: ss.calibrate.CalibrationResult,
                                            tmp_path: Path) -> None:
    path = tmp_path / "skeleton.toml"
    cal.to_toml(path)
    loaded = ss.load_scenario(path)
    assert loaded == cal.scenario
    assert [p.name for p in tmp_path.iterdir()] == ["skeleton.toml"]  # no temp file left
    res = ss.simulate(loaded, replications=1, seed=1)
    assert len(res.tickets) > 0


def test_every_key_says_fitted_or_guessed(cal: ss.calibrate.CalibrationResult) -> None:
    keys = [line for line in cal.toml.splitlines()
            if line and not line.startswith(("#", "[", "name ="))]
    assert keys
    for line in keys:
        assert "# FITTED" in line or "# GUESSED" in line, line
    assert "UPPER BOUND" in cal.toml
    tomllib.loads(cal.toml)


def test_sla_targets_given_replace_the_guesses() -> None:
    with pytest.warns(CalibrationWarning):
        cal = ss.calibrate.from_event_log(
            SAMPLE, sla={"P1": {"response": "30min", "resolution": "1d", "clock": "24x7"}})
    assert cal.scenario.priorities["P1"].response == 0.5
    assert cal.scenario.priorities["P1"].resolution == 24.0
    assert 'response = "30min"' in cal.toml and "GIVEN" in cal.toml
    with pytest.warns(CalibrationWarning), pytest.raises(ss.ScenarioError, match="P9"):
        ss.calibrate.from_event_log(SAMPLE, sla={"P9": {"response": "1h"}})


def test_dataframe_input_gives_the_same_fit(cal: ss.calibrate.CalibrationResult) -> None:
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, na_values=["?"])
    with pytest.warns(CalibrationWarning):
        again = ss.calibrate.from_event_log(frame, format="servicenow")
    pd.testing.assert_frame_equal(again.parameters, cal.parameters)


def test_report_has_text_figures_and_credit(cal: ss.calibrate.CalibrationResult) -> None:
    report = cal.report()
    text = str(report)
    for needle in ("arrival rate", "P3", "KS D", "Cannot be inferred", "effort per tier",
                   "UCI Machine Learning Repository", "Amaral", "CC BY 4.0"):
        assert needle in text
    assert set(report.figures) == {"resolution_fit", "arrivals"}
    for fig in report.figures.values():
        assert fig.get_suptitle()
        assert any("UCI Machine Learning Repository" in t.get_text() for t in fig.texts)
        for ax in fig.axes:
            if ax.get_visible():
                assert "[" in ax.get_xlabel() or "local time" in ax.get_xlabel()
                assert ax.get_ylabel()


def test_backtest_puts_simulated_beside_observed(cal: ss.calibrate.CalibrationResult) -> None:
    bt = cal.backtest(replications=2, seed=3)
    table = bt.table.set_index(["metric", "group"])
    assert table.loc[("tickets", "all"), "observed"] == 890
    for group in ("all", "P1", "P2", "P3", "P4"):
        for metric in ("median_resolution_time", "p90_resolution_time", "attainment"):
            assert (metric, group) in table.index
    assert bt.window == cal.scenario.horizon == 63.0
    assert bt.daily["observed"].sum() == 890
    # The same random numbers simulate the same tickets.
    assert bt.table.equals(cal.backtest(replications=2, seed=3).table)
    fig = bt.figure()
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 5  # 4 priorities + arrivals
    assert any("Amaral" in t.get_text() for t in fig.texts)


# --------------------------------------------------------------------------- other inputs


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_tickets_format_with_labels_and_without_channel(tmp_path: Path) -> None:
    log = _write(tmp_path / "t.csv", "\n".join([
        "opened_at,resolved_at,priority,made_sla",
        "2026-01-05 08:00,2026-01-05 09:30,P1,true",
        "2026-01-05T09:00:00,2026-01-05 12:00,high,false",
        "2026-01-05 10:00,,3,",
        "2026-01-05 11:00,2026-01-06 11:00,4 - Low,yes",
        "2026-01-05 12:00,2026-01-05 12:45,3,no",
    ]) + "\n")
    with pytest.warns(CalibrationWarning):
        cal = ss.calibrate.from_event_log(log, format="tickets")
    assert list(cal.scenario.priorities) == ["P1", "P2", "P3", "P4"]
    assert list(cal.scenario.demand.channels) == ["default"]
    assert _param(cal, "arrival_rate")["estimate"] == pytest.approx(5 / 4)
    assert _param(cal, "made_sla_share")["estimate"] == pytest.approx(2 / 4)
    assert "tennis_bounce" not in set(cal.parameters["parameter"])
    assert "no reassignment counts" in cal.toml


def test_servicenow_keeps_the_last_state_of_each_incident(tmp_path: Path) -> None:
    header = "number,opened_at,resolved_at,priority,contact_type,reassignment_count,made_sla"
    log = _write(tmp_path / "sn.csv", "\n".join([
        header,
        "INC1,01-03-2016 08:00,?,3 - Moderate,Phone,0,TRUE",
        "INC1,01-03-2016 08:00,01-03-2016 10:00,2 - High,Phone,1,FALSE",
        "INC2,01-03-2016 09:00,?,4 - Low,Self service,0,TRUE",
        "INC2,01-03-2016 09:00,02-03-2016 09:00,4 - Low,Self service,3,TRUE",
        "INC3,01-03-2016 12:00,01-03-2016 13:30,1 - Critical,Email,0,TRUE",
    ]) + "\n")
    with pytest.warns(CalibrationWarning):
        cal = ss.calibrate.from_event_log(log)
    tickets = cal.tickets.set_index("ticket")
    assert tickets.loc["INC1", "priority"] == "P2"
    assert tickets.loc["INC1", "resolution_time"] == 2.0
    assert not tickets.loc["INC1", "made_sla"]
    assert tickets.loc["INC2", "channel"] == "portal"
    assert list(tickets["row"]) == [1, 3, 4]  # 0-based data rows of the last updates
    assert _param(cal, "tennis_bounce")["estimate"] == pytest.approx(1 / 2)


# --------------------------------------------------------------------------- bad input


def _sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()[:41]


def _broken(tmp_path: Path, case: str) -> tuple[Path, str, str]:
    """A broken copy of the sample's first 40 events, the format and the expected message."""
    lines = _sample_lines()
    header = lines[0].split(",")
    if case == "missing column":
        drop = header.index("resolved_at")
        lines = [",".join(v for i, v in enumerate(line.split(",")) if i != drop)
                 for line in lines]
        expected = r"column 'resolved_at' is required .* header \(line 1\)"
    elif case == "unparsable date":
        cells = lines[7].split(",")
        cells[header.index("opened_at")] = "31-02-2016 25:61"
        lines[7] = ",".join(cells)
        expected = r"column 'opened_at' cannot be read as a date: '31-02-2016 25:61'.* line 8 "
    elif case == "empty file":
        lines = []
        expected = "event log is empty"
    elif case == "header only":
        lines = lines[:1]
        expected = "header but no rows"
    elif case == "no resolved tickets":
        col = header.index("resolved_at")
        lines = [lines[0]] + [",".join("?" if i == col else v for i, v in
                                       enumerate(line.split(","))) for line in lines[1:]]
        expected = r"no resolved tickets: column 'resolved_at' is empty"
    elif case == "bad priority":
        # Line 5 is the last update of the first incident: its final state counts.
        cells = lines[4].split(",")
        cells[header.index("priority")] = "urgent-ish"
        lines[4] = ",".join(cells)
        expected = r"column 'priority' has 'urgent-ish'.* line 5 "
    elif case in MORE_BAD:
        return _more_broken(tmp_path, case, lines)
    else:
        raise AssertionError(case)
    path = _write(tmp_path / "broken.csv", "\n".join(lines) + ("\n" if lines else ""))
    return path, "servicenow", expected


def _set_cell(lines: list[str], line: int, column: str, value: str) -> int:
    """Set `column` of file line `line` (1-based) to `value`; its 1-based character column."""
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    index = header.index(column)
    cells[index] = value
    lines[line - 1] = ",".join(cells)
    return len(",".join(cells[:index])) + (2 if index else 1)


def _tickets(times: list[tuple[str, str]]) -> str:
    return "opened_at,resolved_at,priority\n" + "".join(f"{o},{r},P3\n" for o, r in times)


def _more_broken(tmp_path: Path, case: str, lines: list[str]) -> tuple[Path, str, str]:
    """Issue 18, defect 12: inputs that gave a traceback, a line-less error or no error."""
    path, fmt = tmp_path / "broken.csv", "servicenow"
    text = "\n".join(lines) + "\n"
    raw: bytes | None = None
    if case == "byte-order mark alone":
        raw, expected = codecs.BOM_UTF8, "event log is empty"
    elif case == "latin-1":
        col = _set_cell(lines, 6, "caller_id", "Caller café")
        raw = ("\n".join(lines) + "\n").encode("latin-1")
        expected = rf"not UTF-8 text: byte 0xe9 at line 6, column {col + 10}"
    elif case == "NUL byte in a field":
        col = _set_cell(lines, 4, "caller_id", "Caller\0")
        text = "\n".join(lines) + "\n"
        expected = rf"NUL byte at line 4, column {col + 6}"
    elif case == "unterminated quote":
        col = _set_cell(lines, 10, "caller_id", '"Caller 1904')
        text = "\n".join(lines) + "\n"
        expected = rf"quoted field opened at line 10, column {col} of .* never closed"
    elif case == "duplicated column":
        lines = [f"{line},{line.split(',')[3]}" for line in lines]
        text = "\n".join(lines) + "\n"
        count = len(lines[0].split(","))
        name = lines[0].split(",")[3]
        expected = rf"column '{name}' appears twice in the header \(line 1, columns 4 and {count}\)"
    elif case == "resolved in year 9999":
        _set_cell(lines, 12, "resolved_at", "01-03-9999 10:00")
        text = "\n".join(lines) + "\n"
        expected = r"column 'resolved_at' has 9999-03-01 10:00:00, far outside .* line 12 "
    elif case == "opened in year 0001":
        _set_cell(lines, 7, "opened_at", "28-02-0001 01:16")
        text = "\n".join(lines) + "\n"
        expected = r"column 'opened_at' has 0001-02-.* far outside .* line 7 "
    elif case == "equal resolution times":
        fmt = "tickets"
        text = _tickets([(f"2026-01-0{d} 08:00", f"2026-01-0{d} 10:00") for d in range(5, 9)])
        expected = r"'resolved_at' gives nothing to fit: 4 resolved .* 1 distinct positive"
    elif case == "zero resolution times":
        fmt = "tickets"
        text = _tickets([(f"2026-01-0{d} 08:00", f"2026-01-0{d} 08:00") for d in range(5, 9)])
        expected = r"'resolved_at' gives nothing to fit: 4 resolved .* 0 distinct positive"
    elif case == "one resolved ticket":
        fmt = "tickets"
        text = _tickets([("2026-01-05 08:00", "2026-01-05 10:00"), ("2026-01-06 08:00", "")])
        expected = r"'resolved_at' gives nothing to fit: 1 resolved"
    else:
        raise AssertionError(case)
    if raw is not None:
        path.write_bytes(raw)
    else:
        _write(path, text)
    return path, fmt, expected


MORE_BAD = ["byte-order mark alone", "latin-1", "NUL byte in a field", "unterminated quote",
            "duplicated column", "resolved in year 9999", "opened in year 0001",
            "equal resolution times", "zero resolution times", "one resolved ticket"]
BAD = ["missing column", "unparsable date", "empty file", "header only",
       "no resolved tickets", "bad priority", *MORE_BAD]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_a_clear_error(tmp_path: Path, case: str) -> None:
    path, fmt, expected = _broken(tmp_path, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        with pytest.raises(EventLogError, match=expected) as info:
            ss.calibrate.from_event_log(path, format=fmt)  # type: ignore[arg-type]
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ss.ScenarioError)


@pytest.mark.parametrize("case", [*BAD, "unknown format"])
def test_cli_bad_input_one_line_exit_2_nothing_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    if case == "unknown format":
        path, fmt = SAMPLE, "excel"
    else:
        path, fmt, _ = _broken(tmp_path, case)
    out, report = tmp_path / "out" / "skeleton.toml", tmp_path / "report"
    out.parent.mkdir()
    code = main(["calibrate", str(path), "--format", fmt, "--out", str(out),
                 "--report", str(report)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    errors = [line for line in err if "error:" in line]
    assert len(errors) == 1 and "Traceback" not in "\n".join(err)
    assert not any(out.parent.iterdir()) and not report.exists()


def test_unknown_format_and_offsets_are_errors(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="format must be one of 'servicenow', 'tickets'"):
        ss.calibrate.from_event_log(SAMPLE, format="excel")  # type: ignore[arg-type]
    log = _write(tmp_path / "tz.csv", "opened_at,resolved_at,priority\n"
                 "2026-01-05 08:00,2026-01-05 09:00,P1\n"
                 "2026-01-05T09:00:00+01:00,2026-01-05 10:00,P1\n")
    with pytest.raises(EventLogError, match=r"'opened_at' has a UTC offset.* line 3 "):
        ss.calibrate.from_event_log(log, format="tickets")
    log = _write(tmp_path / "order.csv", "opened_at,resolved_at,priority\n"
                 "2026-01-05 08:00,2026-01-05 07:00,P1\n")
    with pytest.raises(EventLogError, match=r"'resolved_at' is before opened_at.* line 2 "):
        ss.calibrate.from_event_log(log, format="tickets")


# --------------------------------------------------------------------------- CLI


def test_cli_calibrates_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, report = tmp_path / "desk.toml", tmp_path / "report"
    code = main(["calibrate", str(SAMPLE), "--out", str(out), "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "arrival rate" in captured.out and "UCI Machine Learning Repository" in captured.out
    assert "less than two weeks" in captured.err
    scenario = ss.load_scenario(out)
    assert scenario.demand.rate == pytest.approx(890 / 62.28333, rel=1e-5)
    assert "# FITTED" in out.read_text(encoding="utf-8")
    assert {p.name for p in report.iterdir()} == {"report.txt", "resolution_fit.png",
                                                  "arrivals.png"}
    assert not math.isnan(scenario.work.effort["l1"].mean)
    assert np.isfinite(scenario.team.tiers["l1"].headcount)


def test_a_failed_report_write_leaves_nothing_half_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 18, defect 12: the skeleton was written before the report failed.
    out, report = tmp_path / "desk.toml", tmp_path / "report"
    (report / "arrivals.png").mkdir(parents=True)  # a figure's name is taken by a folder
    code = main(["calibrate", str(SAMPLE), "--out", str(out), "--report", str(report)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    errors = [line for line in err if "error:" in line]
    assert errors == [f"supportsim: error: cannot write calibration output: Is a directory "
                      f"({report / 'arrivals.png'})"]
    assert not out.exists()
    assert [p.name for p in report.iterdir()] == ["arrivals.png"]  # no report.txt, no temp


def test_a_failed_write_names_the_destination_not_a_temporary_file(tmp_path: Path) -> None:
    from supportsim.calibrate._skeleton import write_text

    target = tmp_path / "missing" / "skeleton.toml"
    (tmp_path / "missing").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(OSError) as info:
        write_text(target, "x = 1\n")
    assert info.value.filename == str(target)
