"""What one replication leaves behind: columnar numpy arrays, ready for pandas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from supportsim.engine._tiered import TieredDesk

__all__ = ["ReplicationRecord"]


@dataclass(frozen=True)
class ReplicationRecord:
    """Arrays of one replication (tickets in arrival order, agents in tier order)."""

    # tickets
    first_response_at: np.ndarray
    resolved_at: np.ndarray
    abandoned: np.ndarray
    resolved_by: np.ndarray
    escalations: np.ndarray
    bounces: np.ndarray
    effort: np.ndarray
    # agents
    agent_tier: np.ndarray  # tier level 1..3
    agent_hours: list[str]
    busy_time: np.ndarray
    # hourly state snapshots: (steps, 3 = queued/busy/on_duty, tiers), and open tickets
    snapshots: np.ndarray
    snapshot_open: np.ndarray

    @classmethod
    def from_desk(cls, desk: TieredDesk) -> ReplicationRecord:
        """Freeze the records of a finished desk into arrays."""
        levels = np.asarray(desk.levels, dtype=np.int8)
        return cls(
            first_response_at=np.array(desk.first_response, dtype=np.float64),
            resolved_at=np.array(desk.resolved_at, dtype=np.float64),
            abandoned=np.array(desk.abandoned, dtype=bool),
            resolved_by=np.array(desk.resolved_by, dtype=np.int8),
            escalations=np.array(desk.escalations, dtype=np.int8),
            bounces=np.array(desk.bounces, dtype=np.int8),
            effort=np.array(desk.effort_spent, dtype=np.float64),
            agent_tier=levels[np.asarray(desk.agent_tier, dtype=np.intp)],
            agent_hours=list(desk.agent_group),
            busy_time=np.array(desk.busy_time, dtype=np.float64),
            snapshots=desk.snapshots,
            snapshot_open=desk.snapshot_open,
        )
