"""Rollout waves (issue 15): schema, closed forms, counts, demand curve, common random numbers.

Reference values are closed forms of the stated rate, derived in each test's comment;
counts are checked over R replications as Poisson totals: the sum of counts over R
replications has mean and variance R * Lambda, so it must lie within 4 * sqrt(R * Lambda)
of R * Lambda (a false alarm about once in 16,000 runs; seeds are fixed).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import supportsim as ss
from supportsim.demand import (
    expected_arrivals,
    generate,
    wave_integrals,
    wave_rates,
    weekly_profile,
)

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
HOURS_PER_WEEK = 168

# The attributes every stream had before waves; a digest of them over two replications.
OLD_FIELDS = ("arrived_at", "priority", "channel", "need", "patience", "storm", "effort",
              "triage", "retriage", "bounce_draw", "learning_draw", "knowledge_draw", "review")

# Golden digests, computed with main's code (commit bc51627, before waves) by the loop of
# `_digest` with seed 20260302: waves must leave every shipped scenario's tickets unchanged.
GOLDEN = {
    "golive_tiered.toml": "a5b2b833fd78746ca25e3edd55e06ef4",
    "growth_year.toml": "18bda1196ff95b5de417d6355d259841",
    "mmc.toml": "e13c21eaac036051b936737f7359b9c5",
    "provider_transition.toml": "14d0da3938e17dabfc908e57468bc077",
    "reserve_20pct.toml": "9bf19b78b25444e7352d4c09bb146e9c",
    "rollout_swarming.toml": "9bf19b78b25444e7352d4c09bb146e9c",
    "rollout_tiered.toml": "9bf19b78b25444e7352d4c09bb146e9c",
    "shift_left.toml": "135977281b4e630ea9fda7814c33822a",
}


def _digest(scenario: ss.Scenario) -> str:
    h = hashlib.sha256()
    for rep in (0, 1):
        stream = generate(scenario, rep, 20260302)
        for name in OLD_FIELDS:
            h.update(np.ascontiguousarray(getattr(stream, name)).tobytes())
    return h.hexdigest()[:32]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_shipped_scenarios_draw_the_same_tickets_as_before_waves(name: str) -> None:
    assert _digest(ss.load_scenario(SCENARIOS / name)) == GOLDEN[name]


# --------------------------------------------------------------------------- fixtures


def desk(waves: list[dict[str, Any]], *, rate: float = 0.01, horizon: str = "6w",
         profile: str = "flat", start: str = "2026-03-02T00:00",
         **demand: Any) -> ss.Scenario:
    """A one-tier desk whose base demand is small: the waves are what is measured."""
    return ss.Scenario.from_dict({
        "start": start, "horizon": horizon, "replications": 1,
        "demand": {"rate": rate, "profile": profile, "waves": waves, **demand},
        "priorities": {"P1": {"share": 0.2, "response": "1h", "resolution": "4h"},
                       "P2": {"share": 0.8, "response": "4h", "resolution": "1d"}},
        "work": {"mix": {"l1": 1.0}, "effort": {"l1": {"mean": "10min"}}},
        "team": {"tiers": {"l1": {"staff": 3}}},
    })


N, RATE, EARLY, SETTLE = 1000, 0.7, 5.0, 72.0  # users, tickets/user/week, K, tau (h)
WAVE = {"name": "one", "at": 24.0, "users": N, "rate": RATE, "early": EARLY, "settle": SETTLE}


def closed_form(t: float) -> float:
    """Expected tickets in the t hours after `at`: N r/168 (t + (K-1) tau (1 - e^(-t/tau))),
    the integral of r/168 (1 + (K-1) e^(-s/tau)) per user (issue 15)."""
    if t <= 0:
        return 0.0
    return N * RATE / HOURS_PER_WEEK * (t + (EARLY - 1) * SETTLE * (1 - math.exp(-t / SETTLE)))


def ramped_form(t: float, ramp: float) -> float:
    """Expected tickets in the t hours after `at` with users going live evenly over `ramp`.

    A user live from u raises M(s - u) tickets by s, M(s) = s + (K-1) tau (1 - e^(-s/tau))
    (times r/168); averaging u over [0, R]: N r/168 / R * (Q(t) - Q(t - R)), with
    Q(x) = integral_0^x M = x^2/2 + (K-1) tau (x - tau (1 - e^(-x/tau))) for x > 0, else 0.
    """
    def q(x: float) -> float:
        if x <= 0:
            return 0.0
        return x * x / 2 + (EARLY - 1) * SETTLE * (x - SETTLE * (1 - math.exp(-x / SETTLE)))

    return N * RATE / HOURS_PER_WEEK / ramp * (q(t) - q(t - ramp))


def wave_counts(scenario: ss.Scenario, windows: list[tuple[float, float]],
                replications: int) -> np.ndarray:
    """Tickets of wave 0 in each window, summed over replications (seed fixed)."""
    totals = np.zeros(len(windows))
    for rep in range(replications):
        stream = generate(scenario, rep, 12345)
        t = stream.arrived_at[stream.wave == 0]
        totals += [np.count_nonzero((t >= lo) & (t < hi)) for lo, hi in windows]
    return totals


def assert_poisson(total: float, expected: float) -> None:
    assert abs(total - expected) <= 4 * math.sqrt(expected), (total, expected)


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("t", [0.5, 24.0, 100.0, 500.0, 900.0])
def test_expected_arrivals_equal_the_integral_of_the_stated_rate(t: float) -> None:
    sc = desk([WAVE])
    at = WAVE["at"]
    base = 0.01 * t  # flat base rate over [at, at + t)
    assert expected_arrivals(sc, at, at + t) == pytest.approx(base + closed_form(t), rel=1e-9)
    # Before `at` only the base.
    assert expected_arrivals(sc, 0.0, at) == pytest.approx(0.01 * at, rel=1e-9)


@pytest.mark.parametrize("ramp", [10.0, 168.0, 700.0])
def test_ramped_wave_expected_arrivals_match_the_convolution(ramp: float) -> None:
    sc = desk([{**WAVE, "ramp": ramp}])
    at = WAVE["at"]
    for t in (ramp / 3, ramp, ramp + 50.0, 900.0):
        got = expected_arrivals(sc, at, at + t) - 0.01 * t
        assert got == pytest.approx(ramped_form(t, ramp), rel=1e-9)


def test_demand_curve_sums_to_expected_arrivals_and_matches_the_closed_form() -> None:
    sc = desk([WAVE, {**WAVE, "name": "two", "at": "2026-03-09", "ramp": "3d"}],
              profile="office")
    curve = ss.demand_curve(sc, step=6.0)
    assert list(curve.columns) == ["t", "base", "one", "two", "total"]
    widths = np.diff(np.append(curve["t"], sc.horizon))
    tickets = curve.drop(columns="t").mul(widths, axis=0).sum()
    assert tickets["total"] == pytest.approx(expected_arrivals(sc), rel=1e-9)
    assert tickets["base"] + tickets["one"] + tickets["two"] == pytest.approx(tickets["total"])
    # Flat profile, no base: the curve's bins are closed-form differences.
    flat = ss.demand_curve(desk([WAVE]), step=5.0)
    lo = flat["t"].to_numpy()
    hi = np.minimum(lo + 5.0, 1008.0)  # the last bin ends at the horizon, 6 weeks
    want = [(closed_form(b - 24.0) - closed_form(a - 24.0)) / (b - a)
            for a, b in zip(lo, hi, strict=True)]
    assert np.allclose(flat["one"], want, rtol=1e-9, atol=1e-12)


def test_waves_follow_the_weekly_profile_exactly_per_hour() -> None:
    # Per clock hour [x, y): w_h * N r/168 * ((y - x) + (K-1) tau (e^(-(x-at)/tau) -
    # e^(-(y-at)/tau))), summed by hand; the start is a Monday 00:00, so hour h of the
    # horizon is hour h % 168 of the profile.
    at = 24.5  # mid-hour: the first piece is half an hour
    sc = desk([{**WAVE, "at": at}], profile="office")
    weights = weekly_profile("office")
    total, a = 0.0, N * RATE / HOURS_PER_WEEK
    for hour in range(24, 300):
        x, y = max(float(hour), at), float(hour + 1)
        s0, s1 = x - at, y - at
        total += weights[hour % 168] * a * ((y - x) + (EARLY - 1) * SETTLE
                                            * (math.exp(-s0 / SETTLE) - math.exp(-s1 / SETTLE)))
    no_wave = desk([], profile="office")
    got = expected_arrivals(sc, at, 300.0) - expected_arrivals(no_wave, at, 300.0)
    assert got == pytest.approx(total, rel=1e-9)


def test_a_block_burst_multiplies_the_wave_and_growth_does_not() -> None:
    # docs/assumptions.md: bursts multiply wave demand, growth does not.
    at = WAVE["at"]
    burst = {"name": "outage", "at": at, "multiplier": 3.0, "duration": "2d"}
    sc = desk([WAVE], bursts=[burst], growth=0.5)
    got = wave_integrals(sc, np.array([at, at + 48.0, at + 200.0]))[0]
    assert got[0] == pytest.approx(3.0 * closed_form(48.0), rel=1e-9)
    assert got[1] == pytest.approx(closed_form(200.0) - closed_form(48.0), rel=1e-9)


def test_a_decaying_burst_on_a_ramped_wave_matches_numerical_integration() -> None:
    # Products of a ramp (linear in t) and two exponentials: against a fine midpoint rule
    # (1 s steps; its error is below 1e-8 relative for these smooth pieces).
    burst = {"name": "storm", "at": 60.0, "multiplier": 4.0, "decay": "10h"}
    sc = desk([{**WAVE, "ramp": "2d"}], bursts=[burst])
    grid = np.arange(0.0, 300.0, 1 / 3600) + 1 / 7200
    numeric = wave_rates(sc, grid).sum() / 3600
    assert wave_integrals(sc, np.array([0.0, 300.0]))[0, 0] == pytest.approx(numeric, rel=1e-7)


# --------------------------------------------------------------------------- counts


def test_counts_of_a_wave_match_the_closed_form() -> None:
    sc = desk([WAVE], horizon="4w")
    at, r = WAVE["at"], 12
    windows = [(at, at + 24), (at + 24, at + 168), (at + 168, at + 500)]
    totals = wave_counts(sc, windows, r)
    for (lo, hi), total in zip(windows, totals, strict=True):
        assert_poisson(total, r * (closed_form(hi - at) - closed_form(lo - at)))
    # No wave ticket before the go-live.
    stream = generate(sc, 0, 12345)
    assert stream.arrived_at[stream.wave == 0].min() >= at


def test_a_sharp_first_day_is_not_cut_by_the_thinning_bound() -> None:
    # early 20, settle 30 min, going live mid-hour: the rate falls e^-2-fold within the
    # hour, so a bound taken anywhere but at the peak would lose tickets.
    sc = desk([{**WAVE, "at": 24.5, "early": 20.0, "settle": "30min"}], horizon="1w")
    amount = N * RATE / HOURS_PER_WEEK

    def cumulative(t: float) -> float:  # the closed form with K = 20, tau = 0.5
        return amount * (t + 19 * 0.5 * (1 - math.exp(-t / 0.5)))

    windows = [(24.5, 25.0), (25.0, 26.0), (26.0, 30.0)]
    totals = wave_counts(sc, windows, 40)
    for (lo, hi), total in zip(windows, totals, strict=True):
        assert_poisson(total, 40 * (cumulative(hi - 24.5) - cumulative(lo - 24.5)))


def test_a_ramped_wave_onboards_its_users_evenly() -> None:
    ramp, at, r = 168.0, WAVE["at"], 12
    sc = desk([{**WAVE, "ramp": ramp}], horizon="4w")
    cuts = [0.0, 24.0, 84.0, 168.0, 250.0, 500.0]
    windows = [(at + a, at + b) for a, b in itertools.pairwise(cuts)]
    totals = wave_counts(sc, windows, r)
    for (lo, hi), total in zip(windows, totals, strict=True):
        assert_poisson(total, r * (ramped_form(hi - at, ramp) - ramped_form(lo - at, ramp)))


def test_wave_counts_follow_the_weekly_profile() -> None:
    # Office profile: a Sunday hour holds far fewer tickets than a Monday hour; counts per
    # day of the first week against the exact integral.
    sc = desk([{**WAVE, "at": 0.0, "settle": "1d"}], horizon="2w", profile="office")
    windows = [(24.0 * d, 24.0 * (d + 1)) for d in range(7)]
    totals = wave_counts(sc, windows, 8)
    expected = 8 * wave_integrals(sc, np.array([24.0 * d for d in range(8)]))[0]
    for total, want in zip(totals, expected, strict=True):
        assert_poisson(total, want)
    assert expected[0] > 5 * expected[6]


def test_wave_shares_of_channels_and_priorities() -> None:
    wave = {**WAVE, "priorities": {"P1": 0.5, "P2": 0.5}}
    sc = desk([wave], horizon="3w")
    stream = generate(sc, 0, 7)
    mine = stream.wave == 0
    share = float(np.mean(stream.priority[mine] == 0))
    n = int(mine.sum())
    assert abs(share - 0.5) <= 4 * math.sqrt(0.25 / n)
    base = stream.priority[~mine]
    assert abs(float(np.mean(base == 0)) - 0.2) <= 4 * math.sqrt(0.16 / base.size)


# --------------------------------------------------------------------------- properties


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), users=st.integers(0, 3000),
       at=st.floats(0, 500), ramp=st.one_of(st.none(), st.floats(1, 300)))
def test_adding_a_wave_never_changes_the_base_tickets(seed: int, users: int, at: float,
                                                      ramp: float | None) -> None:
    rng = np.random.default_rng(seed)
    replication = int(rng.integers(0, 100))
    first = {**WAVE, "name": "first", "users": 300}
    without = desk([first], rate=2.0, horizon="4w")
    added = {"name": "added", "at": at, "users": users, "rate": 0.5, "early": 3.0,
             "settle": "2d", **({"ramp": ramp} if ramp else {})}
    with_wave = desk([added, first], rate=2.0, horizon="4w")
    a = generate(without, replication, seed)
    b = generate(with_wave, replication, seed)
    # Base tickets, and the other wave's tickets, are the same tickets (common random
    # numbers): the wave is keyed by its name, not its position.
    keep = b.wave != 0
    for name in (*OLD_FIELDS,):
        assert np.array_equal(getattr(a, name), getattr(b, name)[..., keep], equal_nan=True)
    assert np.array_equal(a.wave[a.wave == 0], np.zeros(int((a.wave == 0).sum())))
    # Determinism: the same seed gives the same stream.
    again = generate(with_wave, replication, seed)
    for name in (*OLD_FIELDS, "wave"):
        assert np.array_equal(getattr(b, name), getattr(again, name), equal_nan=True)
    assert np.all(np.diff(b.arrived_at) >= 0)


# --------------------------------------------------------------------------- input


def error(waves: list[dict[str, Any]], **kwargs: Any) -> str:
    with pytest.raises(ss.ScenarioError) as info:
        desk(waves, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("change", "expected"), [
    ({"at": "2026-02-20"}, "demand.waves.0.at is before start (2026-03-02T00:00): a wave "
                           "must go live at or after start"),
    ({"at": -5}, "demand.waves.0.at must be a duration >= 0"),
    ({"users": -1}, "demand.waves.0.users must be an integer >= 0, got -1"),
    ({"users": 2.5}, "demand.waves.0.users"),
    ({"rate": 1e9}, "demand.waves.0.rate must be a number <= 100"),
    ({"early": 0.5}, "demand.waves.0.early must be a number >= 1"),
    ({"settle": 0}, "demand.waves.0.settle must be a duration >= 1s"),
    ({"name": "total"}, "demand.waves.0.name must not be one of t, base, total"),
    ({"priorities": {"P9": 1.0}}, "demand.waves.0.priorities.P9 is not a priority"),
    ({"channels": {"phone": 1.0}}, "demand.waves.0.channels.phone is not a channel"),
    ({"priorities": {"P1": 0.5}}, "demand.waves.0.priorities shares must sum to 1"),
    ({"at": "2026-02-30"}, "demand.waves.0.at is not a valid date"),
    ({"settle": {"learning": "1w", "plateau": 9.0}},
     "demand.waves.0.settle.plateau must be <= early (5), got 9.0"),
    ({"settle": {"learning": "1w", "plateau": 2.0, "improvement": -1}},
     "demand.waves.0.settle.improvement must be a duration >= 0"),
])
def test_bad_waves_are_one_line_errors(change: dict[str, Any], expected: str) -> None:
    assert expected in error([{**WAVE, **change}])


def test_wave_names_are_unique() -> None:
    assert "demand.waves.1.name must be unique" in error([WAVE, WAVE])


def test_an_invalid_start_is_the_only_error_of_waves_given_by_date() -> None:
    # Waves dated "2026-03-09" cannot be placed without a start, but that is start's
    # error, reported once: no knock-on "needs a valid `start`" on each wave's `at`.
    sc = desk([{**WAVE, "at": "2026-03-09"}, {**WAVE, "name": "b", "at": "2026-03-16"}])
    with pytest.raises(ss.ScenarioError) as info:
        sc.with_overrides({"start": "2026-13-01"})
    message = str(info.value)
    assert message.startswith("start must be a valid datetime"), message
    assert "got '2026-13-01'" in message and "waves" not in message, message
    assert "more problem" not in message, message


def test_dates_are_kept_as_written_and_follow_start() -> None:
    sc = desk([{**WAVE, "at": "2026-03-09"}])
    assert sc.demand.waves[0].at == 168.0
    assert sc.to_dict()["demand"]["waves"][0]["at"] == "2026-03-09"
    moved = sc.with_overrides({"start": "2026-03-05T00:00"})
    assert moved.demand.waves[0].at == 96.0
    again = ss.Scenario.from_dict(tomllib.loads(sc.to_toml()))
    assert again == sc


def test_demand_curve_rejects_bad_steps() -> None:
    sc = desk([WAVE])
    for step in (0, -1.0, float("nan"), "1h", 1e-9):
        with pytest.raises(ss.ScenarioError, match="step must be"):
            ss.demand_curve(sc, step=step)  # type: ignore[arg-type]


def test_ticket_table_records_the_wave() -> None:
    sc = desk([WAVE], horizon="1w")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(sc, replications=1, seed=3)
    tickets = res.tickets
    assert set(tickets["wave"].dropna()) == {"one"}
    assert tickets["wave"].isna().sum() > 0 and (tickets["wave"] == "one").sum() > 0
    assert (tickets.loc[tickets["wave"] == "one", "arrived_at"] >= WAVE["at"]).all()


# --------------------------------------------------------------------------- check


def test_check_prints_each_waves_share_of_the_expected_tickets(
        capsys: pytest.CaptureFixture[str]) -> None:
    from supportsim.cli import main

    path = SCENARIOS / "rollout_waves.toml"
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    section = out[out.index("Rollout waves"):]
    sc = ss.load_scenario(path)
    total = expected_arrivals(sc)
    own = wave_integrals(sc, np.array([0.0, sc.horizon]))[:, 0]
    for wave, expected in zip(sc.demand.waves, own, strict=True):
        line = next(row for row in section.splitlines() if row.strip().startswith(wave.name))
        assert f"{expected:,.0f}" in line and f"{expected / total:.1%}" in line, line
    # Without waves the section is left out.
    assert main(["check", str(SCENARIOS / "mmc.toml")]) == 0
    assert "Rollout waves" not in capsys.readouterr().out


def test_offered_load_counts_the_waves_priority_shares() -> None:
    # P1 work is four times P2's at L1; a wave of P1 tickets only raises the P1 share of
    # all tickets from 0.2 to (0.2 base + wave) / total, and the offered load with it.
    from supportsim.capacity import tier_loads

    work = {"priorities": {"P1": {"effort": {"l1": {"mean": "40min"}}}}}
    base = desk([], rate=1.0, horizon="2w")
    data = base.to_dict()
    data["work"].update(work)
    data["demand"]["waves"] = [{**WAVE, "priorities": {"P1": 1.0}}]
    sc = ss.Scenario.from_dict(data)
    tickets = expected_arrivals(sc)
    wave = wave_integrals(sc, np.array([0.0, sc.horizon]))[0, 0]
    p1 = (0.2 * (tickets - wave) + wave) / tickets
    hours = p1 * 40 / 60 + (1 - p1) * 10 / 60  # mean effort per ticket at L1
    load = tier_loads(sc)["offered_load"].iloc[0]
    assert load == pytest.approx(tickets / sc.horizon * hours, rel=1e-9)


# --------------------------------------------------------------------------- linear settling

CURVE = {"learning": 48.0, "plateau": 2.0, "improvement": 120.0}


def multiplier_integral(x: float) -> float:
    """Integral over [0, x] of the per-user multiplier m: EARLY to 2 over 48 h, 2 to 1 over
    the next 120 h, then 1 (trapezoids of the piecewise-linear curve)."""
    if x <= 0:
        return 0.0
    lead, plateau, tail = CURVE["learning"], CURVE["plateau"], CURVE["improvement"]
    if x <= lead:
        return EARLY * x + (plateau - EARLY) * x * x / (2 * lead)
    total = (EARLY + plateau) / 2 * lead
    u = x - lead
    if u <= tail:
        return total + plateau * u + (1 - plateau) * u * u / (2 * tail)
    return total + (plateau + 1) / 2 * tail + (u - tail)


@pytest.mark.parametrize("ramp", [None, 30.0, 100.0, 400.0])
def test_a_linear_settle_curve_integrates_exactly(ramp: float | None) -> None:
    from scipy.integrate import quad

    wave = {**WAVE, "settle": CURVE, **({"ramp": ramp} if ramp else {})}
    sc = desk([wave], horizon="8w")
    a, at = N * RATE / HOURS_PER_WEEK, WAVE["at"]
    for t in (20.0, 48.0, 150.0, 168.0 + 48.0, 1000.0):
        if ramp is None:
            want = a * multiplier_integral(t)
        else:
            # Users live from u ~ uniform(0, R): a / R * integral_0^R Mc(t - u) du
            # (quad on the piecewise-quadratic integrand, split at its knots).
            knots = [u for u in (t - 48.0, t - 168.0) if 0 < u < ramp]
            value, _ = quad(lambda u, t=t: multiplier_integral(t - u), 0, ramp,
                            points=knots or None, epsabs=0, epsrel=1e-13)
            want = a / ramp * value
        got = wave_integrals(sc, np.array([at, at + t]))[0, 0]
        assert got == pytest.approx(want, rel=1e-9)


def test_counts_of_a_ramped_linear_wave() -> None:
    wave = {**WAVE, "settle": CURVE, "ramp": 72.0}
    sc = desk([wave], horizon="4w")
    at = WAVE["at"]
    cuts = [0.0, 36.0, 72.0, 120.0, 240.0, 600.0]
    windows = [(at + a, at + b) for a, b in itertools.pairwise(cuts)]
    totals = wave_counts(sc, windows, 10)
    expected = 10 * wave_integrals(sc, np.array([at + c for c in cuts]))[0]
    for total, want in zip(totals, expected, strict=True):
        assert_poisson(total, want)
    # The integrals themselves are checked against the closed form above; here the draws.
    assert expected.sum() > 1000


def test_waves_under_dips_clipped_at_zero() -> None:
    # Two overlapping dips of depth 0.8 push 1 + extra below zero (clipped): no closed
    # form; expected_arrivals and demand_curve both use five-minute midpoint rules (whose
    # grids differ, hence 1e-4), and no wave ticket arrives where the factor is 0.
    dips = [{"name": "outage", "at": "2d", "multiplier": 0.2, "duration": "1d"},
            {"name": "holiday", "at": "60h", "multiplier": 0.2, "duration": "6h"}]
    sc = desk([{**WAVE, "ramp": "1d"}], horizon="2w", bursts=dips)
    curve = ss.demand_curve(sc, step=4.0)
    widths = np.diff(np.append(curve["t"], sc.horizon))
    assert (curve["total"] * widths).sum() == pytest.approx(expected_arrivals(sc), rel=1e-4)
    assert (curve.loc[(curve["t"] >= 60) & (curve["t"] < 64), "one"] == 0).all()
    stream = generate(sc, 0, 5)
    t = stream.arrived_at[stream.wave == 0]
    assert not ((t >= 60) & (t < 66)).any() and t.size > 0


def test_a_wave_without_users_raises_no_tickets() -> None:
    sc = desk([{**WAVE, "users": 0}, {**WAVE, "name": "late", "at": "52w"}])
    stream = generate(sc, 0, 5)
    assert not (stream.wave >= 0).any()
    assert expected_arrivals(sc) == pytest.approx(0.01 * sc.horizon, rel=1e-12)
    curve = ss.demand_curve(sc)
    assert (curve["one"] == 0).all() and (curve["late"] == 0).all()
