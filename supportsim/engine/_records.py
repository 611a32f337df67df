"""What one replication leaves behind: columnar numpy arrays, ready for pandas."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from supportsim.engine._desk import Desk

__all__ = ["ReplicationRecord"]


@dataclass(frozen=True)
class ReplicationRecord:
    """Arrays of one replication (tickets in arrival order, agents in joining order)."""

    # tickets
    first_response_at: np.ndarray
    resolved_at: np.ndarray
    abandoned: np.ndarray
    resolved_by: np.ndarray
    escalations: np.ndarray
    bounces: np.ndarray
    effort: np.ndarray
    swarm_size: np.ndarray
    help_wait: np.ndarray
    resolver: np.ndarray  # agent who resolved it (the owner of a swarm), -1 if nobody
    # agents
    agent_tier: np.ndarray  # tier level 1..3
    agent_hours: list[str]
    agent_origin: list[str]
    joined_at: np.ndarray
    left_at: np.ndarray
    leave_reason: list[str]
    phase: list[str]  # learning phase at leaving or at the horizon
    busy_time: np.ndarray
    on_duty_time: np.ndarray
    # hourly snapshots (steps x tiers) and scalars per step
    queued: np.ndarray
    busy: np.ndarray
    on_duty: np.ndarray
    vacancies: np.ndarray
    reserve_on_duty: np.ndarray
    effective_fte: np.ndarray
    open_tickets: np.ndarray
    waiting: np.ndarray
    # workforce events: (t, kind, level, agent, detail)
    events: list[tuple[float, str, int, int, str]]

    @classmethod
    def from_desk(cls, desk: Desk) -> ReplicationRecord:
        """Freeze the records of a finished desk into arrays."""
        levels = np.asarray(desk.levels, dtype=np.int8)
        horizon = desk.horizon
        left = np.array(desk.left_at, dtype=np.float64)
        workforce = desk.workforce
        return cls(
            first_response_at=np.array(desk.first_response, dtype=np.float64),
            resolved_at=np.array(desk.resolved_at, dtype=np.float64),
            abandoned=np.array(desk.abandoned, dtype=bool),
            resolved_by=np.array(desk.resolved_by, dtype=np.int8),
            escalations=np.array(desk.escalations, dtype=np.int8),
            bounces=np.array(desk.bounces, dtype=np.int8),
            effort=np.array(desk.effort_spent, dtype=np.float64),
            swarm_size=np.array(desk.swarm_size, dtype=np.int8),
            help_wait=np.array(desk.help_wait, dtype=np.float64),
            resolver=np.array(desk.resolver, dtype=np.int32),
            agent_tier=levels[np.asarray(desk.agent_tier, dtype=np.intp)],
            agent_hours=[desk.groups[g][1] for g in desk.agent_group],
            agent_origin=list(desk.agent_origin),
            joined_at=np.array(desk.joined_at, dtype=np.float64),
            left_at=left,
            leave_reason=list(desk.leave_reason),
            phase=[workforce.phase_of(a, horizon if math.isnan(end) else end)
                   for a, end in enumerate(desk.left_at)],
            busy_time=np.array(desk.busy_time, dtype=np.float64),
            on_duty_time=np.array(desk.on_duty_time, dtype=np.float64),
            queued=desk.snapshot_queued,
            busy=desk.snapshot_busy,
            on_duty=desk.snapshot_on_duty,
            vacancies=workforce.snapshot_vacancies,
            reserve_on_duty=workforce.snapshot_reserve,
            effective_fte=(workforce.snapshot_effective if workforce.learning is not None
                           else desk.snapshot_on_duty.astype(np.float64)),
            open_tickets=desk.snapshot_open,
            waiting=desk.snapshot_waiting,
            events=list(desk.events),
        )

