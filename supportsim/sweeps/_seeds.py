"""The random inputs of one sweep task, derived in one place.

A task's streams come from the sweep's root seed and the replication alone (DESIGN.md
section 7), never from the variant, task order, worker or executor:

- demand: ``SeedSequence(seed, spawn_key=(replication, 0, stream))``
  (:func:`supportsim.demand.generate`);
- a rollout wave's tickets: ``SeedSequence(seed, spawn_key=(replication, 2, key, stream))``,
  `key` a CRC-32 of the wave's name (:func:`supportsim.waves.wave_key`);
- engine (who leaves when, joiners' extra escalations, routing draws):
  ``SeedSequence(seed, spawn_key=(replication, 1))``
  (:func:`supportsim.engine.engine_stream`).

These are the streams of ``simulate``, so a variant's rows in a sweep are exactly those
of ``simulate(variant_scenario, seed=seed)``, every executor gives the identical table,
and variants share their engine draws as well as their tickets: common random numbers
all the way down. Two variants that describe the same desk (a reserve fraction of 0 in
any reserve mode) give identical rows. The variant id keys the store, never a stream.

Change the derivation here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TaskSeeds", "task_seeds"]


@dataclass(frozen=True, slots=True)
class TaskSeeds:
    """Root seed and replication of one task: all its random streams derive from these."""

    seed: int
    replication: int

    def engine_rng(self) -> np.random.Generator:
        """The engine stream, ``(replication, 1)``: the one ``simulate`` uses."""
        from supportsim.engine import engine_stream

        return engine_stream(self.seed, self.replication)


def task_seeds(seed: int, replication: int) -> TaskSeeds:
    """The seeds of replication `replication` in a sweep rooted at `seed`.

    Every variant of the sweep gets the same seeds in a replication (module notes).

    Parameters
    ----------
    seed : int
        The sweep's root seed (>= 0).
    replication : int
        Replication number (>= 0).

    Returns
    -------
    TaskSeeds
    """
    return TaskSeeds(seed=int(seed), replication=int(replication))
