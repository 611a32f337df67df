"""Sweeps: the grid, common random numbers, identical tables on every executor, views."""

from __future__ import annotations

import multiprocessing
import os
import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.engine import engine_stream
from supportsim.simulation import simulate_replications
from supportsim.sweeps import SweepError, SweepFailureWarning, SweepResult, sweep, task_seeds
from supportsim.sweeps._grid import build_variants
from supportsim.sweeps._summary import METRICS, summarise
from tests.support import build, mmc_dict

# One week, two priorities: each task simulates ~3,000 tickets in well under 0.1 s.
FACTORS = {"demand.rate": [16.0, 20.0], "team.tiers.l1.staff": [6, 7]}
STRATEGIES = {"fifo": {"team.discipline": "fifo"},
              "priority": {"team.discipline": "priority"}}


def small_scenario(**overrides: Any) -> ss.Scenario:
    data = mmc_dict(horizon="1w", warmup="1d")
    data["priorities"] = {"P1": {"share": 0.3, "response": "5min", "resolution": "1h"},
                          "P2": {"share": 0.7, "response": "15min", "resolution": "2h"}}
    data["seed"] = 3
    return build(data, overrides)


def run(executor: Any = 1, **kwargs: Any) -> SweepResult:
    kwargs.setdefault("factors", FACTORS)
    kwargs.setdefault("strategies", STRATEGIES)
    kwargs.setdefault("replications", 2)
    return sweep(small_scenario(), executor=executor, progress=False, **kwargs)


@pytest.fixture(scope="module")
def reference() -> SweepResult:
    """The grid run in this process, the table every executor must reproduce."""
    return run(1)


@pytest.fixture(scope="module")
def small_reference() -> SweepResult:
    """Half the grid (one strategy), for the slower executors."""
    return run(1, strategies=None)


# --------------------------------------------------------------------------- grid


def test_variant_ids_come_from_overrides_not_grid_position() -> None:
    grid = build_variants(FACTORS, STRATEGIES)
    reordered = build_variants({"team.tiers.l1.staff": [8, 7, 6], "demand.rate": [20.0, 16.0]},
                               dict(reversed(STRATEGIES.items())))
    ids = {v.name: v.id for v in grid}
    again = {v.id for v in reordered}
    assert len(ids) == len(grid) == 8
    assert set(ids.values()) <= again  # the same variants keep their ids, whatever the order
    assert "priority rate=20.0 staff=7" in ids
    assert build_variants({}, None)[0].name == "base"


def test_short_names_stay_unique() -> None:
    grid = build_variants({"team.tiers.l1.staff": [5], "team.tiers.l2.staff": [3]}, None)
    assert grid[0].name == "l1.staff=5 l2.staff=3"


@pytest.mark.parametrize(("factors", "strategies", "message"), [
    ({"demand.rate": 10}, None, "factors.demand.rate must be a list of values"),
    ({"demand.rate": []}, None, "must list at least one value"),
    ({"demand.rate": [10, 10]}, None, "must not repeat a value"),
    ({"seed": [1, 2]}, None, "factors.seed cannot be a factor"),
    ({"demand.rate": [10]}, {"a": {"demand.rate": 3}}, "strategies.a.demand.rate is also a"),
])
def test_malformed_grids_are_scenario_errors(factors: Any, strategies: Any,
                                             message: str) -> None:
    with pytest.raises(ss.ScenarioError, match=message):
        sweep(small_scenario(), factors=factors, strategies=strategies, replications=1,
              executor=1, progress=False)


def test_a_misspelt_key_fails_at_once_naming_it() -> None:
    with pytest.raises(ss.ScenarioError, match=r"demand\.rat is not a known key"):
        sweep(small_scenario(), factors={"demand.rat": [10, 12]}, replications=1,
              executor=1, progress=False)


@pytest.mark.parametrize("executor", [0, -2, True, "local", 2.5])
def test_bad_executors_are_refused(executor: Any) -> None:
    with pytest.raises(SweepError, match="executor must be"):
        run(executor, replications=1)


# --------------------------------------------------------------------------- table


def test_table_is_tidy_in_grid_order(reference: SweepResult) -> None:
    table = reference.table
    assert len(table) == 8 * 2 * 2  # variants x replications x priorities
    assert list(table.columns[:6]) == ["variant", "strategy", "demand.rate",
                                       "team.tiers.l1.staff", "replication", "priority"]
    assert set(METRICS) | {"utilisation_l1"} <= set(table.columns)
    assert not table.duplicated(["variant", "replication", "priority"]).any()
    assert list(table["variant"].cat.categories) == reference.variants["variant"].tolist()
    assert table["variant"].cat.codes.is_monotonic_increasing
    assert table["priority"].astype(str).tolist()[:2] == ["P1", "P2"]
    assert table["demand.rate"].dtype == float
    assert table["team.tiers.l1.staff"].dtype == np.int64
    assert reference.failures.empty and reference.tasks_run == 16


