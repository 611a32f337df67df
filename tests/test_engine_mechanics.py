"""The engine's speed devices give the results of their obvious forms.

- arrivals are merged with SimPy's event queue rather than pushed through it;
- record columns no mechanism can write are filled, not converted;
- a backlog surge trigger is read only at the checks where it can act, not polled;
- rosters switch on reused events at absolute instants, not in a process.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Generator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import simpy

import supportsim as ss
from supportsim.demand import TicketStream, generate
from supportsim.engine import engine_stream, run_replication
from supportsim.engine._desk import Desk
from supportsim.engine._hours import duty_groups
from supportsim.engine._swarm import SwarmDesk
from supportsim.engine._tiered import TieredDesk
from supportsim.engine._workforce import WorkforceModel
from tests.support import ROOT, build, mmc_dict

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def resource_mmc(arrived: list[float], service: list[float], servers: int,
                 horizon: float) -> list[float]:
    """M/M/c as SimPy's tutorials write it (a process per customer, a Resource): waits."""
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    wait = [math.nan] * len(arrived)

    def customer(i: int) -> Generator[simpy.Event, None, None]:
        with desk.request() as request:
            yield request
            wait[i] = env.now - arrived[i]
            yield env.timeout(service[i])

    def source() -> Generator[simpy.Event, None, None]:
        for i, at in enumerate(arrived):
            yield env.timeout(at - env.now)
            env.process(customer(i))

    env.process(source())
    env.run(until=horizon)
    return wait


def test_waits_equal_a_plain_simpy_model_on_the_same_tickets() -> None:
    # FIFO M/M/3 at 90 % load: every ticket's wait is decided by the same arrivals and
    # service times, so an independent SimPy model must give the same waits.
    sc = build(mmc_dict(rate=10.8, mean=0.25, staff=3, horizon="4w", warmup="0h"))
    stream = generate(sc, 0, 3)
    record = run_replication(sc, stream)
    ours = record.first_response_at - stream.arrived_at
    theirs = np.asarray(resource_mmc(stream.arrived_at.tolist(), stream.effort[0].tolist(), 3,
                                     sc.horizon))
    assert len(stream) > 7000 and np.nanmean(ours) > 0.1  # a loaded desk, not a trivial one
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    # 1e-9 h: the SimPy model reaches each arrival through a delay, so its clock can
    # differ from the drawn instant in the last bits.
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9, equal_nan=True)


def _two_tickets(sc: ss.Scenario, arrived: list[float], priority: list[int]) -> TicketStream:
    two = generate(sc, 0, 1).select(slice(0, 2))
    return dataclasses.replace(two, arrived_at=np.array(arrived),
                               priority=np.array(priority, dtype=np.int8))


def test_events_due_at_an_arrival_instant_go_first() -> None:
    # One agent from 08:00 Monday (t = 8). A P2 ticket waits since 01:00; a P1 ticket
    # arrives at 08:00 sharp. The shift opening is due at the same instant and goes
    # first, so the agent has already taken the P2 ticket when the P1 arrives.
    data = mmc_dict(rate=1.0, staff=1, horizon="1d", warmup="0h")
    data["priorities"] = {"P1": {"share": 0.5, "response": "1h", "resolution": "4h"},
                          "P2": {"share": 0.5, "response": "4h", "resolution": "8h"}}
    data["team"]["discipline"] = "priority"
    data["team"]["tiers"]["l1"]["hours"] = [{"start": "08:00", "end": "20:00", "staff": 1}]
    data["work"]["effort"]["l1"] = {"dist": "fixed", "mean": "1h"}
    sc = build(data)
    record = run_replication(sc, _two_tickets(sc, [1.0, 8.0], [1, 0]))
    np.testing.assert_array_equal(record.first_response_at, [8.0, 9.0])


def _desk(sc: ss.Scenario, seed: int = 1) -> Desk:
    structure: type[Desk] = SwarmDesk if sc.team.structure == "swarming" else TieredDesk
    desk = structure(sc, generate(sc, 0, seed), engine_stream(seed, 0))
    desk.run()
    return desk


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_unwritten_records_keep_their_initial_values(path: Path) -> None:
    sc = ss.load_scenario(path).with_overrides({"horizon": "4w", "warmup": "0h"})
    desk = _desk(sc)
    initial = {"abandoned": False, "escalations": 0, "bounces": 0, "swarm_size": 0,
               "retrials": 0}
    assert desk.unwritten, "every shipped scenario leaves some record unwritten"
    for name in desk.unwritten:
        values = np.asarray(getattr(desk, name), dtype=float)
        if name == "help_wait":
            assert np.isnan(values).all()
        else:
            assert (values == initial[name]).all(), name


def _polled(self: WorkforceModel) -> None:
    """The obvious form of a backlog trigger: read it every `check` hours."""
    assert self.reserve is not None
    self.desk.clock.every(self.reserve.check, self._surge_check, late=True)


def _surge_cases() -> list[tuple[str, ss.Scenario]]:
    tiered = ss.load_scenario(ROOT / "scenarios" / "rollout_tiered.toml")
    swarming = tiered.with_overrides({"team.structure": "swarming"})
    return [
        ("rollout_tiered", tiered),
        ("check 2h, no delay", tiered.with_overrides({"workforce.reserve.check": "2h",
                                                      "workforce.reserve.delay": "0h"})),
        ("low threshold, release 1", tiered.with_overrides({
            "workforce.reserve.trigger.backlog": 2, "workforce.reserve.release": 1.0})),
        ("swarming", swarming),
    ]


@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
@pytest.mark.parametrize(("label", "sc"), _surge_cases(), ids=[c[0] for c in _surge_cases()])
def test_watched_backlog_trigger_acts_as_the_polled_one(
        label: str, sc: ss.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    sc = sc.with_overrides({"horizon": "16w"})
    watched = _desk(sc, seed=4)
    monkeypatch.setattr(WorkforceModel, "_watch_backlog", _polled)
    polled = _desk(sc, seed=4)
    calls = [e for e in polled.events if e[1] == "surge_call"]
    assert len(calls) >= 3, "the case must call the surge to test anything"
    # Polling schedules a check every `check` hours; watching only where one acts.
    assert next(watched.env._eid) < next(polled.env._eid)
    assert watched.events == polled.events
    for name in ("first_response", "resolved_at", "resolver", "effort_spent"):
        np.testing.assert_array_equal(getattr(watched, name), getattr(polled, name), name)
    pd.testing.assert_frame_equal(pd.DataFrame(watched._snapshots),
                                  pd.DataFrame(polled._snapshots))


@pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")
def test_rosters_switch_at_their_exact_instants() -> None:
    # A 08:20-16:40 shift (edges at thirds of an hour, not exact in binary): tickets
    # queued overnight are taken at the very instant of each opening, and the timeline
    # counts a shift that starts at t = 0 as on duty at t = 0.
    data = mmc_dict(rate=1.0, staff=2, horizon="1w", warmup="0h")
    data["team"]["tiers"]["l1"]["hours"] = [
        {"name": "day", "start": "08:20", "end": "16:40", "staff": 1},
        {"name": "early", "start": "00:00", "end": "02:00", "days": ["Mon"], "staff": 1}]
    sc = build(data)
    opening = duty_groups(sc, sc.team.tiers["l1"])[0].intervals[:, 0]
    res = ss.simulate(sc, replications=1, seed=2)
    started = set(res.tickets.first_response_at.dropna().tolist())
    assert set(opening.tolist()) <= started
    assert res.timeline.loc[res.timeline.t == 0, "on_duty"].item() == 1
