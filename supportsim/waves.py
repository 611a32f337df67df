"""Rollout waves: the tickets of users who go live together, in closed form.

A wave of N users going live at `at`, each raising r tickets a week once settled and
`early` = K times that on the first day, with learning time constant `settle` = tau:

    per user, s = t - at >= 0:   r/168 * (1 + (K - 1) * exp(-s / tau))

Users onboarded evenly over `ramp` = R go live at at + u, u ~ uniform(0, R): the wave is
the per-user curve convolved with the uniform onboarding, N/R * integral_0^R of the
per-user curve at s - u du, which is, with A = N r / 168:

    0 <= s < R:  A/R * (s + (K - 1) tau (1 - exp(-s / tau)))
    s >= R:      A * (1 + (K - 1) tau/R (exp(R / tau) - 1) exp(-s / tau))

Both are sums of :class:`Term` s, ``(p0 + p1 (t - a)) exp(c (t - a))`` on ``[a, b)``, and
so are their products with decaying and block bursts. A term times the weekly profile
(constant within each clock hour) integrates exactly, piece by piece
(:func:`integrate`); the same terms bound and evaluate the rate when arrivals are drawn
(:func:`wave_arrivals`). This module knows nothing of scenarios' other parts: the
profile, its phase and the bursts come in as arguments.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from supportsim.scenario._demand import Burst, SettleCurve, Wave

__all__ = ["Term", "integrate", "wave_arrivals", "wave_key", "wave_terms", "with_bursts"]

HOURS_PER_WEEK = 168


@dataclass(frozen=True, slots=True)
class Term:
    """``(p0 + p1 (t - a) + p2 (t - a)^2) exp(c (t - a))`` on ``[a, b)``, zero elsewhere."""

    a: float
    b: float
    p0: float
    p1: float = 0.0
    c: float = 0.0
    p2: float = 0.0

    def value(self, t: np.ndarray) -> np.ndarray:
        """The term at instants `t`."""
        s = t - self.a
        inside = (t >= self.a) & (t < self.b)
        with np.errstate(over="ignore", invalid="ignore"):
            v = (self.p0 + (self.p1 + self.p2 * s) * s) * np.exp(
                self.c * np.where(inside, s, 0.0))
        return np.where(inside, v, 0.0)

    def integral(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Exact integral over each ``[x, y)`` inside ``[a, b)``."""
        d = x - self.a
        h = y - x
        z = self.c * h
        # exp(c d) * integral_0^h (q0 + q1 u + p2 u^2) exp(c u) du, the polynomial
        # rewritten around x: q0 = p0 + p1 d + p2 d^2, q1 = p1 + 2 p2 d.
        q0 = self.p0 + (self.p1 + self.p2 * d) * d
        q1 = self.p1 + 2.0 * self.p2 * d
        return np.exp(self.c * d) * h * (q0 * _phi(0, z) + q1 * h * _phi(1, z)
                                         + self.p2 * h * h * _phi(2, z))

    def shifted(self, a: float) -> Term:
        """The same function, written from ``a >= self.a`` on."""
        d = a - self.a
        scale = math.exp(self.c * d)
        return replace(self, a=a, p0=(self.p0 + (self.p1 + self.p2 * d) * d) * scale,
                       p1=(self.p1 + 2.0 * self.p2 * d) * scale, p2=self.p2 * scale)


