"""Per-replication arrays -> the documented result tables (docs/results.md)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from supportsim._site_records import agent_sites, site_timeline
from supportsim.demand import TicketStream
from supportsim.engine import ReplicationRecord
from supportsim.scenario import Scenario
from supportsim.scenario._routing import skill_names
from supportsim.scenario._schema import TIERS

__all__ = ["EVENT_KINDS", "build_tables", "replication_tables"]

Run = tuple[int, TicketStream, ReplicationRecord]

LEAVE_REASONS = ["", "attrition", "transfer", "departure"]
EVENT_KINDS = ["join", "leave", "surge_call", "surge_on", "surge_off", "backfill",
               "backfill_end"]


def replication_tables(scenario: Scenario, replication: int, stream: TicketStream,
                       record: ReplicationRecord) -> dict[str, pd.DataFrame]:
    """The four tables of one finished replication.

    Built as each replication finishes, so its raw arrays can be freed at once: the
    tables take about a fifth of the memory of the stream and record they come from.
    Concatenating the tables of several replications gives :func:`build_tables` of them.
    """
    return build_tables(scenario, [(replication, stream, record)])


def build_tables(scenario: Scenario, runs: list[Run]) -> dict[str, pd.DataFrame]:
    """The ``tickets``, ``staff``, ``timeline`` and ``events`` tables of `runs`."""
    return {
        "tickets": _tickets(scenario, runs),
        "staff": _staff(runs, scenario),
        "timeline": _timeline(scenario, runs),
        "events": _events(runs),
    }


def _tickets(scenario: Scenario, runs: list[Run]) -> pd.DataFrame:
    def cat(get: Any) -> np.ndarray:
        parts = [get(stream, rec) for _, stream, rec in runs]
        return np.concatenate(parts) if parts else np.empty(0)

    arrived = cat(lambda s, r: s.arrived_at)
    first = cat(lambda s, r: r.first_response_at)
    resolved = cat(lambda s, r: r.resolved_at)
    counts = [len(stream) for _, stream, _ in runs]
    # [initial] backlog tickets come first in each stream; they are scored whatever the
    # warm-up (they arrived before start, not during the warm-up).
    initial = cat(lambda s, r: np.arange(len(s)) < s.initial).astype(bool)
    return pd.DataFrame({
        "replication": np.repeat([rep for rep, _, _ in runs], counts).astype(np.int32),
        "ticket": np.concatenate([np.arange(c, dtype=np.int32) for c in counts])
        if counts else np.empty(0, np.int32),
        "priority": pd.Categorical.from_codes(cat(lambda s, r: s.priority).astype(np.int8),
                                              scenario.priority_names),
        "channel": pd.Categorical.from_codes(cat(lambda s, r: s.channel).astype(np.int8),
                                             scenario.channel_names),
        "need": cat(lambda s, r: s.need).astype(np.int8),
        "arrived_at": arrived,
        "first_response_at": first,
        "resolved_at": resolved,
        "abandoned": cat(lambda s, r: r.abandoned).astype(bool),
        "resolved_by": cat(lambda s, r: r.resolved_by).astype(np.int8),
        "escalations": cat(lambda s, r: r.escalations).astype(np.int8),
        "bounces": cat(lambda s, r: r.bounces).astype(np.int8),
        "effort": cat(lambda s, r: r.effort),
        "wait_time": first - arrived,
        "resolution_time": resolved - arrived,
        "warmup": (arrived < scenario.warmup) & ~initial,
        "storm": cat(lambda s, r: s.storm).astype(bool),
        "wave": _wave_names(scenario, cat(lambda s, r: s.wave)),
        "site": pd.Categorical.from_codes(cat(lambda s, r: s.site).astype(np.int8),
                                          scenario.site_names),
        "swarm_size": cat(lambda s, r: r.swarm_size).astype(np.int8),
        "help_wait_time": cat(lambda s, r: r.help_wait),
        "agent": cat(lambda s, r: r.resolver).astype(np.int32),
        "initial": initial,
        "retrials": cat(lambda s, r: r.retrials).astype(np.int8),
        "skill": pd.Categorical.from_codes(cat(lambda s, r: s.skill).astype(np.int8),
                                           skill_names(scenario)),
        "group": _group_names(runs),
    })


def _group_names(runs: list[Run]) -> pd.Series:
    """The resolving agent's group per ticket; missing if unresolved or the agent's tier
    has no groups (strings, as the wave column)."""
    parts = [_names(rec.agent_group, rec.resolver) for _, _, rec in runs]
    return _strings(pa.chunked_array(parts, pa.large_string()))


def _wave_names(scenario: Scenario, index: np.ndarray) -> pd.Series:
    """The wave's name per ticket, missing for base and storm tickets.

    Strings, not a categorical: a categorical without categories (no waves) comes back
    from parquet with object categories, or as objects, so a table written by
    ``run --out`` would not read back equal.
    """
    return _strings(_names([w.name for w in scenario.demand.waves], index))


def _names(names: list[str], index: np.ndarray) -> pa.Array:
    """``names[index]`` per ticket, null where `index` is -1 or the name is empty."""
    if not any(names):
        # NOTE: no waves (or no agent groups): one buffer of nulls, no take; about
        # 0.1 ms per 200,000 tickets instead of 1.5-3 ms, so the mechanism costs nothing.
        return pa.nulls(len(index), pa.large_string())
    # Taken in Arrow (a null past the names for -1): ten times cheaper than object arrays.
    table = pa.array([name or None for name in names] + [None], pa.large_string())
    return table.take(np.where(index >= 0, index, len(names)))


def _strings(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    # pandas >= 3 keeps Arrow's large strings as they are (its ``str`` dtype stores them
    # so: 8 B of offset per ticket); older pandas makes objects, as before.
    return pd.Series(values.to_pandas(), dtype=str)


def _staff(runs: list[Run], scenario: Scenario) -> pd.DataFrame:
    frames = []
    where = agent_sites(scenario)
    for rep, _, rec in runs:
        agents = len(rec.agent_tier)
        sites = [where[(int(level), group)]
                 for level, group in zip(rec.agent_tier.tolist(), rec.agent_group, strict=True)]
        frames.append(pd.DataFrame({
            "replication": np.full(agents, rep, dtype=np.int32),
            "agent": np.arange(agents, dtype=np.int32),
            "tier": rec.agent_tier,
            "joined_at": rec.joined_at,
            "left_at": rec.left_at,
            "origin": pd.Categorical(rec.agent_origin, categories=["initial", "hire", "reserve"]),
            "busy_time": rec.busy_time,
            "on_duty_time": rec.on_duty_time,
            "overtime_time": rec.overtime_time,
            "hours": rec.agent_hours,
            "phase": pd.Categorical(rec.phase, categories=["learning", "improvement", "stable"]),
            "reason": pd.Categorical(rec.leave_reason, categories=LEAVE_REASONS),
            "group": rec.agent_group,
            "site": pd.Categorical(sites, categories=scenario.site_names),
        }))
    return pd.concat(frames, ignore_index=True)


def _timeline(scenario: Scenario, runs: list[Run]) -> pd.DataFrame:
    names = [TIERS[level - 1] for level in scenario.levels]
    frames = []
    for rep, stream, rec in runs:
        steps = len(rec.open_tickets)
        t = np.arange(steps, dtype=float)
        frame: dict[str, Any] = {
            "replication": np.full(steps, rep, dtype=np.int32),
            "t": t,
            "arrivals": np.histogram(stream.arrived_at, bins=np.append(t, scenario.horizon))[0],
            "backlog": rec.open_tickets,
            "queued": rec.waiting,
            "busy": rec.busy.sum(axis=1),
            "on_duty": rec.on_duty.sum(axis=1),
            "overtime": rec.overtime.sum(axis=1),
            "effective_fte": rec.effective_fte.sum(axis=1),
            "vacancies": rec.vacancies.sum(axis=1),
            "reserve_on_duty": rec.reserve_on_duty.sum(axis=1),
        }
        for k, name in enumerate(names):
            frame[f"backlog_{name}"] = rec.queued[:, k] + rec.busy[:, k]
            frame[f"queued_{name}"] = rec.queued[:, k]
            frame[f"busy_{name}"] = rec.busy[:, k]
            frame[f"on_duty_{name}"] = rec.on_duty[:, k]
            frame[f"overtime_{name}"] = rec.overtime[:, k]
            frame[f"effective_fte_{name}"] = rec.effective_fte[:, k]
            frame[f"vacancies_{name}"] = rec.vacancies[:, k]
            frame[f"reserve_on_duty_{name}"] = rec.reserve_on_duty[:, k]
        frame.update(_group_timeline(scenario, rec))
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def _group_timeline(scenario: Scenario, rec: ReplicationRecord) -> dict[str, np.ndarray]:
    """Per agent group ``busy_lN_GROUP``, ``on_duty_lN_GROUP`` and ``overtime_lN_GROUP``,
    per skill at each tier
    with groups ``queued_lN_SKILL`` (nothing for a scenario without groups)."""
    if not rec.group_names:
        return {}
    columns: dict[str, np.ndarray] = {}
    for k, (level, name) in enumerate(zip(rec.group_tier.tolist(), rec.group_names,
                                          strict=True)):
        columns[f"busy_{TIERS[level - 1]}_{name}"] = rec.group_busy[:, k]
        columns[f"on_duty_{TIERS[level - 1]}_{name}"] = rec.group_on_duty[:, k]
        columns[f"overtime_{TIERS[level - 1]}_{name}"] = rec.group_overtime[:, k]
    skills = skill_names(scenario)
    grouped = {int(level) for level in rec.group_tier.tolist()}
    # A swarming desk's skill queues are its one queue's, counted at the lowest tier.
    for t, level in enumerate(scenario.levels[:rec.skill_queued.shape[1] // len(skills)]):
        if level in grouped or rec.skill_queued.shape[1] == len(skills):
            for s, skill in enumerate(skills):
                columns[f"queued_{TIERS[level - 1]}_{skill}"] = rec.skill_queued[
                    :, t * len(skills) + s]
    columns.update(site_timeline(scenario, rec))
    return columns


def _events(runs: list[Run]) -> pd.DataFrame:
    rows = [(rep, *event) for rep, _, rec in runs for event in rec.events]
    frame = pd.DataFrame(rows, columns=["replication", "t", "kind", "tier", "agent", "detail"])
    frame["kind"] = pd.Categorical(frame["kind"], categories=EVENT_KINDS)
    return frame.astype({"replication": np.int32, "t": float, "tier": np.int8,
                         "agent": np.int32})
