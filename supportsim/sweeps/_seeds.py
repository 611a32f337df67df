"""The random inputs of one sweep task, derived in one place.

A task's streams come from the sweep's root seed, the replication and the variant id,
never from task order, worker or executor, so every executor gives the identical table:

- demand: ``SeedSequence(seed, spawn_key=(replication, 0, stream))``
  (:func:`supportsim.demand.generate`): independent of the variant, so every variant
  sees the very same tickets in replication ``r`` (common random numbers);
- engine (workforce draws): ``SeedSequence(seed, spawn_key=(replication, 1, variant))``
  with the variant the integer value of its id (DESIGN.md section 7), passed in by
  :func:`supportsim.sweeps._task.simulate_task`. Without workforce mechanisms the engine
  draws nothing, so a variant's rows equal ``simulate(variant, seed=seed)``'s.

Change the derivation here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TaskSeeds", "task_seeds"]


@dataclass(frozen=True, slots=True)
class TaskSeeds:
    """Root seed, replication and variant key of one task."""

    seed: int
    replication: int
    variant: int

    def engine_rng(self) -> np.random.Generator:
        """The variant's own engine stream, ``(replication, 1, variant)`` (module notes)."""
        from supportsim.engine import engine_stream

        return engine_stream(self.seed, self.replication, self.variant)


def task_seeds(seed: int, replication: int, variant_id: str) -> TaskSeeds:
    """The seeds of task (`variant_id`, `replication`) in a sweep rooted at `seed`.

    Parameters
    ----------
    seed : int
        The sweep's root seed (>= 0).
    replication : int
        Replication number (>= 0); selects the demand streams.
    variant_id : str
        Hex id of the variant (:func:`supportsim.sweeps._grid.variant_id`); selects the
        engine stream.

    Returns
    -------
    TaskSeeds
    """
    return TaskSeeds(seed=int(seed), replication=int(replication), variant=int(variant_id, 16))
