"""Size: estimates before running, refusals above the limit, memory bounded in replications.

Issue 18, defect 11: a huge rate died in numpy's MemoryError, a long horizon ran for
minutes with no warning, many replications died in the engine, and ``check`` integrated
demand on a five-minute grid over the whole horizon.
"""

from __future__ import annotations

import re
import tracemalloc
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim._size import (
    DEFAULT_MAX_TICKETS,
    PEAK_BYTES_PER_TICKET,
    SizeLimitError,
    estimate_size,
)
from supportsim.analysis import sla_attainment
from supportsim.capacity import tier_loads
from supportsim.cli import main
from supportsim.demand import expected_arrivals, generate, rate_at, wave_rates
from supportsim.engine import engine_stream, run_replication
from supportsim.engine._hours import duty_groups
from supportsim.records import build_tables
from supportsim.scenario._schema import DAYS, clock_hours
from supportsim.simulation import simulate_replications
from tests.support import assert_one_line_error, build, mmc_dict

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
MMC = str(ROOT / "scenarios" / "mmc.toml")


def _load(path: Path | str, overrides: dict[str, Any] | None = None) -> ss.Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)  # overload is not the point here
        scenario = ss.load_scenario(path)
        return scenario.with_overrides(overrides) if overrides else scenario


def _peak_bytes(func: Any) -> int:
    """Peak bytes traced by tracemalloc (numpy reports its buffers to it) while `func` runs."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- expected tickets


def _reference_arrivals(scenario: ss.Scenario, t0: float, t1: float, points: int = 64) -> float:
    """Midpoint rule with `points` nodes inside every clock hour, split at the hour
    boundaries where the profile jumps: the integrand is smooth within each piece, so the
    rule's error is O(1/points^2) of the tiny curvature of growth and decay (< 1e-10)."""
    offset = (scenario.start - scenario.start.replace(hour=0, minute=0, second=0)).seconds / 3600
    inner = np.arange(np.ceil(t0 + offset), t1 + offset) - offset
    edges = np.unique(np.concatenate([[t0, t1], inner[(inner > t0) & (inner < t1)]]))
    lo, hi = edges[:-1, None], edges[1:, None]
    nodes = lo + (hi - lo) * (np.arange(points) + 0.5) / points
    rates = rate_at(scenario, nodes.ravel()).reshape(nodes.shape)
    if scenario.demand.waves:  # shipped waves go live on the hour: no kink inside a piece
        rates = rates + wave_rates(scenario, nodes.ravel()).sum(axis=0).reshape(nodes.shape)
    return float(np.sum(rates.mean(axis=1) * (hi - lo).ravel()))


def _storm_mean(scenario: ss.Scenario, t0: float, t1: float) -> float:
    """Storm tickets in [t0, t1): change rate times tickets times the integral over change
    instants c in [0, t1) of the share of a storm's exponential delays landing in [t0, t1)
    (numerically, on a fine grid: the reference for the closed form)."""
    storms = scenario.demand.storms
    if storms is None:
        return 0.0
    c = (np.arange(400_000) + 0.5) * t1 / 400_000
    share = (np.exp(-np.clip(t0 - c, 0, None) / storms.decay)
             - np.exp(-(t1 - c) / storms.decay))
    rate = storms.changes_per_week / 168 * storms.failure_rate * storms.tickets
    return rate * float(share.mean() * t1)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_expected_arrivals_closed_form_matches_the_integral(path: Path) -> None:
    scenario = _load(path)
    for t0, t1 in [(0.0, scenario.horizon), (scenario.warmup, scenario.horizon),
                   (13.3, 500.7), (1000.1, min(2900.45, scenario.horizon))]:
        reference = _reference_arrivals(scenario, t0, t1) + _storm_mean(scenario, t0, t1)
        # Tolerance: the closed form is exact; the storm reference's grid error is < 1e-7.
        assert expected_arrivals(scenario, t0, t1) == pytest.approx(reference, rel=1e-7)


def test_expected_arrivals_with_dips_clipped_at_zero() -> None:
    # Two overlapping dips of depth 0.8 push 1 + extra below zero, where the rate is
    # clipped: no closed form, integrated numerically; still the integral of rate_at.
    data = mmc_dict(rate=10.0, horizon="2w")
    data["demand"]["bursts"] = [
        {"name": "outage", "at": "2d", "multiplier": 0.2, "duration": "1d"},
        {"name": "holiday", "at": "60h", "multiplier": 0.2, "decay": "1d"},
    ]
    scenario = build(data)
    assert expected_arrivals(scenario) == pytest.approx(
        _reference_arrivals(scenario, 0.0, scenario.horizon), rel=1e-6)


def test_check_on_the_longest_horizon_builds_no_grid() -> None:
    # The five-minute grid over the longest horizon allowed (520 weeks) held a million
    # points per array; the closed form and the per-day shift intervals need far less.
    scenario = _load(ROOT / "scenarios" / "provider_transition.toml", {"horizon": "520w"})
    # Measured: 58.7 MB before (grid), 0.4 MB after (closed form).
    assert _peak_bytes(lambda: (expected_arrivals(scenario), tier_loads(scenario))) < 5e6