def test_variants_share_demand_and_reproduce_simulate(reference: SweepResult) -> None:
    table = reference.table
    # Common random numbers: the team does not change the tickets of replication r.
    by_rate = table.groupby(["demand.rate", "replication", "priority"], observed=True)
    assert (by_rate["tickets"].nunique() == 1).all()
    # A task gives the very rows simulate() would for that replication.
    variant = reference.variants.iloc[3]
    scenario = small_scenario().with_overrides(variant["overrides"])
    expected = summarise(simulate_replications(scenario, [1], reference.seed))
    got = table[(table["variant"] == variant["variant"]) & (table["replication"] == 1)]
    got = got[expected.columns].reset_index(drop=True)
    expected["priority"] = got["priority"]
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_task_seeds_come_from_seed_and_replication_alone() -> None:
    seeds = task_seeds(5, 2)
    assert (seeds.seed, seeds.replication) == (5, 2)
    first = seeds.engine_rng().random(3)
    assert np.array_equal(first, task_seeds(5, 2).engine_rng().random(3))
    # The very stream simulate() gives replication 2 (DESIGN section 7).
    assert np.array_equal(first, engine_stream(5, 2).random(3))
    assert not np.array_equal(first, task_seeds(5, 3).engine_rng().random(3))


def workforce_scenario() -> ss.Scenario:
    """The small desk with leavers, hires on a learning curve and a reserve: engine draws
    (who leaves when, joiners' extra escalations) matter to every row."""
    return small_scenario(**{
        "workforce.attrition.annual_rate": 30.0, "workforce.attrition.hiring_lead": "1d",
        "workforce.learning.learning": "2d", "workforce.learning.improvement": "2d",
        "workforce.learning.start": 1.8, "workforce.learning.plateau": 1.3,
        "workforce.learning.escalation": 0.0,
        "workforce.reserve.fraction": 0.0, "workforce.reserve.mode": "pool"})


@pytest.fixture(scope="module")
def workforce_sweep() -> SweepResult:
    # Fraction 0 gives no reserve agent: the same desk under either mode.
    return sweep(workforce_scenario(), factors={"workforce.reserve.fraction": [0.0, 0.3]},
                 strategies={"pool": {}, "backfill": {"workforce.reserve.mode": "backfill"}},
                 replications=2, executor=1, progress=False)


def test_workforce_sweep_rows_equal_simulate_of_each_variant(
        workforce_sweep: SweepResult) -> None:
    # DESIGN section 7: a sweep's streams come from the seed and the replication alone,
    # so each variant's rows are exactly what ss.simulate gives that variant.
    table = workforce_sweep.table
    for variant in workforce_sweep.variants.itertuples():
        scenario = workforce_scenario().with_overrides(variant.overrides)
        result = ss.simulate(scenario, replications=2, seed=workforce_sweep.seed)
        assert result.staff["left_at"].notna().any()  # the engine drew leavers
        rows = table[table["variant"] == variant.variant]
        for rep in range(2):
            expected = summarise(simulate_replications(scenario, [rep], result.seed))
            got = rows[rows["replication"] == rep][expected.columns].reset_index(drop=True)
            expected["priority"] = got["priority"]
            pd.testing.assert_frame_equal(got, expected, check_exact=True,
                                          obj=f"{variant.variant} replication {rep}")
        sla = workforce_sweep.sla()
        mine = sla[sla["variant"] == variant.variant].reset_index(drop=True)
        assert np.array_equal(mine["resolution_attainment"].to_numpy(),
                              result.sla()["resolution_attainment"].to_numpy(),
                              equal_nan=True)


def test_identical_variants_give_identical_rows(workforce_sweep: SweepResult) -> None:
    table = workforce_sweep.table
    metrics = [c for c in table.columns if c in METRICS or c.startswith("utilisation_")]
    pool = table[table["variant"] == "pool fraction=0.0"][metrics].reset_index(drop=True)
    backfill = table[table["variant"] == "backfill fraction=0.0"][metrics]
    pd.testing.assert_frame_equal(pool, backfill.reset_index(drop=True), check_exact=True)
    # ... while a real reserve does change them (the test can tell variants apart).
    reserve = table[table["variant"] == "pool fraction=0.3"][metrics].reset_index(drop=True)
    assert not pool.equals(reserve)


