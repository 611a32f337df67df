"""The cost of ``[workforce]``: the M/M/10 desk with learning and attrition against without.

Workload: lambda = 9 tickets/h, exponential effort with mean 1 h, 10 agents 24x7, FIFO;
~100,000 tickets (~10,000 with ``--quick``). The workforce variant adds a learning curve
(two L1 joiners on day one: x1.3 effort falling to x1.1 over 4 weeks, to x1.0 over 8 more)
and attrition (30 % a head-year, seats refilled 8 weeks later, the joiner on the curve).
Both run the engine alone on the very same TicketStream with the same engine stream,
alternating round by round so machine load hits both equally (issue 3: workforce costs
<= 15 % of throughput, i.e. a ratio >= 0.85).
"""

from __future__ import annotations

import numpy as np

from benchmarks._common import Row, Target, best_of_each, mmc_scenario, say
from supportsim.demand import generate
from supportsim.engine import engine_stream, run_replication

__all__ = ["WORKFORCE", "run"]

RATE, SERVERS, MEAN_EFFORT, SEED = 9.0, 10, 1.0, 1
HORIZON = {False: 11_111.0, True: 1_111.0}  # hours: ~100,000 / ~10,000 tickets

WORKFORCE = {
    "learning": {"learning": "4w", "improvement": "8w", "start": 1.3, "plateau": 1.1,
                 "initial_joiners": {"l1": 2}},
    "attrition": {"annual_rate": 0.3, "hiring_lead": "8w"},
}


def run(quick: bool) -> list[Row]:
    """Time the engine with and without ``[workforce]`` on the same tickets; return rows."""
    horizon = HORIZON[quick]
    plain = mmc_scenario(RATE, SERVERS, horizon, MEAN_EFFORT)
    staffed = mmc_scenario(RATE, SERVERS, horizon, MEAN_EFFORT,
                           extra={"workforce": WORKFORCE})
    stream = generate(plain, 0, SEED)
    n = len(stream)
    say(f"workforce: M/M/{SERVERS}, {n:,} tickets over {horizon:g} h, with and without "
        "[workforce.learning] + [workforce.attrition]")
    timed = best_of_each({
        "plain": lambda: run_replication(plain, stream, engine_stream(SEED, 0)),
        "workforce": lambda: run_replication(staffed, stream, engine_stream(SEED, 0)),
    })
    (t_plain, rec_plain), (t_work, rec_work) = timed["plain"], timed["workforce"]

    def mean_wait(first_response_at: np.ndarray) -> float:
        return float(np.nanmean(first_response_at - stream.arrived_at))

    return [
        Row("workforce", "engine, no [workforce]", n / t_plain, "tickets/s"),
        Row("workforce", "engine, learning + attrition", n / t_work, "tickets/s"),
        Row("workforce", "throughput with / without workforce (workforce costs <= 15 %)",
            t_plain / t_work, "x", targets=(Target(">=", 0.85),)),
        # Sanity: slower joiners and empty seats must lengthen the wait.
        Row("workforce", "mean wait, no [workforce]", mean_wait(rec_plain.first_response_at),
            "h"),
        Row("workforce", "mean wait, learning + attrition",
            mean_wait(rec_work.first_response_at), "h"),
    ]
