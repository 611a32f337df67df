"""The flagship scenario (scenarios/golive_tiered.toml), one replication.

Reports tickets/s end to end and for the engine alone, and events/s of the engine:
SimPy numbers every scheduled event from ``env._eid``, so ``next(env._eid)`` after the
run is the count of events scheduled.
"""

from __future__ import annotations

from pathlib import Path

import supportsim as ss
from benchmarks._common import Row, best_of, say
from supportsim.demand import TicketStream, generate
from supportsim.engine import engine_stream
from supportsim.engine._tiered import TieredDesk

__all__ = ["SCENARIO", "run"]

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "golive_tiered.toml"


def _engine(sc: ss.Scenario, stream: TicketStream, seed: int) -> int:
    """What ``run_replication`` does for replication 0, keeping the desk to read its env."""
    desk = TieredDesk(sc, stream, engine_stream(seed, 0))
    desk.run()
    return next(desk.env._eid)


def run(quick: bool) -> list[Row]:
    """Time the flagship end to end and engine only (the same with `quick`: it is small)."""
    sc = ss.load_scenario(SCENARIO)
    seed = sc.seed if sc.seed is not None else 1
    stream = generate(sc, 0, seed)
    n = len(stream)
    say(f"flagship: {SCENARIO.name}, {n:,} tickets over {sc.horizon:g} h")
    t_sim, _ = best_of(lambda: ss.simulate(sc, replications=1, seed=seed))
    t_engine, events = best_of(lambda: _engine(sc, stream, seed))
    return [
        Row("flagship", "simulate, end to end", n / t_sim, "tickets/s"),
        Row("flagship", "engine only", n / t_engine, "tickets/s"),
        Row("flagship", f"engine events ({events:,}, {events / n:.1f} per ticket)",
            events / t_engine, "events/s"),
    ]
