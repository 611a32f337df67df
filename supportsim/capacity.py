"""Offered load against capacity per tier, before any simulation: :func:`check`.

The offered load of a tier is the agent-hours of work that arrive per hour: the mean
arrival rate over the horizon times the mean work a ticket brings to that tier (effort
where it is resolved, triage where it is escalated, a second triage for the share that
bounces back, and the upper tier's review of that share), with each priority's own work
where ``[work.priorities]`` overrides it. Capacity is the mean number of agents on duty.
A tier whose offered load reaches its capacity cannot keep up on average; that is a
:class:`CapacityWarning`, not an error, because locating that edge is what the tool is for.
It is raised when a simulation starts (:func:`supportsim.simulate`, once per sweep or
breaking-point search), never when a scenario is loaded: validation does not depend on
the layers above it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supportsim import analytic
from supportsim._errors import CapacityWarning
from supportsim._peak import peak_loads
from supportsim.demand import expected_arrivals, wave_integrals
from supportsim.distributions import moments
from supportsim.engine._hours import duty_groups, on_duty_hours
from supportsim.scenario import Scenario
from supportsim.scenario._routing import skill_shares
from supportsim.scenario._schema import TIERS, Work
from supportsim.scenario._team import Tier

__all__ = ["CheckResult", "check", "tier_loads", "warn_if_overloaded"]


def _poisson_stationary(scenario: Scenario) -> bool:
    demand = scenario.demand
    return (demand.profile == "flat" and demand.growth == 0 and not demand.bursts
            and demand.storms is None and not demand.waves)


def tier_loads(scenario: Scenario) -> pd.DataFrame:
    """The analytic sanity view: one row per tier.

    Returns
    -------
    DataFrame
        ``tier``, ``arrival_rate`` (tickets/h reaching the tier), ``work_time`` (mean hours
        of work per ticket there), ``service_cv``, ``offered_load`` (Erlangs), ``staff``,
        ``on_duty`` (mean agents on duty), ``utilisation`` (offered load / on duty),
        ``model`` (``"M/M/c"`` where the tier is exactly M/M/c, ``"M/G/c"`` where arrivals
        are Poisson but work is not exponential, else ``""``), ``wait_probability`` and
        ``mean_wait`` (hours; Erlang C, scaled by (1 + cv^2)/2 for M/G/c, the
        Allen-Cunneen approximation; NaN where no such model applies).
    """
    rate = expected_arrivals(scenario) / scenario.horizon
    tiers = scenario.team.tiers
    if scenario.team.structure == "swarming":
        rows = [_row(scenario, "team", rate, _swarm_parts(scenario), list(tiers.values()))]
    else:
        rows = [_row(scenario, name, rate, _tiered_parts(scenario, level, name), [tier])
                for level, (name, tier) in zip(scenario.levels, tiers.items(), strict=True)]
    return pd.DataFrame(rows)


Parts = list[tuple[float, float, float]]  # (share of tickets, mean hours, cv) of the work


def _work_by_priority(scenario: Scenario, skill: str | None = None
                      ) -> list[tuple[float, Work]]:
    """(share of tickets, their work): one entry for all without ``[work.priorities]`` or
    ``[work.skills]``; else per priority (and skill, its override on top). With `skill`,
    the tickets of that skill only (shares among them)."""
    work = scenario.work
    own = work.skills or {}
    if skill is not None:
        skills = [(1.0, own.get(skill))]
    elif own:
        skills = [(share, own.get(name)) for name, share in skill_shares(scenario).items()]
    else:
        skills = [(1.0, None)]
    if not work.priorities and all(override is None for _, override in skills):
        return [(1.0, work)]
    if not work.priorities:
        return [(share, work.then(override)) for share, override in skills]
    shares = _priority_shares(scenario)
    return [(shares[name] * share, work.for_priority(name).then(override))
            for name in scenario.priorities for share, override in skills]


def _priority_shares(scenario: Scenario) -> dict[str, float]:
    """Each priority's share of the expected tickets: waves may have shares of their own."""
    shares = {name: p.share for name, p in scenario.priorities.items()}
    waves = [w for w in scenario.demand.waves if w.priorities is not None]
    if not waves:
        return shares
    total = expected_arrivals(scenario)
    if total <= 0:
        return shares
    mixed = dict.fromkeys(shares, 0.0)
    own = wave_integrals(scenario, np.array([0.0, scenario.horizon]))[:, 0]
    rest = total
    for wave, expected in zip(scenario.demand.waves, own, strict=True):
        if wave.priorities is not None:
            rest -= expected
            for name, share in wave.priorities.items():
                mixed[name] += share * expected
    return {name: (mixed[name] + shares[name] * rest) / total for name in shares}