def _shift_reference(shift: Any, start: datetime, horizon: float) -> np.ndarray:
    """The shift intervals by walking the days with datetimes (the former implementation)."""
    length = (clock_hours(shift.end) - clock_hours(shift.start)) % 24 or 24.0
    midnight = datetime(start.year, start.month, start.day)
    offset = (start - midnight).total_seconds() / 3600
    rows = []
    for day in range(-1, int(np.ceil((horizon + offset) / 24)) + 1):
        if DAYS[(midnight + timedelta(days=day)).weekday()] not in shift.days:
            continue
        on = day * 24 + clock_hours(shift.start) - offset
        if on + length > 0 and on < horizon:
            rows.append((max(on, 0.0), min(on + length, horizon)))
    return np.array(rows, dtype=float).reshape(-1, 2)


@pytest.mark.parametrize("start", ["2026-01-05T00:00:00", "2026-03-28T22:30:00"])
def test_shift_intervals_equal_the_day_by_day_walk(start: str) -> None:
    scenario = _load(ROOT / "scenarios" / "provider_transition.toml", {"start": start})
    checked = 0
    for tier in scenario.team.tiers.values():
        if not isinstance(tier.hours, tuple):
            continue
        for group, shift in zip(duty_groups(scenario, tier), tier.hours, strict=True):
            expected = _shift_reference(shift, scenario.start, scenario.horizon)
            assert group.intervals is not None
            np.testing.assert_array_equal(group.intervals, expected)
            checked += 1
    assert checked


# --------------------------------------------------------------------------- refusals


