"""The scenario-key reference, docs/scenario.md, generated from the schema.

Regenerate with ``python -m supportsim._reference > docs/scenario.md``; tests/test_docs.py
fails when the file and the schema drift apart.
"""

from __future__ import annotations

import sys
import types
import typing
from datetime import date, datetime
from typing import Any

import annotated_types as at
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

from supportsim.scenario import Scenario
from supportsim.scenario._schema import _clock_time, _hours
from supportsim.units import format_duration

__all__ = ["scenario_reference"]

#: Descriptions of fields that have none in the schema yet ("Model.field: text" per line).
FALLBACK = dict(line.split(": ", 1) for line in """
Scenario.name: Title shown in reports and figures.
Scenario.start: Local date-time (no UTC offset) of t = 0; from 1900-01-01 to 2199-12-31.
Scenario.horizon: Simulated time; tickets open at the horizon stay open.
Scenario.warmup: Earlier arrivals are flagged `warmup`, not scored; "auto": MSER-5 after the run.
Scenario.replications: Independent replications `simulate` runs by default.
Scenario.seed: Root of every random stream; not set: a fresh one, recorded in the result.
CalendarSection.business_hours: Opening and closing time of every business day.
CalendarSection.business_days: Days that are open.
CalendarSection.holidays: Whole days closed, as TOML dates (2026-04-03).
Demand.profile: Weekly pattern; "office": quiet nights, mid-morning peak, light weekends.
WeeklyProfile.hourly: Weight of each clock hour, 00:00 first; in [0, 1e9], sum > 0.
WeeklyProfile.daily: Weight of each day, Monday first; in [0, 1e9], sum > 0.
Channel.share: Share of tickets coming in through this channel.
Channel.patience: Mean patience (exponential) before an unstarted ticket abandons; not set: never.
Burst.name: Label; addresses the burst in overrides.
Burst.at: When the burst starts.
Burst.multiplier: Rate factor at the peak; below 1 is a dip.
Burst.decay: Time constant of the exponential way back (or `duration`).
Burst.duration: Length of a flat block at `multiplier` (or `decay`).
Storms.changes_per_week: Changes per week (Poisson).
Storms.failure_rate: Probability that a change fails and sets off a storm.
Storms.decay: Mean delay (exponential) from the failure to each storm ticket.
Priority.share: Share of tickets with this priority.
Priority.response: Target to first response (an agent starts work); or business days ("2bd").
Priority.resolution: Target from arrival to resolution; business days ("3bd") on a business clock.
Priority.clock: Wall hours, or business hours: [calendar]'s ([sites]: the ticket's site's).
Work.mix: Share of tickets whose fix needs tier lN.
Distribution.dist: Shape.
Distribution.mean: Mean; required for "exponential", "lognormal", "gamma", "fixed", else left out.
Distribution.cv: Coefficient of variation; required for "lognormal" and "gamma", else left out.
Team.structure: How the desk is organised.
Team.discipline: "priority": rank, then order of joining; "preemptive": may take an agent.
Tier.staff: Agents; required unless `hours` lists shifts (then their sum, <= 10000).
Tier.hours: When the agents are on duty; a list gives shifts.
Shift.name: Label in `res.staff.hours`; default "shiftK" (K from 1).
Shift.start: Start, local time.
Shift.end: End; before the start means it crosses midnight.
Shift.days: Days on which the shift starts.
Shift.staff: Agents on this shift.
Tennis.bounce: Probability that the upper tier sends an escalated ticket back down.
Reserve.mode: "pool": always on; "surge": joins on the trigger; "backfill": covers vacancies.
""".strip().splitlines())

