"""Erlang A (M/M/c+M): waits and abandonment with exponential patience."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from supportsim.analytic._numerics import FloatArray, _check, _log_erlang_b, _log_kummer


def _erlang_a_logs(
    c: FloatArray, a: FloatArray, x: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """log P(N < c), log P(N >= c) and log E[(N - c)+], each times 1/pi_c, and log 1/pi_c."""
    log_b = _log_erlang_b(c, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_idle = np.log1p(-np.exp(log_b)) - log_b
    log_a, log_t = _log_kummer(x, y)
    return log_idle, log_a, log_t, np.logaddexp(log_a, log_idle)


@dataclass(frozen=True, eq=False)
class ErlangA:
    """Steady state of M/M/c+M (Erlang A); every field is broadcast over the inputs.

    Attributes
    ----------
    wait_probability : numpy.ndarray
        P(wait > 0) = P(N >= c), by PASTA.
    abandon_probability : numpy.ndarray
        Fraction of arrivals that abandon.
    mean_wait : numpy.ndarray
        Mean time in queue over all arrivals, served or not, in hours; it equals
        ``abandon_probability / patience_rate`` for exponential patience.
    servers, arrival_rate, service_rate, patience_rate : numpy.ndarray
        The inputs, kept for :meth:`service_level`.
    """

    wait_probability: FloatArray
    abandon_probability: FloatArray
    mean_wait: FloatArray
    servers: FloatArray
    arrival_rate: FloatArray
    service_rate: FloatArray
    patience_rate: FloatArray

    def service_level(self, target_time: npt.ArrayLike) -> FloatArray:
        """P(answered and wait <= target_time): abandoned contacts count as misses.

        Parameters
        ----------
        target_time : array_like
            Answer-time target in hours, >= 0 (inf allowed), broadcast with the fields.

        Returns
        -------
        numpy.ndarray
            ``1 - wait_probability`` at 0, rising to ``1 - abandon_probability`` at inf.

        Raises
        ------
        ValueError
            If `target_time` is negative or NaN.

        Examples
        --------
        >>> round(float(erlang_a(7, 20, 4, 6).service_level(20 / 3600)), 4)
        0.7938
        """
        t = _check("target_time", target_time, ">= 0", allow_inf=True)
        c, mu, theta = self.servers, self.service_rate, self.patience_rate
        x, y = c * mu / theta, self.arrival_rate / theta
        log_idle, log_a, _, log_norm = _erlang_a_logs(c, self.arrival_rate / mu, x, y)
        # Integrating the phase-type offered wait over the queue seen on arrival gives
        # P(served, wait <= t) - P(N < c) = pi_c x/(x+1) [A(x+1, y) - A(x+1, z) e**(y(1 -
        # e**-s) - (x+1) s)] with s = theta t and z = y e**-s.
        s = theta * t
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.log(x / (x + 1)) - log_norm
            later = _log_kummer(x + 1, y * np.exp(-s))[0] - y * np.expm1(-s) - (x + 1) * s
            served = np.exp(shift + _log_kummer(x + 1, y)[0]) - np.exp(shift + later)
        # expit of the log-odds stays 1 without arrivals, where log_idle = log_norm = inf.
        level = special.expit(log_idle - log_a) + served
        return np.asarray(np.clip(level, 0.0, 1.0), dtype=np.float64)


def erlang_a(
    servers: npt.ArrayLike,
    arrival_rate: npt.ArrayLike,
    service_rate: npt.ArrayLike,
    patience_rate: npt.ArrayLike,
) -> ErlangA:
    """Performance of M/M/c+M (Palm / Erlang A): exponential patience of rate theta.

    With x = c mu / theta, y = lambda / theta, rho = y / x, B = Erlang B(c, lambda / mu)
    and A(x, y) = (x e**y / y**x) gamma_lower(x, y):
    P(wait > 0) = A B / (1 + (A - 1) B),
    P(abandon) = (1/rho + (1 - 1/rho) A) B / (1 + (A - 1) B), E[wait] = P(abandon) / theta.

    Parameters
    ----------
    servers, arrival_rate, service_rate : array_like
        Servers >= 0, arrivals per hour >= 0, services per hour per server > 0.
    patience_rate : array_like
        Abandonment rate theta > 0 per hour (1 / mean patience).

    Returns
    -------
    ErlangA
        Wait and abandon probabilities, mean wait, and a ``service_level`` method.

    Raises
    ------
    ValueError
        If an argument breaks its rule.

    References
    ----------
    O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with impatient
    customers", Manufacturing & Service Operations Management 4(3), 2002.
    A. Mandelbaum and S. Zeltyn, "The M/M/n+G queue: summary of performance measures",
    Technion, 2005.

    Examples
    --------
    >>> result = erlang_a(7, 20, 4, 6)
    >>> round(float(result.wait_probability), 4), round(float(result.abandon_probability), 4)
    (0.2221, 0.0604)
    """
    c = _check("servers", servers, ">= 0")
    lam = _check("arrival_rate", arrival_rate, ">= 0")
    mu = _check("service_rate", service_rate, "> 0")
    theta = _check("patience_rate", patience_rate, "> 0")
    c, lam, mu, theta = np.broadcast_arrays(c, lam, mu, theta)
    x, y = c * mu / theta, lam / theta
    _, log_a, log_t, log_norm = _erlang_a_logs(c, lam / mu, x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        # T / y -> 1 / (x + 1) as y -> 0; the limit keeps lambda = 0 well defined.
        log_t_over_y = np.where(y > 0, log_t - np.log(y), -np.log1p(x))
    wait_p = np.exp(log_a - log_norm)
    # T / (y A) = P(abandon | wait); capping it at 1 keeps rounding out of the identities.
    abandon = wait_p * np.minimum(np.exp(log_t_over_y - log_a), 1.0)
    return ErlangA(
        wait_probability=wait_p,
        abandon_probability=abandon,
        mean_wait=abandon / theta,
        servers=c,
        arrival_rate=lam,
        service_rate=mu,
        patience_rate=theta,
    )