def _tiered_parts(scenario: Scenario, level: int, name: str, skill: str | None = None
                  ) -> Parts:
    """Which tickets reach tier `name` and the work each brings there (of `skill` only:
    shares among its tickets)."""
    levels = scenario.levels
    index = levels.index(level)
    lower = levels[index - 1] if index else 0
    tennis = scenario.team.tennis
    bounce = tennis.bounce
    parts = []
    for weight, work in _work_by_priority(scenario, skill):
        mix = {str(k): v for k, v in work.mix.items()}
        review = (None if tennis.review == "none" else tennis.review
                  if tennis.review is not None else work.triage.get(name))  # type: ignore[call-overload]
        for need_level, tier_name in enumerate(TIERS, start=1):
            share = weight * mix.get(tier_name, 0.0)
            if share == 0 or need_level <= lower:
                continue
            if need_level <= level:
                parts.append((share, *moments(work.effort[tier_name])))  # type: ignore[index]
            else:
                mean, cv = moments(work.triage[name])  # type: ignore[index]
                # A ticket bounces at most once: at its (index + 1)-th escalation with
                # probability bounce x (1 - bounce)^index; it is then triaged here again.
                parts.append((share * (1 + bounce * (1 - bounce) ** index), mean, cv))
            if lower and bounce and review is not None:
                # Escalated here, bounced with probability bounce x (1 - bounce)^(index - 1):
                # a visit of review work before it goes back down (team.tennis.review).
                parts.append((share * bounce * (1 - bounce) ** (index - 1), *moments(review)))
    return parts


def _swarm_parts(scenario: Scenario) -> Parts:
    """Team-wide work per ticket when swarming (approximation: swarms of two)."""
    lowest = f"l{scenario.levels[0]}"
    overhead = scenario.team.swarm_settings.overhead
    parts = []
    for weight, work in _work_by_priority(scenario):
        triage = {str(k): v for k, v in work.triage.items()}
        diagnosis = moments(triage[lowest])[0] if lowest in triage else 0.0
        mix = {str(k): v for k, v in work.mix.items()}
        for need_level, tier_name in enumerate(TIERS, start=1):
            share = weight * mix.get(tier_name, 0.0)
            if share == 0:
                continue
            mean, cv = moments(work.effort[tier_name])  # type: ignore[index]
            if need_level > scenario.levels[0]:
                mean = diagnosis + mean * (1 + overhead)
            parts.append((share, mean, cv))
    return parts


def _row(scenario: Scenario, name: str, rate: float, parts: Parts, tiers: list[Tier]
         ) -> dict[str, object]:
    reach = sum(s for s, _, _ in parts)
    mean_work = sum(s * m for s, m, _ in parts) / reach if reach else 0.0
    second = sum(s * m * m * (1 + cv * cv) for s, m, cv in parts) / reach if reach else 0.0
    cv2 = second / mean_work**2 - 1 if mean_work else 0.0
    on_duty = sum(g.size * on_duty_hours(g, scenario.horizon)
                  for tier in tiers for g in duty_groups(scenario, tier)) / scenario.horizon
    offered = rate * reach * mean_work
    # Poisson arrivals: stationary demand, always open, and no feedback from tennis.
    first = name in ("team", f"l{scenario.levels[0]}")
    # NOTE: a tier split into several agent groups is not one M/M/c (skills split the
    # pool), so it gets no Erlang figures; one group with every skill is the plain tier.
    poisson = (_poisson_stationary(scenario) and all(_one_pool(t) for t in tiers)
               and (first or scenario.team.tennis.bounce == 0))
    exponential = (all(abs(cv - 1) < 1e-12 for _, _, cv in parts)
                   and len({m for _, m, _ in parts}) == 1)
    model = ("M/M/c" if exponential else "M/G/c") if poisson else ""
    staff = sum(t.headcount for t in tiers)
    wait_p = mean_wait = np.nan
    if model and offered > 0:
        wait_p = float(analytic.erlang_c(staff, offered))
        mean_wait = float(analytic.mean_wait(staff, rate * reach, 1 / mean_work)) * (1 + cv2) / 2
    return {
        "tier": name, "arrival_rate": rate * reach, "work_time": mean_work,
        "service_cv": float(np.sqrt(max(cv2, 0.0))), "offered_load": offered,
        "staff": staff, "on_duty": on_duty,
        "utilisation": offered / on_duty if on_duty else np.inf,
        "model": model, "wait_probability": wait_p, "mean_wait": mean_wait,
    }