PREAMBLE = """\
# Scenario keys

<!-- Generated from supportsim/scenario/ by
     `python -m supportsim._reference > docs/scenario.md`. Do not edit by hand. -->

A scenario is a TOML file, or the same nested dict given to `Scenario.from_dict`. Each
section is one table of the file; each row gives a key's dotted path, type, default,
constraints and meaning. Placeholders: `NAME` is a name you choose (a channel, a priority),
`lN` a tier (`l1`, `l2`, `l3`), `N` a list item counted from 0 (a burst also by its name).

- **Durations** are hours (`1.5`) or a string with a unit: `"90s"`, `"15min"`, `"4h"`,
  `"3d"` (24-hour days), `"2w"`. SLA targets on a `business` clock may also be business
  days, `"3bd"`: N times the length of the calendar's business day, in business hours
  (`"3bd"` = 27 business hours on 08:00–17:00); a `24x7` clock rejects them. Targets keep
  the unit they were written in, in tables and when exported. **Rates** are per hour.
  **Shares** are in [0, 1]; the shares of channels, of priorities and of `work.mix` each
  sum to 1 (within 1e-6 either way).
- **Numbers** are TOML numbers, never strings (`rate = "12"` is an error); integers are
  whole numbers. Every number has a range (Constraints): finite, and within bounds no real
  desk comes near: at least 1 second for a duration that must be positive, at most 520
  weeks (10 years) for any duration, at most 10,000 agents per tier, and so on. Beyond
  them the arithmetic would overflow, divide by zero or not end.
- **Across keys**: each tier with a `work.mix` share > 0 needs `work.effort.lN` and a
  team tier at that level or above; a tiered desk needs tier `l1` (every ticket enters L1)
  and `work.triage.lN` for each tier that escalates; the first priority is the most urgent.
- **Overrides** use the dotted paths: `sc.with_overrides({"team.tiers.l1.staff": 14})` or
  `supportsim run FILE --set team.tiers.l1.staff=14` (values read as TOML), then validate.
  A name that is not there (a group, site, skill, priority...) is refused with a
  did-you-mean; a new one is set as one table: `--set 'team.tiers.l1.groups.es={skills =
  ["es"], staff = 2}'`.
- **Errors** raise `ScenarioError` (a `ValueError`) naming key, rule, value and file:
  `team.tiers.l1.staff must be an integer >= 0, got -2 (rollout.toml)`. Unknown keys get a
  did-you-mean. An offered load at or above a tier's capacity is not an error: `ss.check`
  (and `supportsim check`) reports it, and a `CapacityWarning` is raised when a simulation
  starts; loading a scenario never warns.
"""


def _parts(annotation: Any, meta: list[Any]) -> tuple[Any, list[Any]]:
    """Strip Annotated layers (collecting their metadata) and None; a union becomes a list."""
    while typing.get_origin(annotation) in (typing.Annotated, typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) is typing.Annotated:
            meta = meta + [m for e in args[1:] for m in getattr(e, "metadata", [e])]
        elif len(args) > 1:
            return [_parts(a, [])[0] for a in args], meta
        annotation = args[0]
    return annotation, meta


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _place(key_type: Any) -> str:
    return "lN" if typing.get_origin(key_type) is typing.Literal else "NAME"


def _kind(annotation: Any, meta: list[Any]) -> str:
    """The type of a key in words: duration, number, integer, share, choice of ..., list."""
    ann, meta = _parts(annotation, meta)
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    funcs = {m.func for m in meta if isinstance(m, BeforeValidator)}
    if isinstance(ann, list):
        return " or ".join(_kind(a, []) for a in ann)
    if origin is typing.Literal:
        return "choice of " + ", ".join(f'"{a}"' for a in args)
    if origin is tuple:
        return f"list of {'' if args[-1] is Ellipsis else f'{len(args)} '}{_kind(args[0], [])}"
    if origin is dict:
        return f"table of {_place(args[0])} = {_kind(args[1], [])}"
    if funcs & {_hours, _clock_time}:
        return "duration" if _hours in funcs else 'time "HH:MM"'
    if ann is float:
        return "share" if _constraints(meta) == "in [0, 1]" else "number"
    names = {int: "integer", str: "string", datetime: "date-time", date: "date",
             bool: "boolean"}
    return "table" if _is_model(ann) or ann is Any else names.get(ann, str(ann))


def _bound(value: float, duration: bool) -> str:
    """A bound as text; a duration's in the coarsest exact unit ("1s", "520w")."""
    written = format_duration(value) if duration and value else value
    return written if isinstance(written, str | int) else f"{written:g}"


