"""The paired comparison's rich display (issue 17): ``ss.compare`` returns a DataFrame
subclass whose notebook display is a card, and whose derived frames are plain DataFrames
so nothing downstream changes."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import supportsim as ss
from supportsim._comparison_frame import Comparison
from tests.test_costs import rostered_desk, scenario_of

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


@pytest.fixture(scope="module")
def pair() -> tuple[ss.SimulationResult, ss.SimulationResult]:
    # Two staffings of L2 on common random numbers, both with [costs] (tests/test_costs).
    sc = scenario_of(rostered_desk(), {"replications": 4})
    a = ss.simulate(sc, seed=9, progress=False)
    b = ss.simulate(sc.with_overrides({"team.tiers.l2.staff": 4}), seed=9, progress=False)
    return a, b


def test_compare_is_the_same_dataframe_with_a_card(pair: tuple[ss.SimulationResult, ...]
                                                   ) -> None:
    a, b = pair
    cmp = ss.compare(a, b, labels=("three", "four"))
    assert isinstance(cmp, pd.DataFrame) and type(cmp) is Comparison
    frame = pd.DataFrame(cmp)
    assert type(frame) is pd.DataFrame
    # The plain frame is the documented layout: the columns of docs/results.md.
    assert list(frame.columns) == ["variant", "baseline", "priority", "metric", "value",
                                   "baseline_value", "difference", "low", "high", "better",
                                   "replications"]
    # Equal to the frame compare() built before: a plain DataFrame of its row records.
    pd.testing.assert_frame_equal(frame, pd.DataFrame(frame.to_dict("records")))
    assert repr(cmp) == repr(frame)  # pandas' text repr, unchanged
    html = cmp._repr_html_()
    assert "four − three on common random numbers" in html
    assert '<span class="ss-kind">Comparison</span>' in html and "<script" not in html
    # The numbers: one more L2 agent costs exactly 9 days x 9 h x 52.5 = 4,252.5 more
    # (tests/test_costs_carry.py), lower cost is better, so "three" is better on staff cost.
    staff = frame.set_index("metric").loc["cost_staff"]
    assert staff["difference"] == pytest.approx(243 / 3 * 52.5)
    assert ">+4,252 [+4,252, +4,252]<" in html or ">+4,253 [+4,253, +4,253]<" in html
    assert "<caption>Costs over the horizon" in html
    row = html.split("<td>staff</td>")[1].split("</tr>")[0]
    assert row.endswith("<td>three</td>")
    p1 = frame[(frame.priority == "P1") & (frame.metric == "response_attainment")].iloc[0]
    assert f"{100 * p1['difference']:+.1f} pp [{100 * p1['low']:+.1f}, " \
           f"{100 * p1['high']:+.1f}]" in html
    assert f"{p1['value']:.1%}" in html and f"{p1['baseline_value']:.1%}" in html
    ahead, behind = (frame.better == "four").sum(), (frame.better == "three").sum()
    assert (f"four better on {ahead}, three better on {behind}, no clear difference on "
            f"{len(frame) - ahead - behind} of {len(frame)}") in html


def test_derived_frames_are_plain_and_it_pickles(pair: tuple[ss.SimulationResult, ...]
                                                 ) -> None:
    cmp = ss.compare(*pair)
    derived = [cmp[cmp.metric == "response_attainment"], cmp.loc[0:2], cmp.iloc[:3],
               cmp.query("priority == 'P1'"), cmp[["low", "high"]] * 2, cmp.copy(),
               cmp.sort_values("difference"), cmp.head()]
    assert all(type(d) is pd.DataFrame for d in derived)
    assert type(cmp["difference"]) is pd.Series
    back = pickle.loads(pickle.dumps(cmp))
    assert type(back) is Comparison
    pd.testing.assert_frame_equal(pd.DataFrame(back), pd.DataFrame(cmp))


def test_a_sweep_comparison_has_the_same_card() -> None:
    sc = scenario_of(rostered_desk(), {"replications": 2})
    sweep = ss.sweep(sc, factors={"team.tiers.l2.staff": [3, 4, 5]}, executor=1,
                     progress=False)
    baseline = str(sweep.variants["variant"].iloc[0])
    cmp = sweep.compare(baseline)
    assert type(cmp) is Comparison
    assert type(cmp[cmp.metric == "response_attainment"]) is pd.DataFrame
    html = cmp._repr_html_()
    # Two variants against one baseline: a variant and a baseline column per row.
    assert "variant − baseline on common random numbers" in html
    assert "<th>variant</th><th>baseline</th>" in html and baseline in html