# --------------------------------------------------------------------------- executors


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that records the most tasks it ever held unfinished."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.pending = 0
        self.most = 0
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self.pending += 1
            self.most = max(self.most, self.pending)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self.pending -= 1


def test_two_processes_give_the_identical_table(reference: SweepResult) -> None:
    result = run(2)
    assert result.executor == "2 processes"
    pd.testing.assert_frame_equal(result.table, reference.table, check_exact=True)


def test_any_executor_is_used_as_is_with_bounded_work(small_reference: SweepResult) -> None:
    with CountingExecutor(2) as pool:
        result = run(pool, strategies=None)
        assert pool.submit(int, "3").result() == 3  # not shut down by the sweep
    assert pool.most <= 4  # two tasks per worker in flight at most: flat parent memory
    pd.testing.assert_frame_equal(result.table, small_reference.table, check_exact=True)


@pytest.fixture(scope="module")
def dask_cluster() -> Any:
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


def test_dask_gives_the_identical_table(small_reference: SweepResult,
                                       dask_cluster: Any) -> None:
    from distributed import Client

    with Client(dask_cluster, set_as_default=False) as client:
        result = run(client.get_executor(), strategies=None)
        assert client.status == "running"  # the sweep leaves a given executor alone
    pd.testing.assert_frame_equal(result.table, small_reference.table, check_exact=True)
    # Replication 0 alone is the first replication of the full table: seeds do not depend
    # on how many replications or tasks there are.
    table = small_reference.table
    first = table[table["replication"] == 0].reset_index(drop=True)
    address = dask_cluster.scheduler_address
    for text in (address, address.replace("tcp://", "dask://")):
        by_address = run(text, strategies=None, replications=1)
        assert by_address.executor == f"Dask at {address}"
        pd.testing.assert_frame_equal(by_address.table, first, check_exact=True)


def test_unreachable_scheduler_is_a_sweep_error() -> None:
    pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(SweepError, match="cannot connect to the Dask scheduler"):
        run("tcp://127.0.0.1:9", replications=1)


# --------------------------------------------------------------------------- failures


def test_a_failing_variant_is_reported_and_the_rest_completes(tmp_path: Path) -> None:
    factors = {"team.tiers.l1.staff": [7, -1]}
    with pytest.warns(SweepFailureWarning, match=r"2 of 4 sweep tasks failed"):
        result = run(2, factors=factors, strategies=None, store=tmp_path / "store")
    failures = result.failures
    assert failures["variant"].tolist() == ["staff=-1", "staff=-1"]
    assert failures["replication"].tolist() == [0, 1]
    assert (failures["error"] == "ScenarioError").all()
    assert failures["message"].str.contains("team.tiers.l1.staff must be an integer >= 0, "
                                            "got -1").all()
    assert set(result.table["variant"].astype(str)) == {"staff=7"}
    assert len(result.table) == 2 * 2
    stored = pd.read_json(tmp_path / "store" / "failures.json")
    assert stored["variant"].tolist() == ["staff=-1", "staff=-1"]


def test_an_engine_error_is_reported_with_its_message(
    monkeypatch: pytest.MonkeyPatch, reference: SweepResult
) -> None:
    from supportsim.sweeps import _task

    real = _task.simulate_replications

    def flaky(scenario: ss.Scenario, replications: Any, seed: int, **keys: Any) -> Any:
        if scenario.team.tiers["l1"].staff == 6 and scenario.demand.rate == 20.0:
            raise RuntimeError("engine broke\non two lines")
        return real(scenario, replications, seed, **keys)

    monkeypatch.setattr(_task, "simulate_replications", flaky)
    with pytest.warns(SweepFailureWarning):
        result = run(1)  # in this process, where the patch applies
    assert len(result.failures) == 2 * 2  # two strategies x two replications
    assert (result.failures["message"] == "engine broke on two lines").all()
    kept = reference.table[~reference.table["variant"].astype(str).str.contains(
        "rate=20.0 staff=6")].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.table, kept, check_exact=True)


# --------------------------------------------------------------------------- views


def test_sla_aggregates_per_variant_and_priority(reference: SweepResult) -> None:
    sla = reference.sla()
    assert len(sla) == 8 * 2
    assert {"response_attainment", "response_attainment_low", "resolution_attainment_high",
            "tickets", "replications", "demand.rate", "strategy"} <= set(sla.columns)
    assert (sla["replications"] == 2).all()
    assert (sla["response_attainment_low"] <= sla["response_attainment"]).all()
    row = sla.iloc[0]
    values = reference.table.loc[(reference.table["variant"] == row["variant"])
                                 & (reference.table["priority"] == row["priority"]),
                                 "response_attainment"]
    assert row["response_attainment"] == pytest.approx(values.mean())
    summary = reference.summary()
    assert len(summary) == 8 and {"utilisation_l1", "backlog_growth_low"} <= set(summary)
    assert (summary["utilisation_l1"].between(0, 1)).all()


