"""The M/M/10 core loop: supportsim against hand-written SimPy, idiomatic SimPy and Ciw.

Workload: lambda = 9 tickets/h, exponential effort with mean 1 h, 10 agents on duty 24x7,
one priority, FIFO; ~200,000 tickets (~20,000 with ``--quick``). supportsim, the floor and
idiomatic SimPy run on the very same tickets; Ciw draws its own with the same rates over
the same horizon.
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
from collections import deque
from collections.abc import Generator

import numpy as np
import simpy
from simpy.events import Timeout

import supportsim as ss
from benchmarks._common import Row, Target, best_of_each, mmc_scenario, say
from supportsim.analytic import mean_wait
from supportsim.demand import TicketStream, generate
from supportsim.engine import run_replication

__all__ = ["floor_mmc", "idiomatic_mmc", "profile_engine", "run"]

RATE, SERVERS, MEAN_EFFORT, SEED = 9.0, 10, 1.0, 1
HORIZON = {False: 22_300.0, True: 2_230.0}  # hours: ~200,000 / ~20,000 tickets


def floor_mmc(gaps: list[float], service: list[float], servers: int,
              horizon: float) -> list[float]:
    """The tightest plain-SimPy M/M/c we can write: callbacks on ``Timeout``, a deque.

    Two events per ticket (its arrival and its service); no processes.

    Parameters
    ----------
    gaps : list of float
        Gap before each arrival (the first from time 0).
    service : list of float
        Service time of each ticket.
    servers : int
    horizon : float
        Run until this time.

    Returns
    -------
    list of float
        Wait of each ticket; NaN if not started by the horizon.
    """
    env = simpy.Environment()
    n = len(service)
    wait = [math.nan] * n
    arrived = [0.0] * n
    queue: deque[int] = deque()
    push, pop = queue.append, queue.popleft
    timeout = Timeout  # NOTE: a closure cell is cheaper to read than a module global
    free = servers
    following = 0  # next ticket to arrive

    def arrive(_: Timeout) -> None:
        nonlocal free, following
        i = following
        following = i + 1
        if following < n:
            timeout(env, gaps[following]).callbacks.append(arrive)
        if free:
            free -= 1
            wait[i] = 0.0
            timeout(env, service[i]).callbacks.append(depart)
        else:
            arrived[i] = env._now
            push(i)

    def depart(_: Timeout) -> None:
        nonlocal free
        if queue:
            i = pop()
            wait[i] = env._now - arrived[i]
            timeout(env, service[i]).callbacks.append(depart)
        else:
            free += 1

    if n:
        timeout(env, gaps[0]).callbacks.append(arrive)
    env.run(until=horizon)
    return wait


def idiomatic_mmc(gaps: list[float], service: list[float], servers: int,
                  horizon: float) -> list[float]:
    """M/M/c as the SimPy tutorials write it: one process per customer, ``simpy.Resource``.

    Same parameters and return value as :func:`floor_mmc`.
    """
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    wait = [math.nan] * len(service)

    def customer(env: simpy.Environment, i: int) -> Generator[simpy.Event, None, None]:
        arrived = env.now
        with desk.request() as request:
            yield request
            wait[i] = env.now - arrived
            yield env.timeout(service[i])

    def source(env: simpy.Environment) -> Generator[simpy.Event, None, None]:
        for i, gap in enumerate(gaps):
            yield env.timeout(gap)
            env.process(customer(env, i))

    env.process(source(env))
    env.run(until=horizon)
    return wait


def _ciw_mmc(horizon: float) -> tuple[int, float]:
    """Ciw on the same rates: (tickets arrived, mean wait of the served)."""
    import ciw

    ciw.seed(SEED)  # Ciw's RNG is global
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(RATE)],
        service_distributions=[ciw.dists.Exponential(1.0 / MEAN_EFFORT)],
        number_of_servers=[SERVERS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    waits = [r.waiting_time for r in sim.get_all_records()]
    return sim.nodes[0].number_of_individuals, float(np.mean(waits))


def _lists(stream: TicketStream) -> tuple[list[float], list[float]]:
    gaps = np.diff(stream.arrived_at, prepend=0.0).tolist()
    return gaps, stream.effort[0].tolist()


def run(quick: bool) -> list[Row]:
    """Time every implementation on the M/M/10 workload; return rows."""
    horizon = HORIZON[quick]
    sc = mmc_scenario(RATE, SERVERS, horizon, MEAN_EFFORT)
    stream = generate(sc, 0, SEED)  # what simulate(sc, 1, SEED) generates
    n = len(stream)
    gaps, service = _lists(stream)
    say(f"core: M/M/{SERVERS}, {n:,} tickets over {horizon:g} h")

    fns = {
        "simulate": lambda: ss.simulate(sc, replications=1, seed=SEED),
        "engine": lambda: run_replication(sc, stream),
        "floor": lambda: floor_mmc(gaps, service, SERVERS, horizon),
        "idiomatic": lambda: idiomatic_mmc(gaps, service, SERVERS, horizon),
    }
    try:
        import ciw  # noqa: F401
    except ImportError:
        say("ciw not installed")
    else:
        fns["ciw"] = lambda: _ciw_mmc(horizon)
    timed = best_of_each(fns)
    (t_sim, res), (t_engine, rec) = timed["simulate"], timed["engine"]
    (t_floor, floor_wait), (t_idiom, idiom_wait) = timed["floor"], timed["idiomatic"]
    t_ciw, (ciw_n, ciw_wait) = timed.get("ciw", (math.nan, (0, math.nan)))

    def speed(case: str, seconds: float, tickets: int = n) -> Row:
        return Row("core", case, tickets / seconds, "tickets/s")

    def ratio(case: str, ours: float, theirs: float, *targets: Target) -> Row:
        # Times (per ticket) in, speed ratio out: > 1 means supportsim is faster.
        return Row("core", case, theirs / ours, "x", targets=targets)

    rows = [
        speed("supportsim: simulate, end to end", t_sim),
        speed("supportsim: engine only", t_engine),
        speed("floor: hand-written SimPy callbacks", t_floor),
        speed("idiomatic SimPy: process + Resource", t_idiom),
        ratio("engine / floor", t_engine, t_floor,
              Target(">=", 0.5, "foundation"), Target(">=", 0.6, "later")),
        ratio("simulate / floor", t_sim, t_floor),
        ratio("engine / idiomatic", t_engine, t_idiom, Target(">=", 2.5, "later")),
        ratio("simulate / idiomatic", t_sim, t_idiom),
    ]
    if ciw_n:
        rows += [speed("Ciw (own samples)", t_ciw, ciw_n),
                 ratio("simulate / Ciw", t_sim / n, t_ciw / ciw_n, Target(">=", 5, "later")),
                 ratio("engine / Ciw", t_engine / n, t_ciw / ciw_n)]

    # Sanity, not assertions: same tickets + FIFO => identical waits up to rounding.
    waits = rec.first_response_at - stream.arrived_at
    floor = np.asarray(floor_wait)
    rows += [
        Row("core", "mean wait: supportsim simulate", float(res.tickets["wait_time"].mean()), "h"),
        Row("core", "mean wait: supportsim engine", float(np.nanmean(waits)), "h"),
        Row("core", "mean wait: floor", float(np.nanmean(floor)), "h"),
        Row("core", "mean wait: idiomatic", float(np.nanmean(idiom_wait)), "h"),
        Row("core", "mean wait: Ciw (own samples)", ciw_wait, "h"),
        Row("core", "mean wait: Erlang C", float(mean_wait(SERVERS, RATE, 1 / MEAN_EFFORT)), "h"),
        Row("core", "max |wait engine - floor| per ticket",
            float(np.nanmax(np.abs(waits - floor))), "h"),
        Row("core", "tickets started: engine - floor",
            float(np.isfinite(waits).sum() - np.isfinite(floor).sum()), "tickets"),
    ]
    return rows


def profile_engine(quick: bool, top: int = 15) -> str:
    """cProfile of the engine alone on the core workload: the `top` functions by tottime."""
    sc = mmc_scenario(RATE, SERVERS, HORIZON[quick], MEAN_EFFORT)
    stream = generate(sc, 0, SEED)
    profiler = cProfile.Profile()
    profiler.runcall(run_replication, sc, stream)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()