def _one_pool(tier: Tier) -> bool:
    """Whether `tier` is one pool of agents always on duty (24x7, at most one group)."""
    if tier.groups is None:
        return tier.hours == "24x7"
    return len(tier.groups) == 1 and all(g.hours == "24x7" for g in tier.groups.values())


def _key(tier: str) -> str:
    return "team" if tier == "team" else f"team.tiers.{tier}"


def _overload_messages(scenario: Scenario, loads: pd.DataFrame) -> list[tuple[str, str]]:
    """(tier, one-line message) for each tier whose offered load reaches its capacity,
    then for each tier with agent groups whose skills' load reaches the agents serving
    them (:mod:`supportsim._skill_capacity`)."""
    source = f" ({scenario.source})" if scenario.source else ""
    messages = [
        (str(row.tier),
         f"{_key(row.tier)}: offered load {row.offered_load:.2f} Erlangs "
         f"({row.arrival_rate:.2f} tickets/h x {row.work_time:.3f} h of work) >= "
         f"{row.on_duty:.2f} agents on duty on average; the queue will grow{source}")
        for row in loads.itertuples() if row.offered_load >= row.on_duty
    ]
    if any(tier.groups is not None for tier in scenario.team.tiers.values()):
        from supportsim._skill_capacity import skill_overloads

        whole = {tier for tier, _ in messages}
        messages += [(tier, message) for tier, message in skill_overloads(scenario)
                     if tier not in whole]
    return messages


def warn_if_overloaded(scenario: Scenario, *, stacklevel: int = 3) -> None:
    """Emit a :class:`CapacityWarning` for each tier whose offered load reaches its capacity.

    Called where a simulation starts; `stacklevel` 3 points the warning at the caller of
    the function that calls this one (the user's ``ss.simulate(...)`` line).
    """
    for _, message in _overload_messages(scenario, tier_loads(scenario)):
        warnings.warn(message, CapacityWarning, stacklevel=stacklevel)


