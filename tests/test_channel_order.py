"""``team.channel_order``: callers on hold are answered before tickets (issue 18, defect 9).

The order ranks tickets nobody has started by channel, then priority (or arrival with
fifo); started tickets queue by priority alone. One channel class costs nothing: the
M/M/c checks of tests/test_engine_mechanics.py and tests/test_engine_theory.py run the
plain queue code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.cli import main
from tests.support import assert_statistically_equal, build, mmc_dict, per_replication

GOLIVE = str(Path(__file__).resolve().parent.parent / "scenarios" / "golive_tiered.toml")


def phone_and_portal(order: object) -> dict:
    # One tier, 2 agents, lambda 57/h, effort exp(2 min): a = 1.9 Erlangs, rho = 0.95.
    # 40 % phone calls with a mean patience of 10 min, 60 % portal tickets that never
    # abandon. Under "none" (arrival order) a caller waits behind the portal backlog;
    # under "live_first" only for the calls ahead and the agents' work in hand (the
    # order is non-preemptive): about a minute when both are busy.
    data = mmc_dict(rate=57.0, mean=1 / 30, staff=2, horizon="2w", warmup="3d")
    data["demand"]["channels"] = {"portal": {"share": 0.6},
                                  "phone": {"share": 0.4, "patience": "10min"}}
    data["team"]["channel_order"] = order
    return data


def test_live_first_cuts_phone_abandonment_on_the_same_tickets() -> None:
    runs = {order: ss.simulate(build(phone_and_portal(order)), replications=3, seed=4)
            for order in ("none", "live_first")}
    abandoned = {order: per_replication(res.tickets[res.tickets.channel == "phone"],
                                        "abandoned")
                 for order, res in runs.items()}
    # Paired on the same tickets, in every replication: under half the abandonment
    # (measured: 26 % against 11 %).
    assert (abandoned["none"] > 0.2).all()
    assert (abandoned["live_first"] < 0.5 * abandoned["none"]).all()
    # Portal tickets pay with longer waits, and still never abandon.
    waits = {order: per_replication(res.tickets[res.tickets.channel == "portal"],
                                    "wait_time") for order, res in runs.items()}
    assert (waits["live_first"] > waits["none"]).all()
    assert not runs["live_first"].tickets.query("channel == 'portal'").abandoned.any()


def test_channel_order_is_a_non_preemptive_priority_matching_cobham() -> None:
    # M/M/2, lambda 6/h, mu 4/h (rho 0.75), one priority, fifo; channel "chat" (30 %) is
    # served before "email" (70 %): non-preemptive priority classes with equal service
    # rates, Cobham's formula (Cobham 1954; Kleinrock vol. 2), as in
    # tests/test_engine_theory.py: W_k = C(c, a) / (c mu (1 - s_{k-1})(1 - s_k)),
    # C(2, 1.5) = 0.642857, s1 = 0.225, s2 = 0.75: W_chat = 0.103687 h, W_email = 0.414747 h.
    data = mmc_dict(rate=6.0, mean=0.25, staff=2, horizon="40w")
    data["demand"]["channels"] = {"email": {"share": 0.7}, "chat": {"share": 0.3}}
    data["team"]["channel_order"] = ["chat", "email"]
    res = ss.simulate(build(data), replications=6, seed=8)
    tickets = res.tickets
    assert_statistically_equal(per_replication(tickets[tickets.channel == "chat"],
                                               "wait_time"), 0.103687, max_se=0.003)
    assert_statistically_equal(per_replication(tickets[tickets.channel == "email"],
                                               "wait_time"), 0.414747, max_se=0.012)


def two_channels_two_priorities(order: object, structure: str = "tiered") -> ss.Scenario:
    data = mmc_dict(rate=9.0, mean=0.3, staff=3, horizon="2w", warmup="0h")
    data["demand"]["channels"] = {"portal": {"share": 0.5}, "phone": {"share": 0.5}}
    data["priorities"] = {"P1": {"share": 0.3, "response": "15min", "resolution": "2h"},
                          "P2": {"share": 0.7, "response": "1h", "resolution": "8h"}}
    data["team"] |= {"discipline": "priority", "channel_order": order, "structure": structure}
    return build(data)


def started_while_waiting(tickets: pd.DataFrame, started: pd.Series, waiting: pd.Series
                          ) -> int:
    """How many `started` tickets began while one of `waiting` had arrived and not begun."""
    waits = tickets[waiting]
    begun = np.sort(tickets[started].first_response_at.dropna().to_numpy())
    # A ticket waiting over [arrived, first response) that contains a start instant.
    lo = np.searchsorted(begun, waits.arrived_at.to_numpy(), side="right")
    hi = np.searchsorted(begun, waits.first_response_at.fillna(np.inf).to_numpy(), side="left")
    return int(np.maximum(hi - lo, 0).sum())


@pytest.mark.parametrize("structure", ["tiered", "swarming"])
def test_channel_ranks_before_priority_then_priority_within_a_channel(structure: str
                                                                     ) -> None:
    # Explicit order, nobody abandons: a portal ticket (even P1) never starts while a
    # phone ticket (even P2) waits; within the phone class a P2 call never starts while a
    # P1 call waits. Under "none" only the priority order holds.
    tickets = ss.simulate(two_channels_two_priorities(["phone", "portal"], structure),
                          replications=1, seed=2).tickets
    phone, p1 = tickets.channel == "phone", tickets.priority == "P1"
    assert started_while_waiting(tickets, ~phone, phone) == 0
    assert started_while_waiting(tickets, phone & ~p1, phone & p1) == 0
    assert started_while_waiting(tickets, ~phone & ~p1, ~phone & p1) == 0
    plain = ss.simulate(two_channels_two_priorities("none", structure), replications=1,
                        seed=2).tickets
    assert started_while_waiting(plain, plain.channel == "portal", plain.channel == "phone") > 0
    assert started_while_waiting(plain, plain.priority == "P2", plain.priority == "P1") == 0


def test_live_first_without_live_channels_changes_nothing() -> None:
    # No channel has patience: live_first ranks every channel equal, as "none" does.
    a = ss.simulate(two_channels_two_priorities("live_first"), replications=1, seed=3)
    b = ss.simulate(two_channels_two_priorities("none"), replications=1, seed=3)
    pd.testing.assert_frame_equal(a.tickets, b.tickets)


@pytest.mark.parametrize(("order", "fragments"), [
    (["phone", "portl"], ["team.channel_order", "'portl'", "did you mean 'portal'?"]),
    (["phone"], ["team.channel_order", "must name every channel", "portal"]),
    (["phone", "portal", "phone"], ["team.channel_order", "once"]),
    ("live", ["team.channel_order", "'live_first'", "'none'"]),
])
def test_channel_order_is_validated(order: object, fragments: list[str]) -> None:
    with pytest.raises(ss.ScenarioError) as err:
        build(phone_and_portal(order))
    for text in fragments:
        assert text in str(err.value)


def test_check_states_the_queue_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", GOLIVE]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("Queue order")]
    assert line == ["Queue order (team.channel_order = 'live_first'): tickets nobody has "
                    "started, phone (patience 8min) before portal, each by priority, then "
                    "arrival; started tickets (escalated, bounced) by priority, then arrival"]
