"""Kim & Nelson's fully sequential procedure KN on a draw function (the core of
:func:`supportsim.select_best`, testable on synthetic draws).

Kim, S.-H. and Nelson, B. L. (2001), "A fully sequential procedure for
indifference-zone selection in simulation", ACM Transactions on Modeling and Computer
Simulation 11(3), 251-273. For k systems, confidence 1 - alpha, indifference zone delta
and a first stage of n0 observations (c = 1):

- eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2 and h^2 = 2 eta (n0 - 1);
- S_il^2: the sample variance of the n0 differences X_ij - X_lj (paired by j, so common
  random numbers are allowed and help: they shrink S_il^2);
- after r >= n0 observations of every system still in contention, system i is eliminated
  when its mean falls below some other contender's by more than
  W_il(r) = max(0, delta / (2 r) (h^2 S_il^2 / delta^2 - r));
- stop when one system is left, else take one more observation of each survivor.

One addition: two systems identical over the first stage (S_il^2 = 0) with equal means
never separate, and KN as published would not stop; the later one gives way (it is
*tied*, not eliminated: it is exactly as good as the one kept). Otherwise the run stops
with several systems left only at `max_stage`; those were not eliminated.

Then the probability of selecting the best is at least 1 - alpha whenever the best beats
every other system by delta or more, for normal observations with unknown, unequal
variances, independent or under common random numbers; and whatever the means, the system
selected is within delta of the best with that probability (the indifference-zone
guarantee). The triangular region closes at r = h^2 S_il^2 / delta^2, so KN always stops.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["KNOutcome", "kn_h2", "kn_select"]


def kn_h2(systems: int, first_stage: int, confidence: float) -> float:
    """h^2 of KN for `systems` systems, a first stage of `first_stage` and `confidence`."""
    alpha = 1.0 - confidence
    eta = 0.5 * ((2.0 * alpha / (systems - 1)) ** (-2.0 / (first_stage - 1)) - 1.0)
    return 2.0 * eta * (first_stage - 1)


@dataclass(frozen=True)
class KNOutcome:
    """What :func:`kn_select` returns.

    Attributes
    ----------
    best : int
        Index of the system selected (the last one standing, or the best mean among the
        survivors when `decided` is False).
    decided : bool
        False when `max_stage` observations ran out with several systems in contention.
    eliminated : dict of int to int
        System -> the observations it had when KN eliminated it (its mean behind another
        contender's by more than the margin W_il).
    observations : list of int
        Observations taken of each system.
    means : ndarray
        Each system's mean over its observations.
    survivors : list of int
        Systems in contention at the end.
    h2 : float
    tied : dict of int to int
        System -> the earlier system it was identical to (over the first stage, and with
        the same mean when it gave way); not eliminated, and in neither list above.
    """

    best: int
    decided: bool
    eliminated: dict[int, int]
    observations: list[int]
    means: np.ndarray
    survivors: list[int]
    h2: float
    tied: dict[int, int] = field(default_factory=dict)


Draw = Callable[[Sequence[int], int], np.ndarray]


def kn_select(draw: Draw, systems: int, *, indifference: float, confidence: float = 0.95,
              first_stage: int = 10, max_stage: int | None = None,
              higher_is_better: bool = True) -> KNOutcome:
    """Select the system with the largest (or smallest) mean by KN (module notes).

    Parameters
    ----------
    draw : callable
        ``draw(systems, r)`` returns observation ``r`` (0-based) of each of the listed
        systems, as an array in that order; observation ``r`` of different systems may
        share random numbers.
    systems : int
        At least 1.
    indifference : float
        delta > 0: differences smaller than this do not matter.
    confidence : float, default 0.95
        In (0, 1).
    first_stage : int, default 10
        n0 >= 2.
    max_stage : int, optional
        Stop with ``decided=False`` after this many observations (data that cannot grow).
    higher_is_better : bool, default True

    Returns
    -------
    KNOutcome
    """
    if not indifference > 0 or not math.isfinite(indifference):
        raise ValueError(f"indifference must be a positive number, got {indifference!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    if isinstance(first_stage, bool) or not isinstance(first_stage, int) or first_stage < 2:
        raise ValueError(f"first_stage must be an integer >= 2, got {first_stage!r}")
    if max_stage is not None and max_stage < first_stage:
        raise ValueError(f"{max_stage} observations per system are fewer than the first "
                         f"stage ({first_stage})")
    sign = 1.0 if higher_is_better else -1.0
    k = systems
    counts = [0] * k
    if k == 1:
        return KNOutcome(best=0, decided=True, eliminated={}, observations=counts,
                         means=np.full(1, np.nan), survivors=[0], h2=math.nan)
    h2 = kn_h2(k, first_stage, confidence)
    everyone = list(range(k))
    first = np.array([_checked(draw(everyone, r), k, r) for r in range(first_stage)])
    counts = [first_stage] * k
    sums = first.sum(axis=0) * sign
    diffs = first[:, :, None] - first[:, None, :]  # stage x i x l
    s2 = diffs.var(axis=0, ddof=1)
    alive = np.ones(k, dtype=bool)
    eliminated: dict[int, int] = {}
    tied: dict[int, int] = {}
    r = first_stage
    delta = indifference
    while True:
        idx = np.flatnonzero(alive)
        means = sums[idx] / r
        w = np.maximum(0.0, delta / (2 * r) * (h2 * s2[np.ix_(idx, idx)] / delta**2 - r))
        gap = means[None, :] - means[:, None]  # l's mean minus i's, row i, column l
        out = (gap > w)
        # Identical systems so far (no variance of the difference, equal means) are
        # within delta of each other: the later one gives way, so the run can end.
        tie = (s2[np.ix_(idx, idx)] == 0) & (gap == 0) & np.tri(idx.size, k=-1, dtype=bool)
        drop = out.any(axis=1)
        ties = tie.any(axis=1) & ~drop  # beaten by another counts as eliminated
        for i in idx[drop]:
            eliminated[int(i)] = r
        for j in np.flatnonzero(ties):  # the first of its equals, which stays
            tied[int(idx[j])] = int(idx[np.flatnonzero(tie[j])[0]])
        alive[idx[drop | ties]] = False
        if alive.sum() == 1 or (max_stage is not None and r >= max_stage):
            break
        idx = np.flatnonzero(alive)
        row = _checked(draw(list(map(int, idx)), r), idx.size, r)
        sums[idx] += sign * row
        r += 1
        for i in idx:
            counts[i] = r
    survivors = [int(i) for i in np.flatnonzero(alive)]
    final_means = np.array([sums[i] * sign / counts[i] for i in range(k)])
    best = max(survivors, key=lambda i: sign * final_means[i])
    return KNOutcome(best=best, decided=len(survivors) == 1, eliminated=eliminated,
                     observations=counts, means=final_means, survivors=survivors, h2=h2,
                     tied=tied)


def _checked(values: np.ndarray, size: int, r: int) -> np.ndarray:
    out = np.asarray(values, dtype=float).reshape(-1)
    if out.size != size:
        raise ValueError(f"draw returned {out.size} values for {size} systems")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"observation {r} has no finite value for some system (e.g. no "
                         "ticket scored in that replication): choose a metric every "
                         "replication defines")
    return out
