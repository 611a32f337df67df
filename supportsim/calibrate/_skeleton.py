"""The skeleton scenario: demand and priorities fitted, work and team guessed.

The scenario is built as a dict, validated by :meth:`Scenario.from_dict`, and written as
TOML text whose every key carries a comment saying whether it was FITTED from the history
or GUESSED (a placeholder to replace). ``tomli_w`` cannot write comments, so the text is
rendered here, one key at a time, and checked to load back to the very same scenario.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from supportsim import analytic
from supportsim.calibrate._estimate import ALL, Estimates
from supportsim.demand import weekly_profile
from supportsim.scenario import Scenario, ScenarioError
from supportsim.units import format_duration, parse_duration

__all__ = ["DEFAULT_SLA", "STAFFING_TARGET", "build_skeleton", "write_text"]

#: Common service-desk targets per priority: (response, resolution, clock). Guesses.
DEFAULT_SLA: dict[str, tuple[str, str, str]] = {
    "P1": ("15min", "4h", "24x7"),
    "P2": ("1h", "8h", "24x7"),
    "P3": ("4h", "27h", "business"),  # 3 working days of 9 business hours
    "P4": ("8h", "45h", "business"),  # 5 working days
    "P5": ("9h", "90h", "business"),  # 1 and 10 working days
}
#: Staffing rule of the guess: this share of tickets answered within the strictest
#: response target, at the peak hourly rate (M/M/c).
STAFFING_TARGET = 0.8
#: Resolution times with a mean above this (hours) are mostly waiting, not work: they
#: cannot stand in for effort, so the skeleton falls back on DEFAULT_EFFORT instead.
EFFORT_CAP = 8.0
#: A typical hands-on handling time of an incident (hours), used as a stated guess.
DEFAULT_EFFORT = 1.0
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class _Section:
    header: str | None
    comments: list[str] = field(default_factory=list)
    items: list[tuple[str, Any, str]] = field(default_factory=list)

    def add(self, key: str, value: Any, comment: str = "") -> None:
        self.items.append((key, value, comment))


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else tomli_w.dumps({"k": name}).split(" = ", 1)[1][:-1]


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).split(" = ", 1)[1].rstrip("\n")


def render(sections: list[_Section]) -> str:
    """TOML text of `sections`, comments aligned after values."""
    lines: list[str] = []
    for section in sections:
        if lines:
            lines.append("")
        lines += [f"# {c}" if c else "#" for c in section.comments]
        if section.header is not None:
            lines.append(f"[{'.'.join(_key(p) for p in section.header.split('.'))}]")
        for key, value, comment in section.items:
            text = f"{_key(key)} = {_value(value)}"
            lines.append(f"{text:<24}  # {comment}" if comment else text)
    return "\n".join(lines) + "\n"


def _sig(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


def _rounded_shares(shares: Mapping[str, float]) -> dict[str, float]:
    """Shares to 6 decimals, the largest absorbing the rounding so they sum to 1."""
    out = {k: round(v, 6) for k, v in shares.items()}
    largest = max(out, key=lambda k: out[k])
    out[largest] = round(1.0 - math.fsum(v for k, v in out.items() if k != largest), 6)
    return out


def _hours_text(hours: float) -> str | float:
    text = format_duration(hours)
    return text if isinstance(text, str) else _sig(hours)


def _sla(names: list[str], given: Mapping[str, Mapping[str, Any]] | None
         ) -> dict[str, dict[str, Any]]:
    given = dict(given or {})
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ScenarioError(f"sla names {', '.join(unknown)}, which the history does not "
                            f"have (it has {', '.join(names)})")
    out = {}
    for name in names:
        response, resolution, clock = DEFAULT_SLA.get(name, DEFAULT_SLA["P4"])
        targets = {"response": response, "resolution": resolution, "clock": clock}
        targets.update(given.get(name, {}))
        out[name] = targets
    return out


def build_skeleton(est: Estimates, source: str, fmt: str,
                   sla: Mapping[str, Mapping[str, Any]] | None = None,
                   name: str | None = None) -> tuple[Scenario, str]:
    """The skeleton :class:`Scenario` and its commented TOML text.

    Raises
    ------
    ScenarioError
        If `sla` names an unknown priority or sets an invalid target.
    """
    start = est.first_opened.floor("h").to_pydatetime()
    window = max(24.0, math.ceil((est.last_opened - start).total_seconds() / 3600 - 1e-9))
    pooled = est.resolution[ALL]
    targets = _sla(list(est.priorities), sla)
    profile = est.profile
    peak = est.rate * float(np.max(weekly_profile(
        profile if isinstance(profile, str) else _profile_model(profile))))
    strictest = min(parse_duration(t["response"]) for t in targets.values())
    # Resolution time bounds effort from above; when it is mostly waiting (days), it says
    # nothing useful about effort, and sizing on it would ask for thousands of agents.
    from_history = pooled.mean <= EFFORT_CAP
    effort_mean = pooled.mean if from_history else DEFAULT_EFFORT
    staff = int(analytic.required_staff(peak, 1.0 / effort_mean, STAFFING_TARGET, strictest))
    shares = _rounded_shares({k: s.value for k, s in est.priorities.items()})
    channels = _rounded_shares({k: s.value for k, s in est.channels.items()})
    bounce = round(est.bounce.value, 4) if est.bounce is not None and est.bounce.total else 0.0
    mean, cv = (_sig(pooled.mean), _sig(pooled.cv)) if from_history else (DEFAULT_EFFORT, 1.0)

    head = _Section(None, [
        f"Skeleton scenario calibrated by supportsim from {Path(source).name} "
        f"(format {fmt!r}), {est.tickets} tickets",
        f"opened {est.first_opened:%Y-%m-%d %H:%M} .. {est.last_opened:%Y-%m-%d %H:%M}.",
        "FITTED = estimated from the history; GUESSED = a placeholder: replace it with",
        "what you know. See docs/calibration.md for what a history cannot tell.",
    ])
    head.add("name", name or f"Calibrated from {Path(source).name}", "")
    head.add("start", start, "FITTED: first opened_at, to the hour (naive local time)")
    head.add("horizon", _hours_text(window),
             "FITTED: the observed span, rounded up (at least a day); lengthen it to plan")
    head.add("replications", 10, "GUESSED")
    head.add("seed", 1, "GUESSED: any integer; fixes the random streams")
    demand = _Section("demand", ["Demand: FITTED from opened_at."])
    demand.add("rate", _sig(est.rate, 10),
               f"FITTED: {est.tickets} tickets / {est.span:.2f} h span (first to last "
               f"opened_at); {est.confidence:.0%} CI [{est.rate_low:.3g}, {est.rate_high:.3g}]")
    sections = [head, demand]
    if isinstance(profile, str):
        demand.add("profile", profile, f"{profile_comment(est)}")
    else:
        weights = _Section("demand.profile", [f"Weekly profile {est.profile_note}."])
        weights.add("hourly", profile["hourly"], "FITTED: 00:00 .. 23:00")
        weights.add("daily", profile["daily"], "FITTED: Monday .. Sunday")
        sections.append(weights)
    for channel, share in channels.items():
        s = est.channels[channel]
        section = _Section(f"demand.channels.{channel}")
        section.add("share", share, f"FITTED: {s.count} of {s.total}; CI [{s.low:.3f}, "
                    f"{s.high:.3f}]; no patience: abandonment cannot be inferred")
        sections.append(section)
    for priority, share in shares.items():
        s, t = est.priorities[priority], targets[priority]
        given = sla is not None and priority in sla
        label = "GIVEN" if given else "GUESSED: common default"
        section = _Section(f"priorities.{priority}")
        section.add("share", share, f"FITTED: {s.count} of {s.total}; CI [{s.low:.3f}, "
                    f"{s.high:.3f}]")
        section.add("response", t["response"], f"{label} target")
        section.add("resolution", t["resolution"], f"{label} target")
        section.add("clock", t["clock"], label)
        sections.append(section)
    work = _Section("work.mix", [
        "Work: GUESSED. One tier fixes everything. Resolution time includes waiting, off",
        "hours and hand-offs, so it is an UPPER BOUND on hands-on work; a history of",
        "resolution times alone cannot tell effort per tier.",
        ("Its effort is the FITTED lognormal of resolution times over all priorities."
         if from_history else
         f"Resolution times here average {pooled.mean:.3g} h (> {EFFORT_CAP:g} h): mostly "
         f"waiting, so effort is a GUESSED {DEFAULT_EFFORT:g} h typical handling time."),
    ])
    work.add("l1", 1.0, "GUESSED: a single tier")
    effort = _Section("work.effort.l1")
    if from_history:
        effort.add("dist", "lognormal", "FITTED family (KS D = "
                   f"{pooled.ks_statistic:.3f} over {pooled.n} resolved tickets)")
        effort.add("mean", _hours_text(mean), f"FITTED mean resolution time, hours; CI "
                   f"[{pooled.mean_low:.3g}, {pooled.mean_high:.3g}] (upper bound on effort)")
        effort.add("cv", cv, f"FITTED: sqrt(exp(s^2) - 1), s = {pooled.sigma:.3f}")
    else:
        effort.add("dist", "lognormal", "GUESSED")
        effort.add("mean", _hours_text(mean), "GUESSED: typical handling time; measure it")
        effort.add("cv", cv, "GUESSED")
    team = _Section("team", ["Team: GUESSED."])
    team.add("structure", "tiered", "GUESSED")
    team.add("discipline", "priority", "GUESSED")
    tier = _Section("team.tiers.l1", [
        f"GUESSED, an upper bound: analytic.required_staff for {STAFFING_TARGET:.0%} of "
        f"tickets answered within {format_duration(strictest)}",
        f"at the peak rate {peak:.3g}/h with {effort_mean:.3g} h of effort per ticket "
        "(M/M/c).",
    ])
    tier.add("staff", staff, "GUESSED (upper bound)")
    tier.add("hours", "24x7", "GUESSED")
    tennis = _Section("team.tennis")
    tennis.add("bounce", bounce, bounce_comment(est))
    sections += [work, effort, team, tier, tennis]
    text = render(sections)

    data = tomllib.loads(text)
    scenario = Scenario.from_dict(data, source=source)
    return scenario, text


def _profile_model(profile: dict[str, list[float]]) -> Any:
    from supportsim.scenario._demand import WeeklyProfile

    return WeeklyProfile(hourly=tuple(profile["hourly"]), daily=tuple(profile["daily"]))


def profile_comment(est: Estimates) -> str:
    """The comment of a flat profile: why it is flat."""
    return f"FITTED as {est.profile_note}" if est.profile != "flat" else (
        f"GUESSED flat: the history spans {est.span / 24:.1f} days, under the two weeks "
        "a weekly profile needs")


def bounce_comment(est: Estimates) -> str:
    """The comment of the tennis bounce: fitted from reassignments, or why not."""
    b = est.bounce
    if b is None:
        return "GUESSED 0: the history has no reassignment counts"
    if not b.total:
        return "FITTED 0: no ticket was reassigned"
    return (f"FITTED: {b.count} of {b.total} reassigned tickets were reassigned >= 3 "
            f"times; CI [{b.low:.3f}, {b.high:.3f}]; acts once there are tiers")


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` to `path` through a temporary file and ``os.replace``: all or nothing."""
    from supportsim.calibrate._output import write_files

    return write_files({Path(path): text})[0]