def _constraints(meta: list[Any], duration: bool = False) -> str:
    b = {n: getattr(m, n) for m in meta if isinstance(m, at.BaseMetadata)
         for n in ("gt", "ge", "lt", "le", "min_length", "max_length") if hasattr(m, n)}
    out = ([f"in [{_bound(b.pop('ge'), duration)}, {_bound(b.pop('le'), duration)}]"]
           if "ge" in b and "le" in b else [])
    out += [f"{op} {_bound(b[k], duration)}"
            for k, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")) if k in b]
    lo, hi = b.get("min_length"), b.get("max_length")
    sizes = [f"exactly {lo} items"] if lo is not None and lo == hi else (
        [f"at least {lo} items"] * (lo is not None) + [f"at most {hi} items"] * (hi is not None))
    return ", ".join(out + sizes) or "—"


def _toml(value: Any, duration: bool = False) -> str:
    """A default as an inline TOML value; durations in the coarsest exact unit."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, int | float) and duration and value:
        value = format_duration(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | date | int | float):
        return (f'"{value}"' if isinstance(value, str) else
                value.isoformat() if isinstance(value, date) else f"{value:g}")
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    return "[" + ", ".join(_toml(v) for v in value) + "]"


def _default(field: FieldInfo, duration: bool = False, section: bool = False) -> str:
    if field.is_required():
        return "Required." if section else "required"
    value = field.get_default(call_default_factory=True)
    if section:  # a table's defaults show in its rows; only a table of tables shows here
        plain = value is None or not value or isinstance(value, BaseModel)
        return "Optional." if plain else f"Optional; default `{_toml(value)}`."
    return "not set" if value is None else f"`{_toml(value, duration)}`"


def _sections(model: type[BaseModel], path: str, header: str, note: str) -> list[str]:
    """Markdown of one table (a heading, its docstring, a row per key), then its sub-tables."""
    rows, children = [], []
    for attr, field in model.model_fields.items():
        key = f"{path}.{field.alias or attr}".lstrip(".")
        ann, meta = _parts(field.annotation, list(field.metadata))
        last, shared = (ann[-1], True) if isinstance(ann, list) else (ann, False)
        args, status = typing.get_args(last), _default(field, section=True)
        if typing.get_origin(last) is dict and _is_model(args[1]):
            sub = f"{key}.{_place(args[0])}"
            children += _sections(args[1], sub, f"[{sub}]", status)
            continue
        if typing.get_origin(last) is tuple and _is_model(args[0]):
            sub = f"Used when `{key}` is a list of tables." if shared else status
            children += _sections(args[0], f"{key}.N", f"[[{key}]]", sub)
        elif _is_model(last):
            sub = f"Used when `{key}` is a table." if shared else status
            children += _sections(last, key, f"[{key}]", sub)
        if not shared and (_is_model(last) or (args and _is_model(args[0]))):
            continue
        text = field.description or FALLBACK.get(f"{model.__name__}.{attr}", "")
        text = text[:1].upper() + text[1:] + ("" if text.endswith(".") or not text else ".")
        kind = _kind(field.annotation, list(field.metadata))
        rows.append(f"| `{key}` | {kind} | {_default(field, kind == 'duration')} | "
                    f"{_constraints(meta, kind == 'duration')} | {text} |")
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("``", "`")
    doc = doc.split("`: ", 1)[1] if doc.startswith("`[") else doc  # the heading names it
    doc = " ".join(f"{doc[:1].upper()}{doc[1:]} {note}".split())
    table = ["| Key | Type | Default | Constraints | Description |",
             "| --- | --- | --- | --- | --- |", *rows, ""] if rows else []
    return [f"## `{header}`" if path else f"## {header}", "", doc, "", *table, *children]


def scenario_reference() -> str:
    """The Markdown reference of every scenario key, generated from the schema."""
    return PREAMBLE + "\n" + "\n".join(_sections(Scenario, "", "Top level", ""))


if __name__ == "__main__":
    sys.stdout.write(scenario_reference())