@dataclass(frozen=True, repr=False, eq=False)
class CheckResult:
    """What :func:`check` finds in a scenario before anything is simulated.

    Attributes
    ----------
    scenario : Scenario
        The scenario checked.
    loads : DataFrame
        One row per tier (one ``"team"`` row when swarming): the columns of
        :func:`tier_loads` (arrival rate, work per ticket, offered load in Erlangs, staff,
        mean agents on duty, utilisation, and Erlang C where it applies).
    tickets : float
        Expected tickets over the horizon.
    scored_tickets : float
        Expected tickets arriving after the warm-up (those the SLA tables score).
    priorities : DataFrame
        One row per priority in rank order: ``priority``, ``share``, ``clock``,
        ``response`` and ``resolution`` (targets as written, e.g. ``"3bd"``, ``"15min"``),
        ``response_target`` and ``resolution_target`` (the same in hours; business hours
        on a business clock).
    warnings : tuple of str
        One message per overloaded tier, as :class:`~supportsim.CapacityWarning` words it.
    peaks : DataFrame
        Offered load against agents on duty in the busiest hour, 24 h and 168 h (from
        any whole hour) of the demand curve, per tier (:func:`supportsim._peak.peak_loads`):
        what the horizon's averages in `loads` hide.
    served_by_overflow : tuple of str
        With ``[team.routing.overflow]``: one note per skill whose offered load reaches
        the agents of its own groups but which overflow serves (with the load of the
        skills those groups also carry, below their agents on duty); not a warning, and
        not in `overloaded`.
    """

    scenario: Scenario
    loads: pd.DataFrame
    tickets: float
    scored_tickets: float
    priorities: pd.DataFrame
    _overloads: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    peaks: pd.DataFrame | None = field(default=None, repr=False)
    served_by_overflow: tuple[str, ...] = field(default=(), repr=False)

    @property
    def overloaded(self) -> tuple[str, ...]:
        """Tiers (``"l1"``, ..., or ``"team"``) whose offered load reaches their capacity."""
        return tuple(tier for tier, _ in self._overloads)

    @property
    def warnings(self) -> tuple[str, ...]:
        """The capacity warnings as text, one per overloaded tier."""
        return tuple(message for _, message in self._overloads)

    @property
    def ok(self) -> bool:
        """True when no tier is overloaded."""
        return not self._overloads

    def __repr__(self) -> str:
        source = f" ({self.scenario.source})" if self.scenario.source else ""
        count = len(self.loads)
        state = (f"overloaded: {', '.join(self.overloaded)}" if self.overloaded
                 else "no tier overloaded")
        return (f"<CheckResult {self.scenario.name!r}{source}: {count} "
                f"{'tier' if count == 1 else 'tiers'}, {state}; "
                f"{self.tickets:,.0f} tickets expected, {self.scored_tickets:,.0f} after "
                "warm-up>")

    def _repr_html_(self) -> str:
        from supportsim.report._display import Card, render_card
        from supportsim.report._scenario import load_table

        return render_card(Card(
            "CheckResult", self.scenario.name,
            [("tickets expected", f"{self.tickets:,.0f} ({self.scored_tickets:,.0f} after "
                                  "warm-up)"),
             ("overloaded", ", ".join(self.overloaded) or "no tier")],
            [load_table(self.scenario)], [*self.warnings, *self.served_by_overflow]))


def check(scenario: Scenario) -> CheckResult:
    """The analytic check of a scenario: offered load per tier, tickets, SLA targets.

    What ``supportsim check`` prints, as data: no simulation is run. A tier whose offered
    load reaches the agents on duty is listed in ``overloaded`` (and
    :func:`~supportsim.simulate` warns about it when it starts).

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    CheckResult
        ``loads`` (per tier), ``tickets`` and ``scored_tickets`` (expected, over the
        horizon and after warm-up), ``priorities`` (targets as written and in hours),
        ``overloaded`` and ``warnings``.

    Raises
    ------
    TypeError
        If `scenario` is not a :class:`~supportsim.Scenario` (load a file first with
        :func:`~supportsim.load_scenario`).

    Examples
    --------
    >>> import supportsim as ss
    >>> result = ss.check(ss.load_scenario("scenarios/mmc.toml"))  # doctest: +SKIP
    >>> result.loads[["tier", "offered_load", "on_duty", "utilisation"]]  # doctest: +SKIP
      tier  offered_load  on_duty  utilisation
    0   l1           5.0      7.0     0.714286
    >>> result.overloaded  # doctest: +SKIP
    ()
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    loads = tier_loads(scenario)
    priorities = scenario.priorities.values()
    table = pd.DataFrame({
        "priority": list(scenario.priorities),
        "share": [p.share for p in priorities],
        "clock": [p.clock for p in priorities],
        "response": [p.target("response") for p in priorities],
        "resolution": [p.target("resolution") for p in priorities],
        "response_target": [p.response for p in priorities],
        "resolution_target": [p.resolution for p in priorities],
    })
    return CheckResult(
        scenario=scenario, loads=loads, tickets=expected_arrivals(scenario),
        scored_tickets=expected_arrivals(scenario, scenario.warmup), priorities=table,
        _overloads=tuple(_overload_messages(scenario, loads)),
        peaks=peak_loads(scenario, loads),
        served_by_overflow=_overflow_notes(scenario),
    )


def _overflow_notes(scenario: Scenario) -> tuple[str, ...]:
    """:func:`supportsim._skill_capacity.overflow_notes` where a tier has agent groups
    and tickets overflow; () otherwise (nothing imported)."""
    routing = scenario.team.routing
    if routing is None or routing.overflow is None:
        return ()
    from supportsim._skill_capacity import overflow_notes

    return tuple(message for _, message in overflow_notes(scenario))
