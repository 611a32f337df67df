"""Error messages a new user could not act on (trial defect 10): each bad value gives one
line that names the accepted forms or the bound, shows the value as written, and does not
drag a knock-on error along."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

import supportsim as ss
from supportsim.cli import main
from tests.support import assert_one_line_error, mmc_dict

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


def _desk() -> dict[str, Any]:
    """Three sites (Berlin, Warsaw, Manila; 9-hour business days), two L1 groups, phone
    retrials, overflow to English, and a P2 resolution target in business days."""
    data = mmc_dict(rate=4.0, staff=6, horizon="2w", warmup="1d")
    data["start"], data["start_zone"] = "2026-03-23T00:00:00", "Europe/Berlin"
    data["sites"] = {
        "berlin": {"timezone": "Europe/Berlin", "holidays": {"country": "DE",
                                                            "subdivision": "BY"}},
        "warsaw": {"timezone": "Europe/Warsaw", "holidays": "PL"},
        "manila": {"timezone": "Asia/Manila", "business_hours": ["07:00", "16:00"]}}
    data["demand"].update(sites={"berlin": 0.5, "warsaw": 0.3, "manila": 0.2},
                          skills={"de": 0.4, "en": 0.6})
    data["demand"]["channels"] = {
        "phone": {"share": 0.4, "patience": "6min", "retry": 0.5,
                  "retry_after": {"dist": "uniform", "low": "5min", "high": "30min"}},
        "portal": {"share": 0.6}}
    data["priorities"] = {
        "P1": {"share": 0.3, "response": "15min", "resolution": "4h"},
        "P2": {"share": 0.7, "response": "4h", "resolution": "3bd", "clock": "business"}}
    data["team"]["tiers"]["l1"] = {"groups": {
        "german": {"skills": ["de", "en"], "staff": 3, "site": "berlin"},
        "english": {"skills": ["en"], "staff": 3, "site": "manila"}}}
    data["team"]["routing"] = {"overflow": {"after": "20min", "skill": "en"}}
    return data


def test_the_desk_is_valid() -> None:
    assert ss.Scenario.from_dict(_desk()).priorities["P2"].resolution == 27.0  # 3 x 9 h


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    return change


@pytest.mark.parametrize(("change", "fragments"), [
    # The three forms a site's holidays take, not pydantic's class name.
    (_set("sites.warsaw.holidays", 2026),
     ['sites.warsaw.holidays must be a country code ("DE"), a list of local dates '
      "([2026-12-24, ...]) or a table { country, subdivision, dates }, got 2026"]),
    # The bound, with the value as written.
    (_set("team.routing.overflow.after", "-5min"),
     ["team.routing.overflow.after must be a duration >= 0, got '-5min'"]),
    (_set("demand.channels.phone.retry_after.high", "1min"),
     ["demand.channels.phone.retry_after.high must be above low (5min), got '1min'"]),
    (_set("horizon", -2), ["horizon must be a duration >= 1s, got -2 ("]),
    # Business days of different lengths: which sites, how long.
    (_set("sites.manila.business_hours", ["07:00", "15:00"]),
     ["priorities.P2.resolution is in business days, but the sites' business days differ "
      "in length (berlin 9h, warsaw 9h, manila 8h): write the target in hours, or give the "
      "sites business days of one length, got '3bd'"]),
], ids=["holidays-type", "negative-after", "uniform-order", "negative-number", "bd-unequal"])
def test_unclear_messages_name_the_rule_and_the_value_as_written(
        change: Callable[[dict[str, Any]], None], fragments: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = _desk()
    change(data)
    path = tmp_path / "desk.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err.splitlines(), [*fragments, str(path)])


def test_an_inverted_site_day_gives_one_error_not_a_knock_on() -> None:
    data = _desk()
    data["sites"]["manila"]["business_hours"] = ["16:00", "07:00"]
    with pytest.raises(ss.ScenarioError) as info:
        ss.Scenario.from_dict(copy.deepcopy(data), source="desk.toml")
    assert str(info.value) == ("sites.manila.business_hours must close after it opens, got "
                               "('16:00', '07:00') (desk.toml)")
