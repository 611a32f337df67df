"""Uniform and empirical distributions (issue 14): draws against their closed forms.

Moments: sample mean and variance of 200,000 draws against the closed forms, within
Z = 4 standard errors (the variance's standard error from the closed-form fourth
central moment, ``sqrt((mu4 - sigma^4) / n)``). Shape: a Kolmogorov-Smirnov test (a
chi-square test for the discrete resampling form) at level 0.001, fixed seeds. In the
engine: an M/G/1 desk against the Pollaczek-Khinchine mean wait, within 4 standard
errors across replications.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import supportsim as ss
from supportsim.distributions import draw, moments, remaining
from supportsim.scenario._schema import Distribution
from tests.support import Z, assert_statistically_equal, build, mmc_dict, per_replication

N = 200_000
LEVEL = 1e-3  # KS and chi-square significance level (fixed seeds: a pass is reproducible)

UNIFORM = Distribution(dist="uniform", low="4min", high="16min")
VALUES = Distribution(dist="empirical", values=["2min", "5min", "5min", 0.25, "1h"])
QUANTILES = Distribution(dist="empirical", quantiles=[0, "5min", "10min", "30min", "2h"])


def _closed_form(spec: Distribution) -> tuple[float, float, float]:
    """Mean, variance and fourth central moment, written out independently of
    supportsim.distributions."""
    if spec.dist == "uniform":
        a, b = spec.low, spec.high
        assert a is not None and b is not None
        # U(a, b): mean (a+b)/2, variance (b-a)^2/12, mu4 (b-a)^4/80.
        return (a + b) / 2, (b - a) ** 2 / 12, (b - a) ** 4 / 80
    if spec.values is not None:
        v = np.array(spec.values)  # each value with probability 1/n
        m = v.mean()
        return float(m), float(((v - m) ** 2).mean()), float(((v - m) ** 4).mean())
    # Quantiles q_0..q_m: m uniforms on [q_k, q_{k+1}], weight 1/m each; the moments
    # about c of U(a, b) are ((b-c)^(r+1) - (a-c)^(r+1)) / ((r+1)(b-a)).
    q = np.array(spec.quantiles)
    a, b = q[:-1], q[1:]
    mean = float(np.mean((a + b) / 2))

    def central(r: int) -> float:
        return float(np.mean(((b - mean) ** (r + 1) - (a - mean) ** (r + 1)) / ((r + 1) * (b - a))))

    return mean, central(2), central(4)


@pytest.mark.parametrize("spec", [UNIFORM, VALUES, QUANTILES], ids=["uniform", "values",
                                                                     "quantiles"])
def test_sample_moments_match_the_closed_forms(spec: Distribution) -> None:
    x = draw(spec, np.random.default_rng(2026), N)
    mean, var, mu4 = _closed_form(spec)
    assert abs(x.mean() - mean) <= Z * math.sqrt(var / N)
    assert abs(x.var() - var) <= Z * math.sqrt((mu4 - var**2) / N)
    # moments() (used by capacity and Erlang estimates) gives the same closed forms.
    m, cv = moments(spec)
    assert m == pytest.approx(mean, rel=1e-12)
    assert cv == pytest.approx(math.sqrt(var) / mean, rel=1e-9)


def test_uniform_passes_a_ks_test() -> None:
    a, b = UNIFORM.low, UNIFORM.high
    assert a is not None and b is not None
    x = draw(UNIFORM, np.random.default_rng(5), 20_000)
    assert x.min() >= a and x.max() < b
    assert stats.kstest(x, stats.uniform(a, b - a).cdf).pvalue > LEVEL


def test_quantiles_pass_a_ks_test_against_the_piecewise_linear_cdf() -> None:
    q = np.array(QUANTILES.quantiles)
    p = np.linspace(0, 1, q.size)
    x = draw(QUANTILES, np.random.default_rng(6), 20_000)
    assert stats.kstest(x, lambda t: np.interp(t, q, p)).pvalue > LEVEL
    # The stated quantiles are the draws' quantiles (the median is 10 min).
    assert np.quantile(x, 0.5) == pytest.approx(10 / 60, abs=0.01)


def test_values_are_resampled_with_equal_weight() -> None:
    values = np.array(VALUES.values)
    x = draw(VALUES, np.random.default_rng(7), 20_000)
    assert set(np.unique(x)) <= set(values)
    # Each listed value (5 min twice) with probability 1/5: chi-square on the counts.
    distinct, counts = np.unique(x, return_counts=True)
    expected = np.array([(values == v).sum() / values.size for v in distinct]) * x.size
    assert stats.chisquare(counts, expected).pvalue > LEVEL


@pytest.mark.parametrize("spec", [UNIFORM, VALUES, QUANTILES], ids=["uniform", "values",
                                                                     "quantiles"])
def test_remaining_work_is_the_conditional_distribution(spec: Distribution) -> None:
    # Work left after `done` (a backlog ticket's): X - done given X > done. Compared with
    # rejection sampling from the same distribution.
    done = 0.15
    u = np.random.default_rng(8).random(20_000)
    left = remaining(spec, np.full(u.size, done), u)
    x = draw(spec, np.random.default_rng(9), 200_000)
    truth = x[x > done] - done
    assert left.min() > 0 or spec.values is not None
    assert stats.ks_2samp(left, truth).pvalue > LEVEL
    # Beyond the largest value nothing is left to draw: infinite, which the backlog refuses.
    assert np.isinf(remaining(spec, np.array([5.0]), np.array([0.5]))).all()


def _mg1_wait(rate: float, spec: Distribution) -> float:
    # Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)), rho = lambda E[S].
    mean, var, _ = _closed_form(spec)
    rho = rate * mean
    return rate * (var + mean**2) / (2 * (1 - rho))


@pytest.mark.slow
@pytest.mark.parametrize("spec", [UNIFORM, QUANTILES], ids=["uniform", "quantiles"])
def test_mg1_mean_wait_matches_pollaczek_khinchine(spec: Distribution) -> None:
    mean = _closed_form(spec)[0]
    rate = 0.6 / mean  # rho = 0.6
    data = mmc_dict(rate=rate, staff=1, horizon="30w")
    data["work"]["effort"]["l1"] = spec.model_dump(exclude_none=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        res = ss.simulate(build(data), replications=8, seed=21)
    reference = _mg1_wait(rate, spec)
    assert_statistically_equal(per_replication(res.tickets, "wait_time"), reference,
                               max_se=0.05 * reference)


# --------------------------------------------------------------------------- validation

BAD = {
    "low not below high": ({"dist": "uniform", "low": "5min", "high": "4min"},
                           "work.effort.l1.high must be above low (5min)"),
    "uniform without high": ({"dist": "uniform", "low": "5min"},
                             "work.effort.l1.high is required for dist = 'uniform'"),
    "mean with uniform": ({"dist": "uniform", "low": 0, "high": 1, "mean": 1},
                          "work.effort.l1.mean must be left out for dist = 'uniform'"),
    "negative low": ({"dist": "uniform", "low": -1, "high": 1},
                     "work.effort.l1.low must be a duration >= 0, got -1"),
    "no values": ({"dist": "empirical", "values": []},
                  "work.effort.l1.values must list 1 to 100,000 durations, got 0"),
    "negative value": ({"dist": "empirical", "values": [1, -1]},
                       "work.effort.l1.values.1 must be a number >= 0, got -1"),
    "bad unit": ({"dist": "empirical", "values": ["5 parsecs"]},
                 "work.effort.l1.values.0 must be a duration"),
    "both forms": ({"dist": "empirical", "values": [1], "quantiles": [0, 1]},
                   "work.effort.l1 must give exactly one of `values` and `quantiles`"),
    "neither form": ({"dist": "empirical"},
                     "work.effort.l1 must give exactly one of `values` and `quantiles`"),
    "one quantile": ({"dist": "empirical", "quantiles": [1]},
                     "work.effort.l1.quantiles must list 2 to 100,000 durations, got 1"),
    "falling quantiles": ({"dist": "empirical", "quantiles": [0, "2h", 1]},
                          "work.effort.l1.quantiles.2 must not be below the one before (2h)"),
    "zero mean": ({"dist": "empirical", "values": [0, 0]},
                  "work.effort.l1.values must give a mean of at least 1s, got 0"),
    "cv with empirical": ({"dist": "empirical", "values": [1], "cv": 1},
                          "work.effort.l1.cv must be left out for dist = 'empirical'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_distributions_are_one_line_errors(case: str) -> None:
    spec, expected = BAD[case]
    with pytest.raises(ss.ScenarioError) as info:
        build(mmc_dict(), {"work.effort.l1": spec})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(expected), message


def test_durations_with_units_and_round_trip() -> None:
    sc = build(mmc_dict(), {"work.effort.l1": {"dist": "empirical",
                                               "values": ["90s", "15min", 0.5]}})
    spec = sc.work.effort["l1"]
    assert spec.values == pytest.approx((0.025, 0.25, 0.5))
    again = ss.Scenario.from_dict(sc.to_dict())
    assert again.work.effort["l1"] == spec
