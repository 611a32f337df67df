"""Sequential drivers (issue 16, part B): precision on demand, warmup = "auto", and
selecting the best strategy by Kim & Nelson's KN.

References: the t half-width t_{n-1} s / sqrt(n) (Law, Simulation Modeling and Analysis,
5th ed., 9.4.1); KN's constants eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2 and
h^2 = 2 eta (n0 - 1) (Kim & Nelson 2001, ACM TOMACS 11(3), section 3); Erlang C mean waits
from supportsim.analytic.mean_wait (checked against tables in tests/test_analytic.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim import analytic
from supportsim.analysis import replications_for, replications_needed
from supportsim.sequential import kn_select
from supportsim.sequential._kn import kn_h2
from supportsim.sequential._precision import half_width
from tests.support import build, mmc_dict

TABLES = ("staff", "timeline", "events", "scores", "metrics", "tickets")


@pytest.fixture(scope="module")
def short_mmc() -> ss.Scenario:
    # M/M/5 at rho 0.95 over one week after a day's warm-up: noisy attainment, so a
    # pilot of 3 is far from 3 points of precision.
    return build(mmc_dict(rate=19.0, mean=0.25, staff=5, horizon="1w", warmup="1d"))


def _assert_same_tables(a: ss.SimulationResult, b: ss.SimulationResult) -> None:
    assert a.replications == b.replications
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


# --------------------------------------------------------------------------- precision


def test_precision_stops_at_the_first_count_that_meets_every_target(short_mmc):
    targets = {"P1.response": 0.02, "wait": 0.12}
    res = ss.simulate(short_mmc, replications=3, seed=1, precision=targets,
                      max_replications=60)
    n = res.replications
    report = res.precision
    assert report.met and report.replications == n and report.pilot == 3
    assert n > 3  # the pilot alone was not enough, so the rule was exercised
    # The per-replication values of a longer one-shot run: the count reached is the
    # first >= the pilot where every half-width is within its target.
    longer = ss.simulate(short_mmc, replications=n + 5, seed=1, tickets="drop")
    values = {"P1.response": longer.scores["response_attainment"].to_numpy(),
              "wait": longer.metrics["mean_wait"].to_numpy()}
    met = [all(half_width(values[m][:k]) <= h for m, h in targets.items())
           for k in range(3, n + 1)]
    assert met[-1] and not any(met[:-1])
    for target in report.targets:
        assert target.half_width == pytest.approx(half_width(values[target.metric][:n]))
    assert sum(report.batches) >= n  # a batch may overshoot; the result is cut back


def test_precision_result_equals_a_one_shot_run_on_any_executor(short_mmc):
    targets = {"P1.response": 0.04}
    res = ss.simulate(short_mmc, replications=2, seed=4, precision=targets,
                      max_replications=30)
    assert res.precision.met and res.replications > 2
    one = ss.simulate(short_mmc, replications=res.replications, seed=4)
    _assert_same_tables(res, one)
    pooled = ss.simulate(short_mmc, replications=2, seed=4, precision=targets,
                         max_replications=30, executor=2)
    assert pooled.precision == res.precision
    _assert_same_tables(pooled, one)


def test_precision_never_exceeds_the_cap_and_says_so(short_mmc):
    with pytest.warns(ss.PrecisionWarning, match="max_replications=5"):
        res = ss.simulate(short_mmc, replications=3, seed=2,
                          precision={"P1.response": 0.0001}, max_replications=5)
    assert res.replications == 5 and not res.precision.met
    assert "NOT met" in str(res.precision)
    assert res.precision.table().loc[0, "met"] == False  # noqa: E712 (a numpy bool)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"precision": {"P9.response": 0.01}}, "unknown metric 'P9.response'"),
    ({"precision": {"mean_weight": 0.01}}, "unknown metric"),
    ({"precision": {"P1.response": 0.0}}, "positive half-width"),
    ({"precision": {"wait": -1}}, "positive half-width"),
    ({"precision": {"P1.response": 5}}, r"precision P1\.response must be a half-width in \(0, 1\) "
                                        "for a share"),
    ({"precision": {"utilisation_l1": 1}}, r"in \(0, 1\) for a share .*, got 1$"),
    ({"precision": {}}, "non-empty mapping"),
    ({"precision": {"wait": 0.1}, "replications": 1}, "pilot of at least 2"),
    ({"precision": {"wait": 0.1}, "max_replications": 2}, "max_replications"),
    ({"max_replications": 20}, "cap of precision"),
])
def test_precision_rejects_bad_input(short_mmc, kwargs, match):
    kwargs = {"replications": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        ss.simulate(short_mmc, seed=1, **kwargs)


# --------------------------------------------------------------------------- warmup auto


def test_auto_warmup_scenario_keeps_its_value():
    sc = build(mmc_dict(warmup="auto"))
    assert sc.auto_warmup and sc.warmup == 0.0
    assert sc.to_dict()["warmup"] == "auto"
    assert ss.Scenario.from_dict(sc.to_dict()).auto_warmup
    assert sc.with_overrides({"seed": 3}).auto_warmup
    explicit = sc.with_overrides({"warmup": "1d"})
    assert not explicit.auto_warmup and explicit.warmup == 24.0
    assert sc != build(mmc_dict(warmup="0h"))
    with pytest.raises(ValueError, match="explicit warmup"):
        from supportsim.simulation import simulate_replications

        simulate_replications(sc, [0], 1)


def test_auto_warmup_cannot_be_swept():
    sc = build(mmc_dict(horizon="1w", warmup="auto"))
    with pytest.raises(ss.SweepError, match="cannot be swept"):
        ss.sweep(sc, factors={"team.tiers.l1.staff": [6, 7]}, replications=2, executor=1)


def test_auto_warmup_warns_on_an_overloaded_desk():
    # 5.25 Erlangs on 5 agents: the wait grows without bound, MSER-5 finds no steady state.
    sc = build(mmc_dict(rate=21.0, mean=0.25, staff=5, horizon="2w", warmup="auto"),
               {"replications": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)
        with pytest.warns(ss.AutoWarmupWarning, match="does not settle"):
            res = ss.simulate(sc, seed=1, tickets="drop")
    assert not res.auto_warmup.settled
    assert res.ticket_table is None  # held for MSER, dropped as asked
    assert res.scenario.warmup == res.auto_warmup.hours


def test_auto_warmup_equals_the_explicit_cut(tmp_path):
    # The result of "auto" is the result of an explicit warm-up at the cut it found.
    # M/M/6 at rho 0.79, started empty: settles within hours.
    sc = build(mmc_dict(rate=19.0, mean=0.25, staff=6, horizon="2w", warmup="auto"),
               {"replications": 3})
    auto = ss.simulate(sc, seed=3)
    assert auto.auto_warmup.settled
    explicit = ss.simulate(sc.with_overrides({"warmup": auto.auto_warmup.hours}), seed=3)
    _assert_same_tables(auto, explicit)
    assert auto.auto_warmup.hours > 0
    spilled = ss.simulate(sc, seed=3, tickets=tmp_path)
    pd.testing.assert_frame_equal(spilled.tickets, explicit.tickets)
    pd.testing.assert_frame_equal(spilled.scores, explicit.scores)


def test_precision_with_auto_warmup_equals_a_one_shot_auto_run():
    # The cut is found again on the replications kept, so the result is that of
    # simulate(warmup="auto") with the count reached.
    sc = build(mmc_dict(rate=19.0, mean=0.25, staff=6, horizon="1w", warmup="auto"))
    res = ss.simulate(sc, replications=2, seed=6, precision={"wait": 0.025},
                      max_replications=25)
    assert res.precision.met and res.replications > 2
    one = ss.simulate(sc, replications=res.replications, seed=6)
    _assert_same_tables(res, one)
    assert res.auto_warmup.hours == one.auto_warmup.hours


def test_precision_refuses_batches_beyond_the_ticket_limit(short_mmc):
    # About 3,200 tickets per replication: a cap of 10,000 held admits the pilot of 3
    # and refuses the next batch before it runs.
    with pytest.raises(ss.simulation.SizeLimitError):
        ss.simulate(short_mmc, replications=3, seed=1, precision={"P1.response": 0.001},
                    max_replications=50, max_tickets=10_000)


# --------------------------------------------------------------------------- KN core


def test_kn_constants_match_the_paper():
    # k = 2, n0 = 10, alpha = 0.05: eta = ((0.1)^(-2/9) - 1) / 2 = 0.33405, h^2 = 6.0129;
    # k = 5: ((0.025)^(-2/9) - 1) / 2 = 0.63497, h^2 = 11.4294.
    assert kn_h2(2, 10, 0.95) == pytest.approx(6.0129, abs=1e-4)
    assert kn_h2(5, 10, 0.95) == pytest.approx(11.4294, abs=1e-4)


def _normal_draws(means, sds, seed, common=0.0):
    """Observation r of each system: mean + sd (sqrt(1-c) e_ir + sqrt(c) z_r), z shared
    by every system in observation r (common random numbers when c > 0)."""
    rng = np.random.default_rng(seed)
    cache: dict[int, np.ndarray] = {}
    means, sds = np.asarray(means, float), np.asarray(sds, float)

    def draw(systems, r):
        if r not in cache:
            e, z = rng.standard_normal(means.size), rng.standard_normal()
            cache[r] = means + sds * (np.sqrt(1 - common) * e + np.sqrt(common) * z)
        return cache[r][list(systems)]

    return draw


@pytest.mark.parametrize(("sds", "common"), [((1, 1, 1, 1, 1), 0.0),
                                             ((1, 2, 0.5, 1.5, 1), 0.0),
                                             ((1, 1, 1, 1, 1), 0.6)])
def test_kn_selects_the_best_at_the_nominal_rate_in_the_slippage_configuration(sds, common):
    # Least-favourable (slippage) configuration: the best beats the 4 others by exactly
    # delta. 100 independent macro-replications at 95 %: KN is conservative, so at least
    # 95 must select system 0 (measured: 99, 99 and 98; CRN cuts the mean total from 166
    # to 74 replications).
    delta = 0.5
    means = [delta, 0, 0, 0, 0]
    correct = 0
    for macro in range(100):
        out = kn_select(_normal_draws(means, sds, 1000 + macro, common), 5,
                        indifference=delta)
        assert out.decided
        correct += out.best == 0
    assert correct >= 95, correct


def test_kn_spends_less_than_running_every_system_to_the_same_precision():
    # Means 0, 0.25, 0.5, 0.75, 1 (sd 1), delta 0.25, higher better. Running every system
    # to a half-width of delta / 2 (so intervals delta apart do not overlap) takes
    # replications_for(1, 0.125) = 249 each, 1245 in all; KN selects the best in every
    # one of 20 macro-replications and never spends as much, eliminating the clear
    # losers first.
    fixed = 5 * replications_for(1.0, 0.125)
    assert fixed == 1245
    for macro in range(20):
        out = kn_select(_normal_draws([0, 0.25, 0.5, 0.75, 1], [1] * 5, macro), 5,
                        indifference=0.25)
        assert out.best == 4
        assert sum(out.observations) < fixed
        assert out.eliminated[0] <= out.eliminated[3]


def test_kn_stops_inside_its_triangle():
    # Each pair's region closes at r = h^2 S^2 / delta^2 (S^2 from the first stage), so no
    # system is observed beyond the largest such r + 1.
    for seed in range(20):
        draw = _normal_draws([0.1, 0, 0], [1, 1, 1], seed)
        out = kn_select(draw, 3, indifference=0.2, first_stage=5)
        first = np.array([draw([0, 1, 2], r) for r in range(5)])
        s2 = np.var(first[:, :, None] - first[:, None, :], axis=0, ddof=1)
        assert max(out.observations) <= out.h2 * s2.max() / 0.2**2 + 1


def test_kn_minimises_and_handles_identical_systems():
    draw = _normal_draws([3, 1, 2], [1, 1, 1], 5)
    out = kn_select(draw, 3, indifference=0.5, higher_is_better=False)
    assert out.best == 1
    same = kn_select(lambda s, r: np.full(len(s), float(r)), 3, indifference=0.1)
    assert same.decided and same.best == 0


# --------------------------------------------------------------------------- select_best


def _desks(staff=(5, 6, 7, 8), horizon="3d"):
    return {f"c={c}": build(mmc_dict(rate=19.0, mean=0.25, staff=c, horizon=horizon,
                                     warmup="12h")) for c in staff}


@pytest.mark.slow
def test_select_best_on_mmc_desks_selects_within_the_indifference_zone():
    # M/M/c at 19 tickets/h, 15 min each, c = 5..8: Erlang C mean waits 0.878, 0.110,
    # 0.031, 0.009 h. With delta = 0.05 h a correct selection is c = 7 or 8 (within delta
    # of the best). 10 independent macro-replications (seeds 0-9), 3-day horizons: all 10
    # correct (>= the nominal 95 %), and every one uses fewer replications than running
    # every desk to a half-width of delta / 2 on its own mean wait (sizes from a pilot of
    # 10 on seed 0: c=5 alone needs hundreds).
    waits = {c: float(analytic.mean_wait(c, 19.0, 4.0)) for c in (5, 6, 7, 8)}
    good = {f"c={c}" for c, w in waits.items() if w <= min(waits.values()) + 0.05}
    assert good == {"c=7", "c=8"}
    desks = _desks()
    fixed = sum(replications_needed(ss.simulate(sc, replications=10, seed=0, tickets="drop"),
                                    "mean_wait", 0.025).replications
                for sc in desks.values())
    for macro in range(10):
        sel = ss.select_best(desks, "wait", indifference=0.05, seed=macro)
        assert sel.decided and sel.best in good, repr(sel)
        assert sel.total_replications < fixed


def test_select_best_reports_its_guarantee_and_eliminations():
    sel = ss.select_best(_desks((6, 7, 8), "2d"), "P1.response", indifference=0.01,
                         seed=1, first_stage=5)
    assert sel.best == "c=8" and sel.decided
    assert sel.guarantee == ("with probability ≥ 95 %, the selected strategy is within "
                             "1 point of the best on P1.response")
    assert set(sel.eliminated) == {"c=6", "c=7"}
    assert all(sel.replications[name] == r for name, r in sel.eliminated.items())
    assert sel.replications["c=8"] >= max(sel.eliminated.values())
    text = repr(sel)
    assert "best = 'c=8'" in text and "eliminated after" in text
    assert "<table" in sel._repr_html_() and "1 point" in sel._repr_html_()


def test_select_best_lists_an_identical_strategy_as_tied_not_eliminated():
    # The same desk under two names gives the same value in every replication (common
    # random numbers): KN keeps the first of the two, and the other is not "worse".
    # c=6 waits longer (Erlang C 0.110 h against 0.009 h at c=8): eliminated.
    desks = _desks((8, 6), "2d")
    desks = {"c=8": desks["c=8"], "c=8 again": desks["c=8"], "c=6": desks["c=6"]}
    sel = ss.select_best(desks, "wait", indifference=0.05, seed=1, first_stage=5)
    assert sel.decided and sel.best == "c=8" and sel.contenders == ["c=8"]
    assert sel.tied == {"c=8 again": "c=8"} and sel.eliminated == {"c=6": 5}
    assert sel.means["c=8 again"] == sel.means["c=8"]
    fates = {line.split()[0]: line for line in repr(sel).splitlines()[2:-1]}
    assert "tied with 'c=8'" in repr(sel) and "eliminated" not in fates["c=8"]
    assert "eliminated after 5 replications" in fates["c=6"]
    assert "Tied: the same results as another strategy" in sel._repr_html_()
    # Within the conditions of a sweep too (one selection per condition).
    from supportsim.sequential._selection_set import SelectionSet

    both = SelectionSet(selections={"rate=19.0": sel}, by=["demand.rate"])
    assert "tied with 'c=8'" in repr(both)
    assert "Tied: the same results as another strategy of its condition" in \
        both._repr_html_()


def test_kn_keeps_an_identical_system_apart_from_the_eliminated():
    # Systems 0 and 2 identical, 1 far behind: 2 is tied with 0, 1 eliminated.
    rows = np.array([[1.0, -5.0, 1.0], [2.0, -4.0, 2.0], [1.5, -6.0, 1.5]])
    out = kn_select(lambda systems, r: rows[r % 3, list(systems)], 3, indifference=0.5,
                    first_stage=3)
    assert out.decided and out.best == 0
    assert out.tied == {2: 0} and list(out.eliminated) == [1]


def test_select_best_on_finished_results_cannot_add_replications():
    desks = _desks((7, 8), "2d")
    results = {name: ss.simulate(sc, replications=3, seed=2, tickets="drop")
               for name, sc in desks.items()}
    # 3 replications and a tiny indifference zone: no decision, and it says so.
    with pytest.warns(ss.SelectionWarning, match="no more replications"):
        sel = ss.select_best(results, "wait", indifference=1e-4, first_stage=3)
    assert not sel.decided and sel.guarantee.startswith("no guarantee")
    assert sel.best == "c=8" and set(sel.contenders) == {"c=7", "c=8"}
    with pytest.raises(ValueError, match="fewer than the first stage"):
        ss.select_best(results, "wait", indifference=0.01)


def test_select_best_says_when_its_cap_is_reached():
    # Two desks a few minutes of wait apart and a zone of 0.0001 h: KN's region is far
    # wider than 4 replications can close, so the cap of 4 is reached undecided.
    with pytest.warns(ss.SelectionWarning, match="max_replications=4 was reached"):
        sel = ss.select_best(_desks((6, 7), "1d"), "wait", indifference=1e-4, seed=1,
                             first_stage=3, max_replications=4)
    assert not sel.decided and sel.replications == {"c=6": 4, "c=7": 4}
    assert sel.best == "c=7" and "no guarantee" in repr(sel)
    # The cap stopped KN: c=6 was not eliminated, and the display says so.
    assert sel.eliminated == {} and sel.tied == {} and sel.contenders == ["c=6", "c=7"]
    assert "in contention when the replications ran out (not eliminated)" in repr(sel)


def test_select_best_on_a_sweep_file(tmp_path):
    build(mmc_dict(rate=19.0, mean=0.25, staff=6, horizon="2d", warmup="12h")).to_toml(
        tmp_path / "base.toml")
    (tmp_path / "sweep.toml").write_text(
        'base = "base.toml"\nseed = 5\n[factors]\n"team.tiers.l1.staff" = [6, 8]\n',
        encoding="utf-8")
    sel = ss.select_best(tmp_path / "sweep.toml", "wait", indifference=0.05, first_stage=5)
    assert sel.best == "l1.staff=8" or sel.best.endswith("=8"), repr(sel)


def test_select_best_on_a_sweep_result():
    sc = build(mmc_dict(rate=19.0, mean=0.25, staff=6, horizon="2d", warmup="12h"))
    sw = ss.sweep(sc, factors={"team.tiers.l1.staff": [6, 9]}, replications=2, seed=8,
                  executor=1)
    sel = ss.select_best(sw, "P1.response", indifference=0.02, first_stage=5)
    assert set(sel.replications) == set(sw.variants["variant"])
    assert sel.best == "staff=9", repr(sel)


def test_select_best_on_cost():
    # [costs] (issue 13): L1 at 30 EUR/h on 24x7 rosters, 2 days: staff cost is
    # 48 h x 30 EUR x agents = 10,080 EUR for 7 agents, 12,960 for 9 (no overtime, no
    # penalties): the same in every replication, so KN decides on the first stage.
    data = mmc_dict(rate=19.0, mean=0.25, staff=7, horizon="2d", warmup="12h")
    data["costs"] = {"currency": "EUR", "tiers": {"l1": {"hourly": 30.0}}}
    sc = build(data)
    sel = ss.select_best({"c=7": sc, "c=9": sc.with_overrides({"team.tiers.l1.staff": 9})},
                         "cost", indifference=10.0, seed=1, first_stage=3)
    assert sel.best == "c=7" and sel.eliminated == {"c=9": 3}
    assert sel.means == pytest.approx({"c=7": 10_080.0, "c=9": 12_960.0})
    assert "within 10 EUR of the best on cost" in sel.guarantee


@pytest.mark.parametrize(("candidates", "kwargs", "match"), [
    ("one", {}, "at least 2"),
    ("desks", {"metric": "P9.response"}, "unknown metric"),
    ("desks", {"indifference": 0}, "indifference must be a positive"),
    ("desks", {"metric": "utilisation_l1"}, "no better direction"),
    ("mixed", {}, "all scenarios or all"),
    ("auto", {}, "explicit warmup"),
])
def test_select_best_rejects_bad_input(candidates, kwargs, match):
    desks = _desks((7, 8), "1d")
    given = {
        "one": {"c=7": desks["c=7"]},
        "desks": desks,
        "mixed": {"c=7": desks["c=7"],
                  "r": ss.simulate(desks["c=8"], replications=2, seed=1, tickets="drop")},
        "auto": {n: sc.with_overrides({"warmup": "auto"}) for n, sc in desks.items()},
    }[candidates]
    args = {"metric": "wait", "indifference": 0.05, **kwargs}
    with pytest.raises(ValueError, match=match):
        ss.select_best(given, args.pop("metric"), **args)
