"""Time-varying staffing: :func:`staffing_curve`, by the iterative staffing algorithm.

The algorithm (Feldman, Mandelbaum, Massey and Whitt, "Staffing of time-varying queues to
achieve time-stable performance", Management Science 54(2), 2008): simulate the desk with
a staffing function s(t), take per interval the distribution of the number of tickets in
the tier (waiting or in service, abandoning callers included until they hang up), and set
the next staffing to the smallest s with P(L(t) >= s) <= alpha, the delay-probability
target (an arrival waits exactly when every agent on duty is busy). Start from ample
staff (L is then the offered load) and repeat to a fixed point. Because the staffing
follows the number in system rather than the arrival rate, it accounts for the lag
between arrivals and work (and for abandonment) that per-interval Erlang formulas miss.

Every iteration runs on the same seed (common random numbers), so the map from one
staffing to the next is deterministic and settles instead of jittering with sampling
noise.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from supportsim._errors import CapacityWarning
from supportsim.scenario import Scenario
from supportsim.scenario._schema import DAYS, MAX_STAFF

__all__ = ["curve_shifts", "staffing_curve", "with_curve"]

#: Hours in each supported cycle.
CYCLES = {"day": 24, "week": 168}


def staffing_curve(
    scenario: Scenario,
    tier: str,
    target: float,
    *,
    metric: str = "delay",
    cycle: Literal["day", "week"] = "week",
    replications: int | None = None,
    seed: int | None = None,
    max_iterations: int = 12,
) -> pd.DataFrame:
    """Agents needed on `tier` per hour of the cycle for a time-stable delay probability.

    Parameters
    ----------
    scenario : Scenario
        A tiered desk; its other tiers keep their staffing.
    tier : str
        ``"l1"``, ``"l2"`` or ``"l3"``, a tier of `scenario` without agent groups (the
        curve is of one pool of agents; a tier with groups is refused).
    target : float
        The delay-probability target alpha in (0, 1): the share of tickets reaching the
        tier that find every agent on duty busy (0.2: 80 % start at once).
    metric : {"delay"}
        The time-stable measure; only the delay probability is implemented.
    cycle : {"week", "day"}, default "week"
        The curve is periodic over a week (168 hourly intervals, from Monday 00:00) or a
        day (24, from midnight, every day alike); the snapshots of every cycle after the
        warm-up and of every replication are pooled per interval.
    replications, seed : int, optional
        Per iteration; default the scenario's.
    max_iterations : int, default 12
        Simulations at most; see Notes.

    Returns
    -------
    DataFrame
        ``interval_start`` (hours since the start of the cycle: Monday 00:00 or midnight,
        clock time), ``staff`` (agents on duty in ``[interval_start, interval_start + 1)``);
        ``attrs["iterations"]`` is the simulations run.

    Raises
    ------
    ValueError
        If an argument breaks its rule, the desk is swarming, the tier has agent groups,
        or the iteration does not settle within `max_iterations`.

    Notes
    -----
    Per interval ``[h, h + 1)`` the number in the tier is read from the hourly timeline
    (``backlog_lN``) at its end, ``h + 1``: the state the interval's demand has built (the
    snapshot at ``h`` is the previous hour's, which lags a rising or falling rate).
    Iteration stops when no interval changes by more than one agent between two
    simulations (the last is returned), or when it alternates between two staffings
    (then the larger of the two in each interval is returned). The simulated
    staffing is a roster of shifts built from the curve (:func:`with_curve`): agents
    finish the ticket in hand when their hour ends, as on any roster.

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> ss.staffing_curve(sc, "l1", 0.2, cycle="day")  # doctest: +SKIP
    """
    if metric != "delay":
        raise ValueError(f"staffing_curve: metric must be 'delay' (the delay probability), "
                         f"got {metric!r}")
    if cycle not in CYCLES:
        raise ValueError(f"staffing_curve: cycle must be 'week' or 'day', got {cycle!r}")
    if isinstance(target, bool) or not isinstance(target, int | float) \
            or not 0 < target < 1:
        raise ValueError(f"staffing_curve: target must be a delay probability in (0, 1), "
                         f"got {target!r}")
    if scenario.team.structure != "tiered":
        raise ValueError("staffing_curve: team.structure must be 'tiered' (a swarm has no "
                         "per-tier queue to staff)")
    if tier not in scenario.team.tiers:
        raise ValueError(f"staffing_curve: tier must be one of {list(scenario.team.tiers)}, "
                         f"got {tier!r}")
    groups = scenario.team.tiers[tier].groups
    if groups is not None:
        # The curve staffs one pool by the number of tickets in the tier; with groups
        # the skills split the pool, so it would silently plan a different desk.
        raise ValueError(
            f"staffing_curve: tier {tier} is split into agent groups {list(groups)}; the "
            f"curve is of one pool of agents serving every skill, and there is no curve "
            f"per group: plan the groups' staff with ss.plan (its default decisions are "
            f"team.tiers.{tier}.groups.NAME.staff), or compute the curve on a copy of the "
            f"scenario whose tier {tier} is one pool")
    if int(max_iterations) < 2:
        raise ValueError(f"staffing_curve: max_iterations must be >= 2, got {max_iterations}")
    from supportsim.simulation import resolve_seed, simulate

    root = resolve_seed(scenario, seed)
    period = CYCLES[cycle]
    staff = np.full(period, _ample(scenario, tier), dtype=np.int64)
    history = []
    for iteration in range(1, int(max_iterations) + 1):
        with warnings.catch_warnings():
            # Ample staff is the starting point; an overload warning would be about the
            # iteration's intermediate staffing, not the user's scenario.
            warnings.simplefilter("ignore", CapacityWarning)
            res = simulate(with_curve(scenario, tier, staff, cycle), replications, root,
                           tickets="drop")
        following = _next_staffing(res.timeline, scenario, tier, target, period)
        history.append(following)
        cycling = len(history) >= 3 and np.array_equal(following, history[-3])
        if np.max(np.abs(following - staff)) <= 1 or cycling:
            # A two-cycle (few snapshots per hour make the quantiles coarse) settles on
            # the larger staffing of the two in each hour.
            curve = np.maximum(following, staff) if cycling else following
            frame = pd.DataFrame({"interval_start": np.arange(period, dtype=float),
                                  "staff": curve.astype(np.int64)})
            frame.attrs["iterations"] = iteration
            return frame
        staff = following
    raise ValueError(f"staffing_curve: the iteration did not settle in {max_iterations} "
                     f"simulations (largest change {np.max(np.abs(history[-1] - history[-2]))} "
                     f"agents); raise max_iterations or replications")


def _ample(scenario: Scenario, tier: str) -> int:
    """Staff so plentiful that tickets hardly ever wait: the peak offered load plus ten
    standard deviations of a Poisson number in service, and ten."""
    from supportsim.capacity import tier_loads
    from supportsim.curve import demand_curve

    loads = tier_loads(scenario).set_index("tier")
    rate = demand_curve(scenario)["total"].to_numpy()
    peak = float(loads.loc[tier, "offered_load"]) * (rate.max() / max(rate.mean(), 1e-12))
    return int(min(math.ceil(peak + 10 * math.sqrt(peak) + 10), MAX_STAFF // 7))


def _next_staffing(timeline: pd.DataFrame, scenario: Scenario, tier: str, alpha: float,
                   period: int) -> np.ndarray:
    """Per interval, the smallest s with P(L >= s) <= alpha over the pooled snapshots."""
    rows = timeline[timeline["t"] >= scenario.warmup]
    t = rows["t"].to_numpy(dtype=float)
    level = rows[f"backlog_{tier}"].to_numpy(dtype=np.int64)
    start = scenario.start
    offset = start.weekday() * 24 + start.hour + start.minute / 60 if period == 168 \
        else start.hour + start.minute / 60
    slot = np.floor(offset + t).astype(np.int64) % period
    out = np.zeros(period, dtype=np.int64)
    for interval in range(period):
        # The snapshot at an interval's start and the one at its end (next one's start).
        samples = level[slot == (interval + 1) % period]
        if samples.size == 0:
            raise ValueError("staffing_curve: the horizon after the warm-up covers no full "
                             "cycle; lengthen the horizon")
        ordered = np.sort(samples)[::-1]
        k = math.floor(alpha * ordered.size)
        out[interval] = 0 if k >= ordered.size else int(ordered[k]) + 1
    return out


def curve_shifts(staff: np.ndarray, cycle: str) -> list[dict[str, Any]]:
    """Shifts that put ``staff[h]`` agents on duty in hour `h` of the cycle.

    The cycle is cut into layers: agent k works the runs of hours (around the cycle, so
    across midnight too) where the curve is at least k, so agents stay on across hours
    instead of handing over every hour, and equal runs become one shift with their count
    as staff. A shift lasts less than a day, so a longer run is cut into 23 h 59 min
    pieces (one minute off between them) and a run over the whole cycle is one shift
    from 00:00 to 23:59 every day, whose agents come back after their minute off.
    """
    period = len(staff)
    values = np.asarray(staff, dtype=np.int64)
    counts: dict[tuple[int, int], int] = {}  # (first hour, hours) -> agents
    for k in range(1, int(values.max(initial=0)) + 1):
        on = values >= k
        if on.all():
            counts[(0, period)] = counts.get((0, period), 0) + 1
            continue
        first = int(np.flatnonzero(~on)[0])  # rotate so that no run wraps the array end
        rolled = np.roll(on, -first)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], rolled.astype(np.int8), [0]])))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            a0 = (int(a) + first) % period
            for piece in range(0, int(b - a), 24):
                key = ((a0 + piece) % period, min(24, int(b - a) - piece))
                counts[key] = counts.get(key, 0) + 1
    shifts = []
    for (a, length), n in sorted(counts.items()):
        if length >= period:  # the whole cycle: the same agents every day
            shifts.append({"name": f"all-day x{n}", "start": "00:00", "end": "23:59",
                           "days": list(DAYS), "staff": n})
            continue
        days = list(DAYS) if cycle == "day" else [DAYS[a // 24]]
        end = (a + length) % 24
        shifts.append({"name": f"{days[0] if cycle == 'week' else 'daily'} {a % 24:02d}h "
                               f"+{length}h x{n}",
                       "start": f"{a % 24:02d}:00",
                       "end": f"{(end - 1) % 24:02d}:59" if length == 24 else f"{end:02d}:00",
                       "days": days, "staff": n})
    # A tier needs at least one shift: nobody on duty is one shift of no agents.
    return shifts or [{"name": "none", "start": "00:00", "end": "12:00", "staff": 0}]


def with_curve(scenario: Scenario, tier: str, staff: np.ndarray,
               cycle: str = "week") -> Scenario:
    """`scenario` with `tier` rostered to ``staff[h]`` agents in hour `h` of the cycle."""
    data = scenario.to_dict()
    data["team"]["tiers"][tier] = {"hours": curve_shifts(staff, cycle)}
    return Scenario.from_dict(data, source=scenario.source)
