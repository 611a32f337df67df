"""supportsim.analytic against independent references.

References are either published table values, the classic stable Erlang B recursion
written out below, or a birth-death chain (M/M/c+M) solved directly in the test; each
value says where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.linalg import expm
from scipy.special import logsumexp

from supportsim.analytic import (
    ErlangA,
    erlang_a,
    erlang_b,
    erlang_c,
    halfin_whitt_beta,
    mean_sojourn,
    mean_wait,
    required_staff,
    service_level,
    sqrt_staffing,
    wait_probability,
    wait_tail,
)
from supportsim.analytic._numerics import _log_kummer

SETTINGS = settings(max_examples=200, deadline=None)
loads = st.floats(0.0, 5000.0, allow_nan=False)


def erlang_b_recursion(c: int, a: np.ndarray) -> np.ndarray:
    """Reference Erlang B: B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), stable for any c."""
    b = np.ones_like(a)
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def birth_death(c: int, lam: float, mu: float, theta: float, extra: int = 400) -> np.ndarray:
    """Stationary law of M/M/c+M truncated at c + extra: up lam, down min(k,c) mu + (k-c)+ theta.

    Detailed balance solved in log space; the queue decays geometrically well before the
    truncation for every parameter set used here.
    """
    k = np.arange(1, c + extra + 1)
    down = np.minimum(k, c) * mu + np.maximum(k - c, 0) * theta
    log_p = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(down))])
    return np.exp(log_p - logsumexp(log_p))


# ---------------------------------------------------------------- reference values


def test_erlang_b_table_value() -> None:
    # Standard Erlang B table: B(7 servers, 5 Erlangs) = 0.120519.
    assert erlang_b(7, 5) == pytest.approx(0.120519, rel=1e-5)


def test_erlang_c_reference_values() -> None:
    # Erlang C(7, 5) = 0.324150 (standard tables); C(1000, 950) = 0.0682534 from the
    # exact recursion B(k) above followed by C = cB / (c - a(1 - B)).
    assert erlang_c(7, 5) == pytest.approx(0.324150, rel=1e-5)
    assert erlang_c(1000, 950) == pytest.approx(0.0682534, rel=1e-5)
    b = erlang_b_recursion(1000, np.array(950.0))
    assert erlang_c(1000, 950) == pytest.approx(1000 * b / (1000 - 950 * (1 - b)), rel=1e-9)


def test_mmc_wait_of_seven_agents() -> None:
    # lambda 20/h, mean service 15 min (mu 4/h), 7 servers: P(wait > 0) = C(7, 5) = 0.324150
    # and mean wait C / (c mu - lambda) = 0.324150 / 8 = 0.0405187 h.
    assert wait_probability(7, 20, 4) == pytest.approx(0.324150, rel=1e-5)
    assert mean_wait(7, 20, 4) == pytest.approx(0.0405187, rel=1e-5)
    assert mean_sojourn(7, 20, 4) == pytest.approx(0.0405187 + 0.25, rel=1e-5)


def test_pooling_numbers() -> None:
    # M/M/1, lambda 3, mu 4: Wq = rho / (mu - lambda) = 0.75 / 1 = 0.75 h.
    assert mean_wait(1, 3, 4) == pytest.approx(0.75, rel=1e-12)
    # M/M/2, lambda 6, mu 4: C(2, 1.5) = 9/14, Wq = C / (8 - 6) = 9/28 = 0.321429 h.
    assert mean_wait(2, 6, 4) == pytest.approx(0.321429, rel=1e-5)


def test_edge_cases_and_unstable_queues() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0
    assert erlang_c(5, 0.0) == 0.0
    assert erlang_c(5, 5.0) == 1.0
    assert erlang_c(5, 7.5) == 1.0
    assert mean_wait(5, 30, 4) == np.inf
    assert mean_sojourn(5, 30, 4) == np.inf
    assert wait_tail(5, 30, 4, 1.0) == 1.0
    assert service_level(5, 30, 4, 1.0) == 0.0
    assert wait_tail(7, 20, 4, 0.0) == pytest.approx(float(erlang_c(7, 5)), rel=1e-12)
    assert service_level(7, 20, 4, np.inf) == 1.0


def test_broadcasting_shapes() -> None:
    out = erlang_c(np.array([[5], [10], [20]]), np.array([1.0, 4.0]))
    assert out.shape == (3, 2)
    assert service_level([7, 8], 20, 4, [[0.0], [0.1]]).shape == (2, 2)
    assert erlang_a([7, 8], 20, 4, [[1.0], [2.0], [3.0]]).wait_probability.shape == (3, 2)


# ---------------------------------------------------------------- Erlang B numerics


@pytest.mark.parametrize("c", [1, 2, 5, 10, 37, 100, 250, 500, 1000, 1500, 2000])
def test_erlang_b_matches_recursion(c: int) -> None:
    a = np.array([1e-3, 0.5, 1, 3, 10, 50, 100, 300, 500, 900, 1000, 1100, 1500, 2000, 2500,
                  4000, 5000, 1e4, 1e5, 1e6])
    reference = erlang_b_recursion(c, a)
    # Below ~1e-300 the recursion itself loses digits to subnormals.
    tiny = reference < 1e-290
    np.testing.assert_allclose(erlang_b(c, a)[~tiny], reference[~tiny], rtol=1e-9)
    assert np.all(erlang_b(c, a)[tiny] < 1e-280)


@pytest.mark.parametrize(("c", "a"), [(0.5, 0.3), (2.5, 2.0), (7.25, 5.0), (99.5, 120.0),
                                      (10.5, 800.0)])
def test_erlang_b_continuous_servers(c: float, a: float) -> None:
    # Continuous extension (Jagerman 1974): 1 / B(c, a) = int_0^inf e^-t (1 + t/a)^c dt.
    inverse, _ = integrate.quad(lambda t: np.exp(-t + c * np.log1p(t / a)), 0, np.inf,
                                epsabs=0, epsrel=1e-12, limit=200)
    assert erlang_b(c, a) == pytest.approx(1 / inverse, rel=1e-9)


# ---------------------------------------------------------------- properties


@SETTINGS
@given(c=st.floats(0.0, 3000.0), a=loads)
def test_erlang_b_is_a_decreasing_probability(c: float, a: float) -> None:
    b = float(erlang_b(c, a))
    assert 0.0 <= b <= 1.0
    assert float(erlang_b(c + 1, a)) <= b * (1 + 1e-12)
    assert float(erlang_b(c + 0.5, a)) <= b * (1 + 1e-12)


@SETTINGS
@given(c=st.integers(0, 3000), a=loads)
def test_erlang_c_at_least_erlang_b(c: int, a: float) -> None:
    assert float(erlang_c(c, a)) >= float(erlang_b(c, a)) * (1 - 1e-12)
    assert 0.0 <= float(erlang_c(c, a)) <= 1.0


@SETTINGS
@given(a=st.floats(0.0, 5000.0), extra=st.integers(1, 200), t=st.floats(0.0, 2.0),
       dt=st.floats(0.0, 1.0), mu=st.floats(0.5, 20.0))
def test_service_level_increases_with_time_and_servers(
    a: float, extra: int, t: float, dt: float, mu: float
) -> None:
    c = int(np.floor(a)) + extra
    level = float(service_level(c, a * mu, mu, t))
    assert float(service_level(c, a * mu, mu, t + dt)) >= level - 1e-12
    assert float(service_level(c + 1, a * mu, mu, t)) >= level - 1e-12


@SETTINGS
@given(a=loads, mu=st.floats(0.5, 20.0), level=st.floats(0.05, 0.995),
       t=st.floats(0.0, 1.0))
def test_required_staff_is_the_smallest_that_meets_the_target(
    a: float, mu: float, level: float, t: float
) -> None:
    lam = a * mu
    c = int(required_staff(lam, mu, level, t))
    assert c > lam / mu
    assert float(service_level(c, lam, mu, t)) >= level
    fewer = c - 1
    assert fewer <= lam / mu or float(service_level(fewer, lam, mu, t)) < level


@settings(max_examples=100, deadline=None)  # each example makes ~8 calls per row
@given(st.lists(st.tuples(st.integers(0, 2000), loads, st.floats(0.01, 50.0)),
                min_size=1, max_size=8))
def test_vectorised_equals_elementwise(rows: list[tuple[int, float, float]]) -> None:
    c, a, theta = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    mu = 2.0
    together = erlang_a(c, a * mu, mu, theta)
    vectorised = {
        "erlang_b": erlang_b(c, a),
        "erlang_c": erlang_c(c, a),
        "service_level": service_level(c, a * mu, mu, 0.1),
        "wait_probability": together.wait_probability,
        "abandon_probability": together.abandon_probability,
        "erlang_a_service_level": together.service_level(0.1),
    }
    for i in range(len(rows)):
        one = erlang_a(c[i], a[i] * mu, mu, theta[i])
        scalar = {
            "erlang_b": erlang_b(c[i], a[i]),
            "erlang_c": erlang_c(c[i], a[i]),
            "service_level": service_level(c[i], a[i] * mu, mu, 0.1),
            "wait_probability": one.wait_probability,
            "abandon_probability": one.abandon_probability,
            "erlang_a_service_level": one.service_level(0.1),
        }
        for name, value in scalar.items():
            np.testing.assert_allclose(value, vectorised[name][i], rtol=1e-12, err_msg=name)
    staff = required_staff(a * mu, mu, 0.8, 1 / 180)
    assert [int(required_staff(x * mu, mu, 0.8, 1 / 180)) for x in a] == staff.tolist()


def test_required_staff_examples_and_scale() -> None:
    # 20/h, 15 min handling, 80 % within 20 s: 7 agents give 69 %, 8 give 84.4 %.
    assert required_staff(20, 4, 0.8, 20 / 3600) == 8
    # No arrivals still needs c > a = 0.
    assert required_staff(0, 4, 0.8, 0) == 1
    lam = np.linspace(0, 6 * 5000, 4001)
    staff = required_staff(lam, 6, 0.9, 10 / 3600)
    assert staff.dtype == np.int64
    assert np.all(service_level(staff, lam, 6, 10 / 3600) >= 0.9)
    fewer = staff - 1
    assert np.all((fewer <= lam / 6) | (service_level(fewer, lam, 6, 10 / 3600) < 0.9))


# ---------------------------------------------------------------- Halfin-Whitt


@pytest.mark.parametrize("target", [1e-12, 0.01, 0.2, 0.5, 0.9, 0.999999])
def test_halfin_whitt_beta_solves_the_limit(target: float) -> None:
    beta = float(halfin_whitt_beta(target))
    limit = 1 / (1 + beta * stats.norm.cdf(beta) / stats.norm.pdf(beta))
    assert limit == pytest.approx(target, rel=1e-10)


def test_square_root_staffing() -> None:
    assert sqrt_staffing(100, 1.0) == 110
    np.testing.assert_array_equal(sqrt_staffing([0, 4, 2.25], [1, 1, 2]), [0, 6, 6])
    assert sqrt_staffing(1, -3) == 0
    # Halfin-Whitt is accurate for large loads: P(wait) lands near the target.
    for target in (0.2, 0.5):
        c = sqrt_staffing(5000, halfin_whitt_beta(target))
        assert float(erlang_c(c, 5000)) == pytest.approx(target, abs=0.01)


# ---------------------------------------------------------------- Erlang A


# (servers, lambda, mu, theta); the comment names the numerical branch of A(x, y) used.
ERLANG_A_CASES = [
    (7, 20.0, 4.0, 6.0),  # incomplete gamma
    (10, 12.0, 1.0, 0.5),  # incomplete gamma, lambda > c mu
    (10, 30.0, 1.0, 0.5),  # incomplete gamma, heavy overload
    (3, 10.0, 1.0, 50.0),  # series (impatient)
    (1, 0.5, 1.0, 2.0),  # series
    (100, 60.0, 1.0, 0.05),  # Watson expansion (patient, underloaded)
    (50, 40.0, 1.0, 0.01),  # Watson expansion
    (2, 1.99, 1.0, 0.2),  # incomplete gamma near critical load
]


@pytest.mark.parametrize(("c", "lam", "mu", "theta"), ERLANG_A_CASES)
def test_erlang_a_matches_birth_death_chain(c: int, lam: float, mu: float, theta: float) -> None:
    p = birth_death(c, lam, mu, theta)
    queue = np.maximum(np.arange(p.size) - c, 0)
    result = erlang_a(c, lam, mu, theta)
    # PASTA: an arrival waits iff it finds all c busy; abandonment = theta E[Q] / lambda.
    assert result.wait_probability == pytest.approx(p[c:].sum(), abs=1e-8)
    assert result.abandon_probability == pytest.approx(theta * (queue * p).sum() / lam, abs=1e-8)
    assert result.mean_wait == pytest.approx((queue * p).sum() / lam, rel=1e-8)


@pytest.mark.parametrize(("c", "lam", "mu", "theta"), ERLANG_A_CASES[:6])
def test_erlang_a_service_level_matches_tagged_customer_chain(
    c: int, lam: float, mu: float, theta: float
) -> None:
    # An arrival finding c + j in system has j ahead; ahead-count i drops at c mu + i theta,
    # the head enters service at c mu, and the tagged customer abandons at theta. The
    # absorbing chain's transient law, started from the law seen on arrival (PASTA), puts
    # P(served, wait <= t) on the "served" state at time t.
    p = birth_death(c, lam, mu, theta)
    ahead = int(np.flatnonzero(p[c:] > 1e-17).max()) + 2  # the rest carries no mass
    gen = np.zeros((ahead + 2, ahead + 2))  # states: i ahead, then served, then abandoned
    for i in range(ahead):
        if i:
            gen[i, i - 1] = c * mu + i * theta
        else:
            gen[i, ahead] = c * mu
        gen[i, ahead + 1] = theta
        gen[i, i] = -(c * mu + (i + 1) * theta)
    start = np.zeros(ahead + 2)
    start[:ahead] = p[c : c + ahead]
    result = erlang_a(c, lam, mu, theta)
    for t in (0.0, 0.01, 0.1, 1.0, 5.0):
        served = (start @ expm(gen * t))[ahead]
        assert result.service_level(t) == pytest.approx(p[:c].sum() + served, abs=1e-8)
    assert result.service_level(np.inf) == pytest.approx(1 - result.abandon_probability, abs=1e-12)


@pytest.mark.parametrize(("c", "lam", "mu"), [(7, 20.0, 4.0), (100, 95.0, 1.0),
                                              (1000, 950.0, 1.0), (3, 2.9, 1.0)])
def test_erlang_a_without_abandonment_is_erlang_c(c: int, lam: float, mu: float) -> None:
    result = erlang_a(c, lam, mu, 1e-9)
    assert result.wait_probability == pytest.approx(float(erlang_c(c, lam / mu)), abs=1e-6)
    assert result.mean_wait == pytest.approx(float(mean_wait(c, lam, mu)), rel=1e-5)
    assert result.service_level(0.1) == pytest.approx(float(service_level(c, lam, mu, 0.1)),
                                                      abs=1e-6)


@pytest.mark.parametrize(("c", "lam", "mu"), [(7, 20.0, 4.0), (50, 60.0, 1.0), (3, 0.5, 1.0)])
def test_erlang_a_with_instant_abandonment_is_a_loss_system(c: int, lam: float, mu: float) -> None:
    # theta -> inf: whoever finds all agents busy leaves at once, so there is almost no
    # queue and the abandonment probability tends to the Erlang B blocking probability.
    result = erlang_a(c, lam, mu, 1e9)
    assert result.mean_wait * lam < 1e-7  # E[Q] by Little
    assert result.abandon_probability == pytest.approx(float(erlang_b(c, lam / mu)), rel=1e-6)


@SETTINGS
@given(c=st.integers(0, 500), a=st.floats(0.0, 800.0), mu=st.floats(0.5, 10.0),
       theta=st.floats(1e-3, 100.0))
def test_erlang_a_identities(c: int, a: float, mu: float, theta: float) -> None:
    result = erlang_a(c, a * mu, mu, theta)
    assert isinstance(result, ErlangA)
    # Exponential patience: abandonment = theta E[Q] / lambda and E[W] = E[Q] / lambda.
    assert result.abandon_probability == pytest.approx(theta * result.mean_wait, rel=1e-12)
    assert 0.0 <= result.abandon_probability <= result.wait_probability <= 1.0
    start, later, end = (float(result.service_level(t)) for t in (0.0, 0.05, np.inf))
    assert start == pytest.approx(1 - float(result.wait_probability), abs=1e-9)
    assert start - 1e-9 <= later <= end + 1e-9
    # Two independent routes to the same number. Near c = a with patience ~1,000 x the
    # service time the Kummer arguments reach ~1e6 and the routes agree to ~1e-8 (worst
    # of 20,000 random draws: 2.4e-8 at c=453, a=450.7, mu=3.99, theta=0.00179; all
    # others < 6e-10), hence 1e-7 here.
    assert end == pytest.approx(1 - float(result.abandon_probability), abs=1e-7)


@pytest.mark.parametrize(("x", "y"), [(2000.0, 1200.0), (1446.0, 1000.0), (1448.0, 1000.0),
                                      (1e4, 9.9e3), (50.0, 60.0), (3.0, 2.5), (1000.0, 999.0)])
def test_kummer_sum_across_branch_boundaries(x: float, y: float) -> None:
    # Brute force: A = sum_j prod_{i<=j} y / (x + i) and T = sum_j j t_j, summed in logs.
    j = np.arange(1, 200_000)
    log_terms = np.concatenate([[0.0], np.cumsum(np.log(y) - np.log(x + j))])
    log_a, log_t = _log_kummer(np.array(x), np.array(y))
    assert float(log_a) == pytest.approx(logsumexp(log_terms), abs=1e-12)
    assert float(log_t) == pytest.approx(logsumexp(log_terms[1:] + np.log(j)), abs=1e-10)


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("function", "args", "message"),
    [
        (erlang_b, (-1, 2.0), r"servers must be >= 0, got -1"),
        (erlang_b, (3, np.nan), r"offered_load must be >= 0, got nan"),
        (erlang_c, (np.inf, 2.0), r"servers must be finite, got inf"),
        (wait_probability, (3, -2.0, 1.0), r"arrival_rate must be >= 0, got -2"),
        (mean_wait, (3, 2.0, 0.0), r"service_rate must be > 0, got 0"),
        (mean_sojourn, (3, 2.0, -1.0), r"service_rate must be > 0"),
        (wait_tail, (3, 2.0, 1.0, -0.5), r"t must be >= 0, got -0.5"),
        (service_level, (3, 2.0, 1.0, [0.1, -1.0]), r"target_time must be >= 0, got -1"),
        (erlang_a, (3, 2.0, 1.0, 0.0), r"patience_rate must be > 0, got 0"),
        (required_staff, (2.0, 1.0, 1.0, 0.1), r"target_level must be in \(0, 1\), got 1"),
        (required_staff, (2.0, 1.0, 0.0, 0.1), r"target_level must be in \(0, 1\), got 0"),
        (required_staff, (2.0, 1.0, 0.8, -0.1), r"target_time must be >= 0, got -0.1"),
        (sqrt_staffing, (-4.0, 1.0), r"offered_load must be >= 0, got -4"),
        (sqrt_staffing, (4.0, np.inf), r"beta must be finite, got inf"),
        (halfin_whitt_beta, (1.5,), r"wait_probability_target must be in \(0, 1\), got 1.5"),
    ],
)
def test_bad_arguments_name_the_argument(
    function: Callable[..., Any], args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        function(*args)


def test_erlang_a_service_level_rejects_negative_time() -> None:
    with pytest.raises(ValueError, match=r"target_time must be >= 0, got -1"):
        erlang_a(3, 2.0, 1.0, 1.0).service_level(-1.0)