def test_a_huge_rate_is_refused_before_numpy_allocates() -> None:
    # The highest rate allowed: 134 million tickets, 1 GiB per array.
    scenario = _load(MMC, {"demand.rate": 100_000.0})
    tracemalloc.start()
    try:
        with pytest.raises(SizeLimitError) as info:
            generate(scenario, 0, 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10e6  # refused before the 1 GiB arrays, not by numpy's MemoryError
    message = str(info.value)
    assert "\n" not in message
    for fragment in ("134,400,000 expected tickets in one replication", "max_tickets",
                     "mmc.toml"):
        assert fragment in message
    # Raising the limit is the documented way through (here only checked, not run).
    estimate_size(scenario, 1, keep=False).check(2_000_000_000)


def test_many_replications_kept_are_refused_before_the_first_runs() -> None:
    scenario = _load(MMC)
    with pytest.raises(SizeLimitError, match=r"10,000 replications x 26,880 expected "
                                             r"tickets = 268,800,000 tickets kept"):
        ss.simulate(scenario, replications=10_000)
    # With the tickets dropped only one replication is in memory at a time.
    estimate_size(scenario, 10_000, keep=False).check(DEFAULT_MAX_TICKETS)
    assert isinstance(SizeLimitError("x"), ss.ScenarioError)


def test_a_long_timeline_is_refused_by_its_memory() -> None:
    scenario = _load(MMC, {"horizon": "520w", "demand.rate": 0.01})
    estimate = estimate_size(scenario, 1000, keep=False)
    assert estimate.held < DEFAULT_MAX_TICKETS
    assert estimate.peak_bytes > DEFAULT_MAX_TICKETS * PEAK_BYTES_PER_TICKET
    with pytest.raises(SizeLimitError, match="hourly timeline"):
        estimate.check(DEFAULT_MAX_TICKETS)


def test_max_tickets_is_the_limit_and_none_lifts_it() -> None:
    scenario = build(mmc_dict(horizon="1d", warmup="2h"))  # 480 tickets per replication
    with pytest.raises(SizeLimitError, match="max_tickets = 900"):
        ss.simulate(scenario, replications=2, seed=1, max_tickets=900)
    assert ss.simulate(scenario, replications=2, seed=1, max_tickets=1000).replications == 2
    assert ss.simulate(scenario, replications=2, seed=1, tickets="drop",
                       max_tickets=900).replications == 2
    generate(scenario, 0, 1, max_tickets=None)


def test_cli_run_refuses_with_one_line_and_max_tickets_raises_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", MMC, "-r", "10000", "--vs", "team.tiers.l1.staff=8"])
    assert code == 2
    assert_one_line_error(capsys.readouterr().err.splitlines(),
                          ["268,800,000 tickets kept", "--max-tickets", "mmc.toml"])
    code = main(["run", MMC, "-r", "2", "--set", 'horizon="1d"', "--set", 'warmup="2h"',
                 "--max-tickets", "400"])
    assert code == 2
    assert_one_line_error(capsys.readouterr().err.splitlines(), ["max_tickets = 400"])
    code = main(["run", MMC, "-r", "2", "--set", 'horizon="1d"', "--set", 'warmup="2h"',
                 "--max-tickets", "600"])
    assert code == 0


def test_cli_check_prints_the_size_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", MMC, "--set", "replications=1000"]) == 0
    out = capsys.readouterr().out
    assert "Size: 26,880 tickets per replication, 26,880,000 over 1,000 replications" in out
    assert "estimated peak memory" in out
    assert "with the ticket table kept: refused at the default limit of 8,000,000" in out


# --------------------------------------------------------------------------- tables


def _workforce_scenario() -> ss.Scenario:
    return _load(ROOT / "scenarios" / "reserve_20pct.toml", {"horizon": "2w", "warmup": "2d"})


def test_tables_built_per_replication_equal_the_tables_of_all_runs() -> None:
    scenario, seed = _workforce_scenario(), 3
    runs = []
    for rep in range(3):
        stream = generate(scenario, rep, seed)
        runs.append((rep, stream, run_replication(scenario, stream, engine_stream(seed, rep))))
    expected = build_tables(scenario, runs)
    result = ss.simulate(scenario, replications=3, seed=seed)
    assert not result.events.empty
    for name in ("tickets", "staff", "timeline", "events"):
        pd.testing.assert_frame_equal(getattr(result, name), expected[name])
    pd.testing.assert_frame_equal(result.attainment(),
                                  sla_attainment(expected["tickets"], scenario))


def test_dropped_and_spilled_tickets_give_the_same_sla_and_summary(tmp_path: Path) -> None:
    scenario = _workforce_scenario()
    kept = ss.simulate(scenario, replications=3, seed=2)
    dropped = ss.simulate(scenario, replications=3, seed=2, tickets="drop")
    spilled = ss.simulate(scenario, replications=3, seed=2, tickets=tmp_path / "tickets")
    for other in (dropped, spilled):
        pd.testing.assert_frame_equal(other.sla(), kept.sla())
        pd.testing.assert_frame_equal(other.summary(), kept.summary())
        pd.testing.assert_frame_equal(other.attainment(), kept.attainment())
    assert dropped.ticket_table is None and spilled.ticket_table is None
    assert sorted(p.name for p in (tmp_path / "tickets").iterdir()) == [
        "tickets-r000000.parquet", "tickets-r000001.parquet", "tickets-r000002.parquet"]
    pd.testing.assert_frame_equal(spilled.tickets, kept.tickets)
    with pytest.raises(ValueError, match="tickets='drop'"):
        _ = dropped.tickets
    with pytest.raises(ValueError, match="'keep', 'drop' or a directory"):
        ss.simulate(scenario, replications=1, seed=2, tickets=3)  # type: ignore[arg-type]


def test_sweep_tasks_still_simulate_one_replication() -> None:
    scenario = build(mmc_dict(horizon="1d", warmup="2h"))
    one = simulate_replications(scenario, [1], 5)
    both = ss.simulate(scenario, replications=2, seed=5)
    pd.testing.assert_frame_equal(
        one.tickets, both.tickets[both.tickets["replication"] == 1].reset_index(drop=True))


def test_memory_with_tickets_dropped_does_not_grow_with_the_tickets() -> None:
    # Peak traced memory grows by the ticket table (>= 83 B a ticket) for every kept
    # replication; with the tickets dropped, only by the hourly timeline, staff and
    # summaries (a few kB a replication). 12 more replications of 4,800 tickets add
    # > 4.7 MB kept; dropped, the growth must stay below a quarter of that.
    scenario = build(mmc_dict(rate=200.0, staff=70, horizon="1d", warmup="2h"))

    def growth(tickets: str) -> int:
        small = _peak_bytes(lambda: ss.simulate(scenario, 4, seed=1, tickets=tickets))
        large = _peak_bytes(lambda: ss.simulate(scenario, 16, seed=1, tickets=tickets))
        return large - small

    kept, dropped = growth("keep"), growth("drop")
    assert kept > 12 * 4800 * 83
    assert dropped < kept / 4


def test_docs_size_examples_run_as_printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    section = text.split("## Size and memory", 1)[1]
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", section, flags=re.S | re.M)
    (_, keep_drop_spill), (_, limit), (_, printed) = blocks[:3]
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "results_md"}
    # The spill directory of the example, moved out of the repository.
    spill = keep_drop_spill.replace('"runs/mmc"', repr(str(tmp_path / "mmc")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        exec(compile(spill, "docs/results.md", "exec"), namespace)
        capsys.readouterr()
        exec(compile(limit, "docs/results.md", "exec"), namespace)
    assert capsys.readouterr().out == printed
    assert len(list((tmp_path / "mmc").iterdir())) == 3


def test_cli_out_of_memory_past_the_guard_is_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # A user who raised --max-tickets beyond the machine gets one line, not a traceback.
    import supportsim.simulation

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(supportsim.simulation, "simulate", exhausted)
    code = main(["run", str(ROOT / "scenarios" / "mmc.toml"), "--max-tickets", "1000000000"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert_one_line_error(err, ["out of memory", "--max-tickets"])