def _phi(k: int, z: np.ndarray) -> np.ndarray:
    """``integral_0^1 v^k exp(z v) dv`` for k = 0, 1, 2; a series where ``|z| < 0.5``.

    Closed forms: ``(e^z - 1)/z``, ``(e^z (z - 1) + 1)/z^2``,
    ``(e^z (z^2 - 2z + 2) - 2)/z^3``; they cancel badly near 0, where the series
    ``sum_n z^n / (n! (n + k + 1))`` is used (24 terms: < 0.5^24 / 24! ~ 1e-31).
    """
    z = np.asarray(z, dtype=float)
    small = np.abs(z) < 0.5
    zs = np.where(small, z, 0.0)
    series = np.zeros_like(zs)
    term = np.ones_like(zs)
    for n in range(24):
        series += term / (n + k + 1)
        term = term * zs / (n + 1)
    zl = np.where(small, 1.0, z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(zl)
        if k == 0:
            closed = np.expm1(zl) / zl
        elif k == 1:
            closed = (e * (zl - 1.0) + 1.0) / zl**2
        else:
            closed = (e * (zl * zl - 2.0 * zl + 2.0) - 2.0) / zl**3
    return np.where(small, series, closed)


def wave_terms(wave: Wave) -> list[Term]:
    """The wave's tickets per hour before the weekly profile and bursts."""
    amount = wave.users * wave.rate / HOURS_PER_WEEK
    if amount == 0.0:
        return []
    if isinstance(wave.settle, SettleCurve):
        return _linear_terms(wave, amount)
    extra, tau, at = wave.early - 1.0, wave.settle, wave.at
    if wave.ramp is None:
        terms = [Term(at, math.inf, amount)]
        if extra:
            terms.append(Term(at, math.inf, amount * extra, c=-1.0 / tau))
        return terms
    ramp = wave.ramp
    per = amount / ramp  # users going live per hour, times r/168
    end = at + ramp
    terms = [Term(at, end, per * extra * tau, per), Term(end, math.inf, amount)]
    if extra:
        terms += [Term(at, end, -per * extra * tau, c=-1.0 / tau),
                  Term(end, math.inf, -per * extra * tau * math.expm1(-ramp / tau),
                       c=-1.0 / tau)]
    return terms


def _linear_terms(wave: Wave, amount: float) -> list[Term]:
    """A piecewise-linear settle curve (``early`` to ``plateau`` to 1), ramped or not.

    Per user the multiplier m(s) is linear on [0, L) and [L, L + I), then 1. Ramped over
    R, the wave is amount / R * (Mc(s) - Mc(s - R)) with Mc the integral of m, quadratic
    piece by piece; the pieces of both are summed between consecutive knots so that no
    two large terms cancel far from the go-live.
    """
    curve = wave.settle
    assert isinstance(curve, SettleCurve)
    k, p, lead, tail = wave.early, curve.plateau, curve.learning, curve.improvement
    at = wave.at
    pieces = [Term(0.0, lead, k, (p - k) / lead)]
    if tail > 0:
        pieces.append(Term(lead, lead + tail, p, (1.0 - p) / tail))
    pieces.append(Term(lead + tail, math.inf, 1.0))
    if wave.ramp is None:
        return [replace(t, a=at + t.a, b=at + t.b, p0=t.p0 * amount, p1=t.p1 * amount)
                for t in pieces]
    ramp = wave.ramp
    # Mc on each piece: its start value plus the integral of the linear piece.
    cumulative, start = [], 0.0
    for t in pieces:
        cumulative.append(Term(t.a, t.b, start, t.p0, p2=t.p1 / 2.0))
        if math.isfinite(t.b):
            start += (t.p0 + t.p1 * (t.b - t.a) / 2.0) * (t.b - t.a)
    signed = [(t, 1.0) for t in cumulative] + [
        (replace(t, a=t.a + ramp, b=t.b + ramp), -1.0) for t in cumulative]
    knots = sorted({t.a for t, _ in signed} | {t.b for t, _ in signed if math.isfinite(t.b)})
    terms = []
    for lo, hi in zip(knots, [*knots[1:], math.inf], strict=True):
        p0 = p1 = p2 = 0.0
        for t, sign in signed:
            if t.a <= lo < t.b:
                here = t.shifted(lo)
                p0, p1, p2 = p0 + sign * here.p0, p1 + sign * here.p1, p2 + sign * here.p2
        if math.isinf(hi):
            p1 = p2 = 0.0  # m = 1 at both ends: Mc(s) - Mc(s - R) = R exactly
        scale = amount / ramp
        terms.append(Term(at + lo, at + hi, p0 * scale, p1 * scale, p2=p2 * scale))
    return terms


def with_bursts(terms: Sequence[Term], bursts: Sequence[Burst]) -> list[Term]:
    """The terms times ``1 + sum of (multiplier - 1) * shape`` of the bursts.

    Exact as long as that factor stays >= 0 (see ``supportsim._rates._dips_below_zero``).
    """
    out = list(terms)
    for burst in bursts:
        m = burst.multiplier - 1.0
        if m == 0.0:
            continue
        for term in terms:
            a = max(term.a, burst.at)
            if burst.decay is not None:
                b = term.b
                if a >= b:
                    continue
                part = term.shifted(a)
                k = m * math.exp(-(a - burst.at) / burst.decay)
                out.append(replace(part, p0=part.p0 * k, p1=part.p1 * k, p2=part.p2 * k,
                                   c=part.c - 1.0 / burst.decay))
            else:
                assert burst.duration is not None
                b = min(term.b, burst.at + burst.duration)
                if a >= b:
                    continue
                part = term.shifted(a)
                out.append(replace(part, b=b, p0=part.p0 * m, p1=part.p1 * m, p2=part.p2 * m))
    return out


def integrate(terms: Sequence[Term], weights: np.ndarray, offset: float,
              edges: np.ndarray) -> np.ndarray:
    """Exact integrals of ``weights[hour(t)] * sum of terms`` over each bin of `edges`.

    ``hour(t) = floor(t + offset) mod 168``: each term is cut at clock hours and bin
    edges, and every piece integrated in closed form (:meth:`Term.integral`).
    """
    edges = np.asarray(edges, dtype=float)
    out = np.zeros(len(edges) - 1)
    lo, hi = edges[0], edges[-1]
    for term in terms:
        a, b = max(term.a, lo), min(term.b, hi)
        if b <= a:
            continue
        hours = np.arange(math.floor(a + offset) + 1.0, b + offset, 1.0) - offset
        inner = edges[(edges > a) & (edges < b)]
        cuts = np.unique(np.concatenate([[a], hours[(hours > a) & (hours < b)], inner, [b]]))
        x, y = cuts[:-1], cuts[1:]
        hour = np.floor((x + y) / 2 + offset).astype(np.int64) % HOURS_PER_WEEK
        parts = weights[hour] * term.integral(x, y)
        bins = np.searchsorted(edges, x, side="right") - 1
        out += np.bincount(bins, parts, minlength=len(out))
    return out


def wave_key(wave: Wave) -> int:
    """A stream key from the wave's name: waves added, removed or reordered leave the
    others' tickets unchanged."""
    return zlib.crc32(wave.name.encode("utf-8"))


def wave_arrivals(wave: Wave, weights: np.ndarray, offset: float, horizon: float,
                  factor_bound: np.ndarray, edges: np.ndarray, factor: object,
                  rng: np.random.Generator) -> np.ndarray:
    """Arrival instants of one wave by thinning against a bound constant per clock hour.

    The wave's rate rises to its peak at ``at + ramp`` (``at`` without a ramp) and falls
    after it, so its largest value in a piece ``[x, y)`` is at the peak clipped to it.
    `edges` are the clock-hour pieces of ``[0, horizon]``, `factor_bound` the bursts' bound
    on each, `factor(t)` the bursts' factor at instants.
    """
    terms = wave_terms(wave)
    if not terms or wave.at >= horizon:
        return np.empty(0)
    lo, hi = edges[:-1], edges[1:]
    first = max(int(np.searchsorted(hi, wave.at, side="right")), 0)
    lo, hi, factor_bound = lo[first:], hi[first:], factor_bound[first:]
    peak = wave.at + (wave.ramp or 0.0)
    # The right end is open: just inside it, the curve is at most its value at hi.
    at_peak = np.clip(peak, lo, hi)
    intensity = sum((t.value(at_peak) for t in terms), np.zeros_like(lo))
    hour = np.floor((lo + hi) / 2 + offset).astype(np.int64) % HOURS_PER_WEEK
    bound = weights[hour] * intensity * factor_bound * (1.0 + 1e-9)
    counts = rng.poisson(bound * (hi - lo))
    start = np.repeat(lo, counts)
    times = start + rng.random(start.size) * np.repeat(hi - lo, counts)
    hour_of = np.floor(times + offset).astype(np.int64) % HOURS_PER_WEEK
    rate = weights[hour_of] * sum((t.value(times) for t in terms), np.zeros_like(times))
    rate = rate * factor(times)  # type: ignore[operator]
    keep = rng.random(times.size) * np.repeat(bound, counts) < rate
    return times[keep]
