"""Output analysis (issue 16, part A): MSER-5 warm-up, batch means, replications needed.

References: Erlang C mean wait of M/M/c (supportsim.analytic.mean_wait, checked against
tables in tests/test_analytic.py); the AR(1) mean is its constant term over 1 - phi;
textbook sample-size formula n = min{n : t_{n-1} s / sqrt(n) <= h} (Law, Simulation
Modeling and Analysis, 5th ed., 9.4.1).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal, stats

import supportsim as ss
from supportsim import analytic
from supportsim.analysis import (
    LAG1_BOUND,
    batch_means,
    batch_means_interval,
    mser,
    replications_for,
    replications_needed,
    t_interval,
    warmup,
)
from tests.support import build, mmc_dict


def _ar1(rng: np.random.Generator, n: int, phi: float, mean: float, *,
         stationary: bool = True, runs: int = 1) -> np.ndarray:
    """`runs` AR(1) series x_t = mean + phi (x_{t-1} - mean) + e_t, e ~ N(0, 1), started
    in their stationary law (sd 1 / sqrt(1 - phi^2)) or at 0."""
    e = rng.standard_normal((runs, n))
    x0 = rng.standard_normal(runs) / np.sqrt(1 - phi**2) if stationary else np.full(runs, -mean)
    # Zero-input response of the filter carries the starting value x0 forward.
    zi = (phi * x0)[:, None]
    dev = signal.lfilter([1.0], [1.0, -phi], e, axis=1, zi=zi)[0]
    return mean + dev


@pytest.fixture(scope="module")
def mmc_high_load() -> ss.SimulationResult:
    # M/M/5 at rho = 0.95 (19 tickets/h, 15 min each), started empty, no warm-up given.
    sc = build(mmc_dict(rate=19.0, mean=0.25, staff=5, horizon="4w", warmup="0h"),
               {"replications": 20})
    return ss.simulate(sc, seed=1)


def _per_rep_mean_wait(res: ss.SimulationResult, cut: int) -> np.ndarray:
    tk = res.tickets
    tk = tk[tk["wait_time"].notna()].sort_values(["replication", "arrived_at"])
    return np.array([g["wait_time"].to_numpy()[cut:].mean()
                     for _, g in tk.groupby("replication")])


def test_mser_truncated_mean_wait_matches_erlang_c(mmc_high_load):
    res = mmc_high_load
    found = warmup(res, "wait")
    assert found.settled, found.message
    assert 0 < found.index < len(found.series) / 2
    expected = float(analytic.mean_wait(5, 19.0, 4.0))  # Erlang C: 0.8778 h
    kept = _per_rep_mean_wait(res, found.index)
    whole = _per_rep_mean_wait(res, 0)
    se = kept.std(ddof=1) / np.sqrt(kept.size)
    # Tolerance: 4 standard errors across the 20 independent replications.
    assert abs(kept.mean() - expected) < 4 * se
    # The untruncated mean is further off, and biased low (the empty start): the paired
    # difference (same replications) is negative by more than 3 of its standard errors.
    assert abs(whole.mean() - expected) > abs(kept.mean() - expected)
    diff = whole - kept
    assert diff.mean() < -3 * diff.std(ddof=1) / np.sqrt(diff.size)
    assert found.hours == pytest.approx(float(found.series.index[found.index]))


def test_auto_warmup_scores_like_erlang_c(mmc_high_load):
    # warmup = "auto" (part B) on the same runs: the cut of warmup(res, "wait") applied to
    # scoring; the mean wait per replication (tickets after the cut) agrees with Erlang C
    # within 4 standard errors across the 20 replications, where the untruncated one
    # (the fixture's own metrics, warm-up 0) is biased low. simulate(warmup="auto") is
    # this function on those runs (tests/test_sequential.py checks that equality).
    from supportsim.sequential._auto_warmup import apply_auto_warmup

    res = apply_auto_warmup(mmc_high_load)
    assert res.auto_warmup.index == warmup(mmc_high_load, "wait").index
    assert res.scenario.warmup == res.auto_warmup.hours > 0
    expected = float(analytic.mean_wait(5, 19.0, 4.0))  # Erlang C: 0.8778 h
    kept = res.metrics["mean_wait"].to_numpy()
    se = kept.std(ddof=1) / np.sqrt(kept.size)
    assert abs(kept.mean() - expected) < 4 * se
    whole = mmc_high_load.metrics["mean_wait"].to_numpy()
    assert abs(whole.mean() - expected) > abs(kept.mean() - expected)


def test_mser_backlog_series_settles(mmc_high_load):
    found = warmup(mmc_high_load, "backlog")
    assert found.settled
    assert found.hours < 4 * 168 / 2  # the cut lies in the first half
    assert found.series.size == 4 * 168 + 1 or found.series.size == 4 * 168


def test_mser_flags_an_overloaded_desk():
    # Offered load 5.25 Erlangs on 5 agents: the queue grows without bound.
    sc = build(mmc_dict(rate=21.0, mean=0.25, staff=5, horizon="4w", warmup="0h"),
               {"replications": 2})
    with pytest.warns(ss.CapacityWarning):
        res = ss.simulate(sc, seed=1)
    for metric in ("wait", "backlog"):
        found = warmup(res, metric)
        assert not found.settled
        assert "does not settle" in found.message
    with pytest.raises(ValueError, match="no warm-up to cut"):
        batch_means(res, "backlog", replication=0, warmup="mser")
    with pytest.raises(ValueError, match="warmup must be"):
        batch_means(res, "backlog", replication=0, warmup="auto")


def test_mser_cuts_little_on_a_stationary_series():
    # AR(1), phi 0.5, started in its stationary law: nothing to cut. Bound: a cut of at
    # most 5 % of the series in at least 95 % of 200 seeds.
    rng = np.random.default_rng(2016)
    series = _ar1(rng, 2000, 0.5, 3.0, runs=200)
    cuts = np.array([mser(s).index / s.size for s in series])
    assert np.mean(cuts <= 0.05) >= 0.95
    assert all(mser(s).settled for s in series[:20])


def test_mser_finds_an_initial_transient():
    # The same AR(1) started 10 sd below its mean: MSER-5 cuts the climb (phi 0.9:
    # the gap halves every 6.6 steps, below 1 % after 44) and keeps the rest.
    rng = np.random.default_rng(7)
    series = _ar1(rng, 3000, 0.9, 23.0, stationary=False, runs=50)
    cuts = np.array([mser(s).index for s in series])
    assert np.median(cuts) >= 20
    assert np.all(cuts < 1500)


def test_mser_rejects_bad_input():
    with pytest.raises(ValueError, match="too short"):
        mser(np.zeros(50))
    with pytest.raises(ValueError, match="NaN"):
        mser(np.full(500, np.nan))
    with pytest.raises(ValueError, match="batch"):
        mser(np.zeros(500), batch=0)


def test_batch_means_coverage_on_ar1():
    # 400 independent AR(1) runs (phi 0.5, mean 3), 20 batches of 200: the 95 % interval
    # covers the true mean in between 92 % and 98 % of them (binomial sd 1.1 %).
    rng = np.random.default_rng(16)
    runs = _ar1(rng, 4000, 0.5, 3.0, runs=400)
    results = [batch_means_interval(x, 20) for x in runs]
    cover = np.mean([r.low <= 3.0 <= r.high for r in results])
    assert 0.92 <= cover <= 0.98, cover
    # With 20 independent batch means the lag-1 estimate has sd about 1 / sqrt(20) = 0.22,
    # so the 0.2 bound raises a false alarm in about 15 % of runs (measured: 14 %).
    assert np.mean([not r.independent for r in results]) <= 0.2


def test_batch_means_flags_correlated_batches():
    # phi 0.99 (correlation time ~100 steps) with batches of 10: lag-1 far above the bound.
    rng = np.random.default_rng(3)
    out = batch_means_interval(_ar1(rng, 2000, 0.99, 0.0)[0], 200)
    assert out.lag1 > LAG1_BOUND and not out.independent
    assert "correlated" in out.message


def test_t_interval_coverage_on_mmc():
    # 400 experiments of 2 independent replications of M/M/2 at rho 0.5 (2 tickets/h,
    # 30 min each) over 4 days after an 8 h warm-up: the 95 % t-interval of the mean wait
    # covers Erlang C's 1/6 h in between 92 % and 98 % of them.
    sc = build(mmc_dict(rate=2.0, mean=0.5, staff=2, horizon="4d", warmup="8h"),
               {"replications": 800})
    res = ss.simulate(sc, seed=5, tickets="drop")
    expected = float(analytic.mean_wait(2, 2.0, 2.0))  # Erlang C: 1/6 h
    values = res.metrics["mean_wait"].to_numpy().reshape(400, 2)
    _, low, high = t_interval(values, axis=1)
    cover = np.mean((low <= expected) & (expected <= high))
    assert 0.92 <= cover <= 0.98, cover


def test_batch_means_on_one_long_replication():
    sc = build(mmc_dict(rate=19.0, mean=0.25, staff=5, horizon="12w", warmup="1w"),
               {"replications": 1})
    res = ss.simulate(sc, seed=4)
    out = batch_means(res, "wait", batches=20)
    expected = float(analytic.mean_wait(5, 19.0, 4.0))
    assert out.start == 168.0
    # A single run at rho 0.95: the interval is the check (4 half-widths, ~8 SE, since
    # 20 batches of a strongly correlated series can understate the spread).
    assert abs(out.mean - expected) < 4 * out.half_width
    auto = batch_means(res, "backlog", batches=10, warmup="mser")
    assert auto.start < 12 * 168 / 2 and auto.batches == 10


def test_batch_means_refuses_several_replications(mmc_high_load):
    with pytest.raises(ValueError, match="one long replication"):
        batch_means(mmc_high_load)
    out = batch_means(mmc_high_load, "backlog", replication=3, warmup=24.0)
    assert out.start == 24.0
    with pytest.raises(ValueError, match="not in this result"):
        batch_means(mmc_high_load, replication=99)


def test_replications_for_textbook_values():
    # s = 1, h = 0.5, 95 %: z gives 15.4 -> 16, but t_15 = 2.131 -> 0.533 > 0.5;
    # t_16 / sqrt(17) = 0.514; t_17 / sqrt(18) = 2.110 / 4.243 = 0.497 <= 0.5 -> 18.
    assert replications_for(1.0, 0.5) == 18
    rng = np.random.default_rng(11)
    for sd, h, conf in [(2.0, 0.1, 0.95), (0.3, 0.05, 0.9), (5.0, 4.0, 0.99)]:
        n = replications_for(sd, h, conf)
        q = 0.5 + conf / 2
        # Brute force with scipy.stats: the smallest n that meets the half-width.
        assert stats.t.ppf(q, n - 1) * sd / np.sqrt(n) <= h
        assert n == 2 or stats.t.ppf(q, n - 2) * sd / np.sqrt(n - 1) > h
    # Known variance: normal samples of sd 2, a pilot of 400 gives s within 10 % of 2
    # and about (1.96 * 2 / 0.1)^2 = 1537 replications.
    s = rng.normal(0, 2.0, 400).std(ddof=1)
    assert replications_for(s, 0.1) == pytest.approx(1537, rel=0.25)


def test_replications_needed_on_a_pilot(mmc_high_load):
    res = mmc_high_load
    out = replications_needed(res, "P1.response", 0.01)
    att = res.attainment().query("priority == 'P1'")["response_attainment"].to_numpy()
    assert out.sd == pytest.approx(att.std(ddof=1))
    assert out.pilot == 20 and out.replications == replications_for(out.sd, 0.01)
    assert out.replications > out.pilot  # the pilot's half-width is above 0.01
    wait = replications_needed(res, "mean_wait", 0.05)
    assert wait.mean == pytest.approx(res.metrics["mean_wait"].mean())
    assert replications_needed(res, "wait", 0.05).replications == wait.replications
    assert replications_needed(res, "response_attainment_P1", 0.01).replications == \
        out.replications
    with pytest.raises(ValueError, match="unknown metric"):
        replications_needed(res, "P9.response", 0.01)


def test_warmup_figure(mmc_high_load):
    fig = warmup(mmc_high_load, "backlog").figure()
    ax = fig.axes[0]
    assert "MSER-5" in ax.get_title() and ax.get_ylabel() == "backlog (tickets)"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.01, 100.0),
       shift=st.floats(-1e3, 1e3), batches=st.integers(2, 40))
def test_mser_and_batch_means_are_affine_equivariant(seed, scale, shift, batches):
    # Changing the unit (hours to minutes) or the origin moves no cut and maps the
    # interval; the grand mean of the batch means is the mean of what they cover.
    x = _ar1(np.random.default_rng(seed), 400, 0.7, 0.0, stationary=False)[0]
    assert mser(shift + scale * x).index == mser(x).index
    a, b = batch_means_interval(x, batches), batch_means_interval(shift + scale * x, batches)
    assert b.mean == pytest.approx(shift + scale * a.mean, rel=1e-9, abs=1e-6)
    assert b.half_width == pytest.approx(scale * a.half_width, rel=1e-9)
    kept = x[x.size - a.batch_size * batches:]
    assert a.mean == pytest.approx(kept.mean(), abs=1e-12)
    assert a.low <= a.mean <= a.high
