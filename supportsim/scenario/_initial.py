"""``[initial]``: the open tickets the desk holds at `start` (a warm start from a backlog).

Rows come inline (``[[initial.backlog]]``) or from a CSV or parquet file named by
``initial.backlog``, relative to the scenario file. Each row is checked against the
scenario (priorities, channels, tiers, `start`) when the scenario is validated, so a bad
backlog fails at load time with the file, line and column (or the dotted key) and the
rule. :class:`Backlog` holds the checked rows as arrays, ready for
:mod:`supportsim.demand`.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Discriminator, Field, Tag, ValidationError, field_validator

from supportsim._errors import ScenarioError
from supportsim._textfile import MIB, read_text
from supportsim.scenario._routing import skill_names
from supportsim.scenario._schema import (
    MAX_DURATION,
    TIERS,
    Hours,
    KeyedError,
    Section,
    TierName,
)
from supportsim.scenario._validation import _rule, shown
from supportsim.sites import hours_between
from supportsim.units import parse_duration

if TYPE_CHECKING:
    from supportsim.scenario._scenario import Scenario

__all__ = ["BACKLOG_COLUMNS", "Backlog", "BacklogRow", "Initial", "resolve_backlog"]

#: Largest backlog file read, in bytes (a desk's open tickets are thousands of rows).
BACKLOG_LIMIT = 64 * MIB
#: Columns of a backlog file, required ones first.
BACKLOG_COLUMNS = ("id", "opened_at", "priority", "tier", "channel", "in_service",
                   "work_done", "need", "skill", "site")
REQUIRED = BACKLOG_COLUMNS[:4]


def _opened_at(value: object) -> object:
    """An instant (a datetime or ISO text) or signed hours since start (number or '-36h')."""
    if isinstance(value, bool):
        raise ValueError("must be an instant or hours since start, not a boolean")
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):  # a TOML local date: its midnight
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        if text.startswith("-"):
            return -parse_duration(text[1:].strip())
        if text in ("0", "0h"):
            return 0.0
        raise ValueError("must be an instant at or before start ('2026-03-02T08:00') or "
                         f"negative hours since start ('-36h'), got {value!r}")
    return value


class BacklogRow(Section):
    """One open ticket at `start`: a row of ``[[initial.backlog]]`` or of the backlog file."""

    id: str = Field(description="Ticket id (text or a whole number); unique, not empty.")
    opened_at: Annotated[datetime | float, BeforeValidator(_opened_at)] = Field(
        description="When the ticket was opened: an instant at or before `start`, or hours "
        "since start (0 or negative: '-36h'); at most 520w before start. Its SLA clocks "
        "run from then.")
    priority: str = Field(description="One of [priorities].")
    channel: str | None = Field(default=None, description="One of [demand.channels]; not "
                                "set: the first channel.")
    tier: TierName = Field(description="The tier it waits at, or is being worked at.")
    in_service: bool = Field(default=False, description="An agent of `tier` is working on "
                             "it at start (one agent per such ticket must be on duty).")
    work_done: Hours = Field(default=0.0, ge=0, le=MAX_DURATION, description="Hands-on "
                             "work already spent at `tier`; the rest is drawn conditioned "
                             "on it.")
    need: TierName | None = Field(default=None, description="Tier that can fix it; not "
                                  "set: drawn from the mix, conditioned on need >= tier.")
    skill: str | None = Field(default=None, description="One of [demand.skills]; not set: "
                              "drawn by the shares of its channel.")
    site: str | None = Field(default=None, description="One of [sites]: where it was "
                             "raised (its business clock and holidays, its skill shares); "
                             "not set: drawn by the shares of [demand.sites].")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: object) -> object:
        # Ticket numbers are often written as integers: read them as their text.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # a file's "1042" is read as a number first
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty")
        return value


class Initial(Section):
    """``[initial]``: where the desk stands at `start`."""

    backlog: Annotated[
        Annotated[str, Tag("file")] | Annotated[tuple[BacklogRow, ...], Tag("rows")],
        Discriminator(lambda v: "file" if isinstance(v, str) else "rows"),
    ] = Field(
        default=(), description="Open tickets at start: a CSV or parquet file (relative to "
        "the scenario file; columns as the keys of [[initial.backlog]]) or inline rows.")


@dataclass(frozen=True, slots=True)
class Backlog:
    """The checked backlog, one array element per ticket, in order of opening."""

    ids: tuple[str, ...]
    opened: np.ndarray  # float64 hours since start, <= 0
    priority: np.ndarray  # int8 rank
    channel: np.ndarray  # int8 index into scenario.channel_names
    tier: np.ndarray  # int8 level 1..3 it waits or is worked at
    in_service: np.ndarray  # bool
    work_done: np.ndarray  # float64 hours, >= 0
    need: np.ndarray  # int8 level 1..3, 0 where it is to be drawn
    skill: np.ndarray | None = None  # int8 index of the skill, -1 where it is to be drawn
    site: np.ndarray | None = None  # int8 index into scenario.site_names, -1: to be drawn

    def __len__(self) -> int:
        return len(self.ids)

    def digest(self) -> str:
        """A SHA-256 of the checked rows (for a scenario's fingerprint)."""
        h = hashlib.sha256("\x1f".join(self.ids).encode())
        for values in (self.opened, self.priority, self.channel, self.tier, self.in_service,
                       self.work_done, self.need):
            h.update(np.ascontiguousarray(values).tobytes())
        if self.skill is not None:  # only when given: older backlogs keep their digest
            h.update(np.ascontiguousarray(self.skill).tobytes())
        if self.site is not None:  # likewise
            h.update(b"site" + np.ascontiguousarray(self.site).tobytes())
        return h.hexdigest()


Where = Callable[[int, str], str]


def resolve_backlog(scenario: Scenario, base: Path | None) -> Backlog | None:
    """Read and check ``scenario.initial.backlog``; None without one.

    Raises
    ------
    ScenarioError
        For a file: naming the file, line, column and rule.
    KeyedError
        For inline rows: naming ``initial.backlog.K.key``.
    """
    initial = scenario.initial
    if initial is None:
        return None
    if isinstance(initial.backlog, str):
        path = Path(initial.backlog)
        if not path.is_absolute() and base is not None:
            path = base / path
        rows, where = _read_file(path)

        def fail(at: str, rule: str) -> Exception:
            return ScenarioError(f"{at}: {rule}")
    else:
        rows = list(initial.backlog)

        def where(k: int, column: str) -> str:
            return f"initial.backlog.{k}.{column}"

        def fail(at: str, rule: str) -> Exception:
            return KeyedError(at, rule)
    return _check(scenario, rows, where, fail)


def _read_file(path: Path) -> tuple[list[BacklogRow], Where]:
    import pandas as pd  # only a backlog file needs it: `--help` stays fast

    what = "backlog file"
    if path.suffix.lower() == ".parquet":
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            raise ScenarioError(f"cannot read {what}: {exc.strerror} ({path})") from None
        if size > BACKLOG_LIMIT:
            raise ScenarioError(f"{what} is larger than {BACKLOG_LIMIT // MIB} MiB ({path})")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise ScenarioError(f"cannot read {what}: not a parquet file? {exc} ({path})"
                                ) from None
        first = 1  # parquet rows have no header line: row k is "row k + 1"
        noun = "row"
    else:
        text = read_text(path, what, limit=BACKLOG_LIMIT)
        # Lines starting with '#' are comments (snapshot writes one on where it came from).
        lines = text.splitlines()
        skipped = 0
        while skipped < len(lines) and lines[skipped].lstrip().startswith("#"):
            skipped += 1
        try:
            frame = pd.read_csv(io.StringIO("\n".join(lines[skipped:])), dtype=str,
                                keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ScenarioError(f"{what} is not a readable CSV: {exc} ({path})") from None
        first = skipped + 2  # the header line, then one line per row
        noun = "line"
    columns = [str(c).strip() for c in frame.columns]
    frame.columns = pd.Index(columns)

    def where(k: int, column: str) -> str:
        col = f", column {columns.index(column) + 1} ({column})" if column in columns else ""
        return f"{path}, {noun} {k + first}{col}"

    header = f"{path}, line {first - 1}" if noun == "line" else f"{path}"
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ScenarioError(f"{header}: missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} (a backlog needs {', '.join(REQUIRED)})")
    unknown = [c for c in columns if c not in BACKLOG_COLUMNS]
    if unknown:
        raise ScenarioError(f"{header}: unknown column {unknown[0]!r} (known: "
                            f"{', '.join(BACKLOG_COLUMNS)})")
    rows = []
    for k, record in enumerate(frame.to_dict("records")):
        data = {c: _cell(v) for c, v in record.items() if _cell(v) is not None}
        try:
            rows.append(BacklogRow.model_validate(data))
        except ValidationError as exc:
            error = exc.errors()[0]
            column = str(error["loc"][0]) if error["loc"] else ""
            # The house wording of the rule, as for a scenario key ("must be ...").
            rule = _rule(error, BacklogRow)
            got = "" if error["type"] == "missing" else f", got {shown(data.get(column))}"
            raise ScenarioError(f"{where(k, column)}: {rule}{got}") from None
    return rows, where


def _cell(value: Any) -> Any:
    """A file cell as TOML would give it: empty is absent, numbers are numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, datetime) and hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()  # a pandas Timestamp from parquet
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _check(scenario: Scenario, rows: Sequence[BacklogRow], where: Where,
           fail: Callable[[str, str], Exception]) -> Backlog:
    priorities, channels = scenario.priority_names, scenario.channel_names
    skills = skill_names(scenario)
    sites = list(scenario.sites or {})
    levels = scenario.levels
    start = scenario.start
    seen: dict[str, int] = {}
    opened = np.empty(len(rows))
    for k, row in enumerate(rows):
        if row.id in seen:
            raise fail(where(k, "id"), f"ticket ids must be unique, got {row.id!r} again "
                       f"(first at {where(seen[row.id], 'id')})")
        seen[row.id] = k
        if isinstance(row.opened_at, datetime):
            if row.opened_at.tzinfo is not None:
                raise fail(where(k, "opened_at"), "must be a local date-time without a UTC "
                           f"offset, like start, got {row.opened_at.isoformat()}")
            hours = hours_between(start, row.opened_at, scenario.zone_of_start)
            shown = row.opened_at.isoformat()
        else:
            hours, shown = row.opened_at, f"{row.opened_at:g} h"
        if hours > 0:
            raise fail(where(k, "opened_at"), f"must be at or before start "
                       f"({start.isoformat()}): a backlog ticket is open at start, got {shown}")
        if hours < -MAX_DURATION:
            raise fail(where(k, "opened_at"), "must be at most 520 weeks before start, got "
                       f"{shown}")
        opened[k] = hours
        if row.priority not in priorities:
            raise fail(where(k, "priority"), "must be one of [priorities] "
                       f"({', '.join(priorities)}), got {row.priority!r}")
        if row.channel is not None and row.channel not in channels:
            raise fail(where(k, "channel"), "must be one of [demand.channels] "
                       f"({', '.join(channels)}), got {row.channel!r}")
        for column in ("tier", "need"):
            name = getattr(row, column)
            if name is not None and TIERS.index(name) + 1 not in levels:
                raise fail(where(k, column), f"must be a tier of the team "
                           f"({', '.join(TIERS[v - 1] for v in levels)}), got {name!r}")
        if row.skill is not None and row.skill not in skills:
            raise fail(where(k, "skill"), "must be one of [demand.skills] "
                       f"({', '.join(skills)}), got {row.skill!r}")
        if row.site is not None and row.site not in sites:
            rule = (f"must be one of [sites] ({', '.join(sites)})" if sites else
                    "needs [sites]: a desk without sites has one clock")
            raise fail(where(k, "site"), f"{rule}, got {row.site!r}")
    order = np.argsort(opened, kind="stable")
    rows = [rows[k] for k in order]
    given = any(r.skill is not None for r in rows)
    placed = any(r.site is not None for r in rows)
    return Backlog(
        ids=tuple(r.id for r in rows),
        opened=opened[order],
        priority=np.array([priorities.index(r.priority) for r in rows], dtype=np.int8),
        channel=np.array([0 if r.channel is None else channels.index(r.channel)
                          for r in rows], dtype=np.int8),
        tier=np.array([TIERS.index(r.tier) + 1 for r in rows], dtype=np.int8),
        in_service=np.array([r.in_service for r in rows], dtype=bool),
        work_done=np.array([r.work_done for r in rows], dtype=float),
        need=np.array([0 if r.need is None else TIERS.index(r.need) + 1 for r in rows],
                      dtype=np.int8),
        skill=np.array([-1 if r.skill is None else skills.index(r.skill) for r in rows],
                       dtype=np.int8) if given else None,
        site=np.array([-1 if r.site is None else sites.index(r.site) for r in rows],
                      dtype=np.int8) if placed else None,
    )
