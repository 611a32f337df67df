"""The flagship scenario, one replication: ``scenarios/rollout_tiered.toml`` (the full DESIGN
example, every mechanism on), and ``scenarios/golive_tiered.toml`` (no workforce) beside it.

Reports tickets/s end to end and for the engine alone, and events/s of the engine:
SimPy numbers every scheduled event from ``env._eid``, so ``next(env._eid)`` after the
run is the count of events scheduled; arrivals are merged with the event queue instead
(see supportsim.engine._desk) and are added to it. Target (DESIGN section 9): >= 100,000
tickets/s.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from pathlib import Path

import supportsim as ss
from benchmarks._common import Row, Target, best_of, say
from supportsim.demand import TicketStream, generate
from supportsim.engine import engine_stream
from supportsim.engine._desk import Desk
from supportsim.engine._swarm import SwarmDesk
from supportsim.engine._tiered import TieredDesk

__all__ = ["SCENARIO", "SCENARIOS", "profile_engine", "run"]

_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO = _DIR / "rollout_tiered.toml"
SCENARIOS = {"rollout": SCENARIO, "golive": _DIR / "golive_tiered.toml"}
TARGET = Target(">=", 100_000)


def _engine(sc: ss.Scenario, stream: TicketStream, seed: int) -> int:
    """What ``run_replication`` does for replication 0, keeping the desk to read its env."""
    structure: type[Desk] = SwarmDesk if sc.team.structure == "swarming" else TieredDesk
    desk = structure(sc, stream, engine_stream(seed, 0))
    desk.run()
    return int(next(desk.env._eid)) + desk.next_ticket


def _load(path: Path) -> tuple[ss.Scenario, int, TicketStream]:
    sc = ss.load_scenario(path)
    seed = sc.seed if sc.seed is not None else 1
    return sc, seed, generate(sc, 0, seed)


def _case(label: str, path: Path, targets: tuple[Target, ...]) -> list[Row]:
    sc, seed, stream = _load(path)
    n = len(stream)
    say(f"flagship: {path.name}, {n:,} tickets over {sc.horizon:g} h")
    t_sim, _ = best_of(lambda: ss.simulate(sc, replications=1, seed=seed))
    t_engine, events = best_of(lambda: _engine(sc, stream, seed))
    return [
        Row("flagship", f"{label}: simulate, end to end ({n:,} tickets)", n / t_sim,
            "tickets/s", targets=targets),
        Row("flagship", f"{label}: engine only", n / t_engine, "tickets/s", targets=targets),
        Row("flagship", f"{label}: engine events ({events:,}, {events / n:.1f} per ticket)",
            events / t_engine, "events/s"),
    ]


def run(quick: bool) -> list[Row]:
    """Time the scenarios end to end and engine only (small; `quick` skips golive_tiered)."""
    rows = _case("rollout_tiered (all mechanisms)", SCENARIOS["rollout"], (TARGET,))
    if not quick:
        rows += _case("golive_tiered (no workforce)", SCENARIOS["golive"], ())
    return rows


def profile_engine(quick: bool, top: int = 15) -> str:
    """cProfile of the engine alone on rollout_tiered: the `top` functions by tottime."""
    sc, seed, stream = _load(SCENARIOS["rollout"])
    profiler = cProfile.Profile()
    profiler.runcall(_engine, sc, stream, seed)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()
