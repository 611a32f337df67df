"""An override into a name that does not exist is a typo, not a new entry (trial defect 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

import supportsim as ss
from supportsim.cli import main
from tests.support import assert_one_line_error, mmc_dict

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")


def _grouped() -> ss.Scenario:
    data = mmc_dict(rate=4.0, staff=6, horizon="2d", warmup="6h")
    data["sites"] = {"berlin": {"timezone": "Europe/Berlin"},
                     "manila": {"timezone": "Asia/Manila"}}
    data["demand"]["sites"] = {"berlin": 0.5, "manila": 0.5}
    data["demand"]["skills"] = {"en": 0.6, "de": 0.4}
    data["team"]["tiers"]["l1"] = {"groups": {
        "german": {"skills": ["de", "en"], "staff": 3, "site": "berlin"},
        "english": {"skills": ["en"], "staff": 3, "site": "manila"}}}
    return ss.Scenario.from_dict(data, source="desk.toml")


@pytest.mark.parametrize(("path", "value", "message"), [
    ("team.tiers.l1.groups.englsh.staff", 4,
     "team.tiers.l1.groups.englsh: no such group; did you mean 'english'? (groups: german, "
     "english); a new group is set as one table, team.tiers.l1.groups.englsh = {...} "
     "(override team.tiers.l1.groups.englsh.staff=4, on desk.toml)"),
    ("sites.berln.timezone", "UTC", "sites.berln: no such site; did you mean 'berlin'? "
                                    "(sites: berlin, manila)"),
    ("demand.channels.phon.share", 0.5, "demand.channels.phon: no such channel"),
    ("priorities.P9.share", 0.5, "priorities.P9: no such priority"),
    ("team.tiers.l3.staff", 2, "team.tiers.l3: no such tier"),
])
def test_a_misspelt_name_in_an_override_is_refused(path: str, value: object,
                                                   message: str) -> None:
    with pytest.raises(ss.ScenarioError) as info:
        _grouped().with_overrides({path: value})
    assert message in str(info.value)


def test_the_cli_names_the_group_and_its_neighbours_on_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.toml"
    _grouped().to_toml(path)
    assert main(["check", str(path), "--set", "team.tiers.l1.groups.englsh.staff=4"]) == 2
    assert_one_line_error(capsys.readouterr().err.splitlines(), [
        "team.tiers.l1.groups.englsh: no such group; did you mean 'english'?",
        "(groups: german, english)", str(path)])


def test_new_entries_set_whole_and_new_sections_still_work() -> None:
    grouped = _grouped()
    # A new group as one table: the path ends at its name.
    more = grouped.with_overrides({"team.tiers.l1.groups.spanish": {"skills": ["en"],
                                                                    "staff": 2}})
    assert more.team.tiers["l1"].headcount == 8
    # Keys of an existing name, and sections the schema names (here [costs], absent).
    costed = grouped.with_overrides({
        "team.tiers.l1.groups.english.staff": 5, "sites.manila.business_hours": ["07:00",
                                                                               "16:00"],
        "costs.currency": "EUR", "costs.tiers.l1.hourly": 35.0})
    assert costed.team.tiers["l1"].headcount == 8
    assert costed.costs is not None and costed.costs.tiers["l1"].hourly == 35.0
    # A table of names still empty has none to misspell: its first entry is made.
    assert costed.with_overrides({"costs.tiers": {}, "costs.tiers.l1.hourly": 1.0}
                                 ).costs.tiers["l1"].hourly == 1.0  # type: ignore[union-attr]
