"""``ss.check``: the offered-load check as data, and where a capacity warning is raised.

Issue 18: validation must not depend on the layers above it, so loading a scenario never
warns; :func:`supportsim.simulate` warns when a simulation starts, a sweep and a
breaking-point search warn once (not once per task), and ``check`` reports the overload
as data. Closed-form numbers come from scenarios/mmc.toml: 20 tickets/h x 15 min of
exponential effort = 5 Erlangs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.capacity import tier_loads
from supportsim.cli import main

ROOT = Path(__file__).resolve().parent.parent
MMC = ROOT / "scenarios" / "mmc.toml"
# One short day keeps every simulation here well under a second.
TINY = {"horizon": "1d", "warmup": "0h"}


def quiet(path: Path = MMC, **overrides: object) -> ss.Scenario:
    """The scenario with `overrides`; a scenario never warns while it is built."""
    scenario = ss.load_scenario(path)
    return scenario.with_overrides(overrides) if overrides else scenario


def capacity_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ss.CapacityWarning)]


# --------------------------------------------------------------------------- layers


def test_scenario_imports_no_layer_above_it() -> None:
    # DESIGN section 1: scenario -> demand -> engine; the scenario package (loading,
    # overrides, business-day targets) must not pull in capacity, demand or the engine.
    code = (
        "import sys\n"
        "from supportsim.scenario import load_scenario\n"
        f"sc = load_scenario({str(MMC)!r})\n"
        "sc = sc.with_overrides({'team.tiers.l1.staff': 3, 'priorities.P1.clock': 'business',"
        " 'priorities.P1.resolution': '2bd'})\n"
        "sc.to_toml()\n"
        "above = ('supportsim.capacity', 'supportsim.demand', 'supportsim.engine')\n"
        "print(sorted(m for m in sys.modules if m.startswith(above)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_loading_an_overloaded_scenario_never_warns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overloaded = ss.load_scenario(MMC).with_overrides({"team.tiers.l1.staff": 4})
        ss.Scenario.from_dict(overloaded.to_dict())
    assert ss.check(overloaded).overloaded == ("l1",)


# --------------------------------------------------------------------------- check


def test_check_reports_overload_with_the_numbers() -> None:
    result = ss.check(quiet(**{"team.tiers.l1.staff": 4}))
    assert result.overloaded == ("l1",)
    assert not result.ok
    (message,) = result.warnings
    assert "\n" not in message
    assert message.startswith("team.tiers.l1: ")
    # 20 tickets/h x 15 min = 5 Erlangs offered against 4 agents on duty.
    assert re.search(r"offered load 5\.00 Erlangs", message), message
    assert re.search(r"\b4\.00 agents on duty", message), message
    assert message.endswith("(" + str(MMC) + ")")


def test_check_from_a_dict_names_no_file() -> None:
    data = quiet().to_dict()
    data["team"]["tiers"]["l1"]["staff"] = 3
    (message,) = ss.check(ss.Scenario.from_dict(data)).warnings
    assert message.endswith("the queue will grow")


def test_check_with_enough_staff_is_ok() -> None:
    result = ss.check(quiet())
    assert result.ok and result.overloaded == () and result.warnings == ()


def test_check_tables_and_tickets() -> None:
    scenario = quiet()
    result = ss.check(scenario)
    assert result.loads.equals(tier_loads(scenario))
    # Flat demand: 20 tickets/h over 8 weeks (1,344 h) and over the 7 weeks after the
    # one-week warm-up (1,176 h); the midpoint rule is exact for a constant rate.
    assert result.tickets == pytest.approx(20 * 1344, rel=1e-12)
    assert result.scored_tickets == pytest.approx(20 * 1176, rel=1e-12)
    assert result.priorities.to_dict("records") == [{
        "priority": "P1", "share": 1.0, "clock": "24x7", "response": "5min",
        "resolution": "30min", "response_target": 5 / 60, "resolution_target": 0.5}]


def test_check_repr_is_one_short_line() -> None:
    text = repr(ss.check(quiet(**{"team.tiers.l1.staff": 4})))
    assert "\n" not in text and len(text) < 200
    assert "M/M/7" in text and "overloaded: l1" in text and "26,880 tickets" in text
    assert "<table" in ss.check(quiet())._repr_html_()


def test_check_is_public() -> None:
    assert {"check", "CheckResult"} <= set(ss.__all__)
    assert isinstance(ss.check(quiet()), ss.CheckResult)
    with pytest.raises(TypeError, match="must be a Scenario"):
        ss.check(str(MMC))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- warnings


def test_simulate_warns_once_when_it_starts() -> None:
    scenario = quiet(**TINY, **{"team.tiers.l1.staff": 4})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ss.simulate(scenario, replications=2, seed=1)
    assert capacity_warnings(caught) == list(ss.check(scenario).warnings)
    # Raised at the caller's line, not inside supportsim.
    assert [w.filename for w in caught if issubclass(w.category, ss.CapacityWarning)] == [
        __file__]


def test_simulate_with_enough_staff_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ss.CapacityWarning)
        ss.simulate(quiet(**TINY), replications=1, seed=1)


def test_sweep_warns_once_not_per_task() -> None:
    base = quiet(**TINY, **{"team.tiers.l1.staff": 4})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ss.sweep(base, factors={"team.tiers.l1.staff": [3, 4, 8]}, replications=2,
                 executor=1, progress=False)
    assert capacity_warnings(caught) == list(ss.check(base).warnings)


def test_breaking_point_search_warns_once() -> None:
    base = quiet(**TINY, **{"team.tiers.l1.staff": 4})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ss.find_breaking_point(base, "team.tiers.l1.staff", 0.5, values=[3, 8],
                               replications=2, refine=0, resamples=50)
    assert capacity_warnings(caught) == list(ss.check(base).warnings)


# --------------------------------------------------------------------------- command line


def business_days_file(tmp_path: Path) -> Path:
    text = MMC.read_text(encoding="utf-8")
    old = 'response = "5min"\nresolution = "30min"\nclock = "24x7"'
    assert old in text
    path = tmp_path / "bd.toml"
    path.write_text(text.replace(old, 'response = "90min"\nresolution = "3bd"\n'
                                      'clock = "business"'), encoding="utf-8")
    return path


def test_check_prints_targets_as_written(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    assert main(["check", str(business_days_file(tmp_path))]) == 0
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.strip().startswith("P1 "))
    assert row == ["P1", "100%", "90min", "3bd", "business"]


def test_run_prints_targets_as_written(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    argv = ["run", str(business_days_file(tmp_path)), "-r", "2", "--set", 'horizon="1w"',
            "--set", 'warmup="1d"']
    assert main(argv) == 0
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.strip().startswith("P1 "))
    assert row[:3] == ["P1", "business", "90min"]  # not "1.5h"
    assert "3bd" in row and "27h" not in row


def test_cli_run_warns_before_simulating_and_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(MMC), "-r", "2", "--set", 'horizon="1d"', "--set",
                 'warmup="0h"', "--set", "team.tiers.l1.staff=4"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("supportsim: warning: team.tiers.l1")


def test_every_check_column_is_documented() -> None:
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    section = text.split("## `ss.check(scenario)`", 1)[1]
    result = ss.check(quiet())
    columns = [*result.loads.columns, *result.priorities.columns]
    assert [c for c in columns if f"`{c}`" not in section] == []


def test_sla_figure_labels_targets_as_written(tmp_path: Path) -> None:
    from supportsim import plot

    scenario = ss.load_scenario(business_days_file(tmp_path)).with_overrides(
        {"horizon": "1w", "warmup": "1d"})
    figure = plot.sla_bars(ss.simulate(scenario, replications=2, seed=1))
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == ["P1\n90min / 3bd\nbusiness"]


def test_check_says_an_auto_warmup_is_found_after_the_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Trial defect 11: ``warmup = "auto"`` printed "warm-up 0h" (the placeholder the
    scenario holds until MSER-5 cuts it after the run) and "26,880 after the 0h warm-up"."""
    assert main(["check", str(MMC), "--set", 'warmup="auto"']) == 0
    out = capsys.readouterr().out
    assert "warm-up auto (MSER-5 after the run)," in out
    assert "0h warm-up" not in out and "warm-up 0h" not in out
    assert main(["check", str(MMC), "--set", 'warmup="1d"']) == 0
    out = capsys.readouterr().out
    # 20 tickets/h x 24 h x 55 days after a 1-day warm-up of the 8-week horizon.
    assert "warm-up 1d," in out and "26,400 after the 1d warm-up" in out


def test_check_labels_the_busiest_periods_as_rolling_windows(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Trial defect 18: "busiest week from Mon 2026-03-30 10:00" read as a calendar week;
    the periods are the busiest 24 h and 168 h starting at any whole hour, and say so."""
    from supportsim.units import readable_duration

    assert main(["check", str(ROOT / "scenarios" / "golive_tiered.toml")]) == 0
    out = capsys.readouterr().out
    section = out.split("Peak and burst load", 1)[1].split("\n\n", 1)[0]
    assert "busiest hour, 24 h and 168 h, each from any whole hour" in section
    rows = [line.split()[0] for line in section.splitlines() if line.startswith("  ")][1:]
    assert sorted(set(rows)) == ["168", "24", "hour"]
    assert " week " not in section and " day " not in section
    # Computed durations read in the largest unit they fill, 3 significant digits.
    assert [readable_duration(h) for h in (1050 / 3600, 36.0, 0.25, 200.0, 0.0)] == [
        "17.5min", "1.5d", "15min", "1.19w", "0h"]