def test_compare_pairs_replications_against_a_baseline(reference: SweepResult) -> None:
    by_strategy = reference.compare("fifo")
    assert len(by_strategy) == 4 * 2 * 2  # priority variants x priorities x two metrics
    first = by_strategy.iloc[0]
    assert first["variant"] == "priority rate=16.0 staff=6"
    assert first["baseline"] == "fifo rate=16.0 staff=6"
    by_variant = reference.compare("fifo rate=16.0 staff=7", metrics=["mean_wait"])
    assert len(by_variant) == 7 * 2
    more_staff = by_variant[by_variant["variant"] == "fifo rate=16.0 staff=6"]
    # Fewer agents on the same tickets wait longer in every replication.
    assert (more_staff["difference"] > 0).all() and (more_staff["low"] < more_staff["high"]).all()
    table = reference.table.set_index(["variant", "replication", "priority"])
    paired = (table.loc["fifo rate=16.0 staff=6", "mean_wait"]
              - table.loc["fifo rate=16.0 staff=7", "mean_wait"]).groupby("priority",
                                                                          observed=True).mean()
    assert more_staff["difference"].tolist() == pytest.approx(paired.tolist())
    with pytest.raises(ValueError, match="baseline must name a variant or a strategy"):
        reference.compare("nope")
    with pytest.raises(ValueError, match="metrics must be columns"):
        reference.compare("fifo", metrics=["height"])


def test_keep_tickets_returns_every_task_s_tickets(tmp_path: Path) -> None:
    result = run(1, factors={"team.tiers.l1.staff": [6, 7]}, strategies=None,
                 keep_tickets=True, store=tmp_path)
    tickets = result.tickets
    assert tickets is not None and tickets.columns[0] == "variant"
    counts = tickets[~tickets["warmup"]].groupby(["variant", "replication"],
                                                 observed=True).size()
    table_counts = result.table.groupby(["variant", "replication"], observed=True)["tickets"]
    assert counts.tolist() == table_counts.sum().tolist()
    again = run(1, factors={"team.tiers.l1.staff": [6, 7]}, strategies=None,
                keep_tickets=True, store=tmp_path)
    assert again.tasks_run == 0 and again.tickets is not None
    assert len(again.tickets) == len(tickets)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the patched engine reaches pool workers only through fork")
def test_a_dying_worker_fails_its_tasks_not_the_sweep(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportsim.sweeps import _task

    real = _task.simulate_replications

    def crash(scenario: ss.Scenario, replications: Any, seed: int, **keys: Any) -> Any:
        if scenario.team.tiers["l1"].staff == 6:
            os._exit(3)  # a worker killed mid-task (out of memory, segfault)
        return real(scenario, replications, seed, **keys)

    monkeypatch.setattr(_task, "simulate_replications", crash)
    with pytest.warns(SweepFailureWarning):
        result = run(2, strategies=None)
    assert len(result.failures) + len(result.table) // 2 == 8
    assert (result.failures["error"] == "BrokenProcessPool").any()


# --------------------------------------------------------------------------- overload


def test_overload_flags_overloaded_variants_and_not_stable_ones() -> None:
    # 20 tickets/h x 15 min = 5 Erlangs of work (small_scenario). 4 agents: offered 125 %,
    # the backlog grows by ~ (20 - 16) tickets/h. 5 agents: offered exactly 100 %, a
    # critically loaded queue whose backlog wanders without a clear trend (the old
    # headline missed it). 9 agents: 56 %, stable even with demand doubling every four
    # weeks, whose backlog grows a little with the load (the old headline could flag it).
    sw = sweep(small_scenario(), factors={"team.tiers.l1.staff": [4, 5, 9]},
               strategies={"flat": {}, "growing": {"demand.growth": 1.0}},
               replications=3, executor=1, progress=False)
    load = sw.overload().set_index("variant")
    assert load.loc["flat staff=4", "offered_utilisation"] == pytest.approx(1.25)
    assert load.loc["flat staff=5", "offered_utilisation"] == pytest.approx(1.0)
    assert load.loc["flat staff=4", "offered_tier"] == "l1"
    assert load.loc["flat staff=4", ["growing", "overloaded"]].all()
    assert load.loc["flat staff=5", "overloaded"]
    for name in ("flat staff=9", "growing staff=9"):
        assert not load.loc[name, "overloaded"], load.loc[name].to_dict()
    assert load.loc["growing staff=9", "offered_utilisation"] < 1
