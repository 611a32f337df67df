"""The cost of skills-based routing: 10 skills, 15 agent groups against one plain tier.

Workload: lambda = 100 tickets/h in 10 skills of equal share, exponential effort with
mean 15 min (25 Erlangs), FIFO, 24x7; ~210,000 tickets (~21,000 with ``--quick``).
The routed desk splits 30 agents into 15 groups of 2 holding 1-3 skills each (every skill
held by 2 to 6 groups), longest-idle agent, oldest ticket first; the plain desk is one
tier of 30 agents without groups. Both run the engine alone on the very same
TicketStream, alternating round by round (issue 14: routing keeps >= 0.5 of the
single-group engine's throughput).
"""

from __future__ import annotations

import numpy as np

from benchmarks._common import Row, Target, best_of_each, mmc_scenario, say
from supportsim.demand import generate
from supportsim.engine import engine_stream, run_replication

__all__ = ["GROUPS", "SKILLS", "run"]

RATE, STAFF, MEAN_EFFORT, SEED = 100.0, 30, 0.25, 1
HORIZON = {False: 2_100.0, True: 210.0}  # hours: ~210,000 / ~21,000 tickets
SKILLS = [f"s{k}" for k in range(10)]
# Group g holds 1, 2 or 3 skills (g mod 3 + 1) from s(g), s(g + 3), s(g + 7), mod 10.
GROUPS = {f"g{g}": {"skills": [SKILLS[(g + step) % 10] for step in (0, 3, 7)[:g % 3 + 1]],
                    "staff": 2, "hours": "24x7"} for g in range(15)}


def run(quick: bool) -> list[Row]:
    """Time the engine with 15 agent groups and with one plain tier on the same tickets."""
    horizon = HORIZON[quick]
    skills = {"skills": dict.fromkeys(SKILLS, 0.1)}
    demand = {"rate": RATE, "profile": "flat", **skills}
    plain = mmc_scenario(RATE, STAFF, horizon, MEAN_EFFORT)
    plain = plain.with_overrides({"demand": demand})
    routed = plain.with_overrides({"team.tiers.l1": {"groups": GROUPS}})
    stream = generate(routed, 0, SEED)
    n = len(stream)
    say(f"routing: {n:,} tickets over {horizon:g} h, 10 skills, 15 groups vs one tier")
    timed = best_of_each({
        "plain": lambda: run_replication(plain, stream, engine_stream(SEED, 0)),
        "routed": lambda: run_replication(routed, stream, engine_stream(SEED, 0)),
    })
    (t_plain, rec_plain), (t_routed, rec_routed) = timed["plain"], timed["routed"]

    def mean_wait(first_response_at: np.ndarray) -> float:
        return float(np.nanmean(first_response_at - stream.arrived_at))

    return [
        Row("routing", "engine, one tier (no groups)", n / t_plain, "tickets/s"),
        Row("routing", "engine, 10 skills x 15 groups", n / t_routed, "tickets/s"),
        Row("routing", "throughput routed / single-group (same tickets)", t_plain / t_routed,
            "x", targets=(Target(">=", 0.5),)),
        # Sanity: splitting the pool must lengthen the wait.
        Row("routing", "mean wait, one tier", mean_wait(rec_plain.first_response_at), "h"),
        Row("routing", "mean wait, 15 groups", mean_wait(rec_routed.first_response_at), "h"),
    ]
