"""Error messages that point at the right place and say the right thing (trial 4,
"Smaller"): an override's error names the override, not the file alone; values are shown
as written in TOML; a bad date inside holidays is the message; did-you-mean ignores case;
retry_after needs retry; a precision half-width keeps to its metric's range; rules read
as sentences."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

import supportsim as ss
from supportsim.cli import main
from tests.support import assert_one_line_error, mmc_dict
from tests.test_trial_messages import _desk

pytestmark = pytest.mark.filterwarnings("ignore::supportsim.CapacityWarning")

MMC = Path(__file__).parent.parent / "scenarios" / "mmc.toml"


def _error(data: dict[str, Any], overrides: dict[str, Any] | None = None,
           source: str | None = "desk.toml") -> str:
    with pytest.raises(ss.ScenarioError) as info:
        scenario = ss.Scenario.from_dict(data, source=source)
        scenario.with_overrides(overrides or {})
    message = str(info.value)
    assert "\n" not in message
    return message


def _cli_error(capsys: pytest.CaptureFixture[str], argv: list[str],
               fragments: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert_one_line_error(err, fragments)
    return err[0]


# ----------------------------------------------------------------- 1. overrides' source

def test_an_override_error_names_the_override_and_the_file() -> None:
    # horizon 1w against the file's warmup (1w) breaks a rule of the file's key: the
    # override did it.
    message = _error(mmc_dict(horizon="4w", warmup="1w"), {"horizon": "1w"})
    assert message.endswith('got 1w >= 1w (override horizon="1w", on desk.toml)'), message


def test_several_overrides_are_all_named_and_a_dict_has_no_file() -> None:
    message = _error(mmc_dict(), {"demand.rate": -1, "seed": 3}, source=None)
    assert message.endswith("(overrides demand.rate=-1, seed=3)"), message


def test_a_file_error_still_names_the_file_alone(tmp_path: Path) -> None:
    with pytest.raises(ss.ScenarioError) as info:
        ss.Scenario.from_dict(mmc_dict(horizon="1w", warmup="1w"), source="desk.toml")
    assert str(info.value).endswith("got 1w >= 1w (desk.toml)")


def test_set_errors_name_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    line = _cli_error(capsys, ["check", str(MMC), "--set", "horizon=1w"],
                      ["warmup must be shorter than horizon"])
    assert line.endswith(f'(--set horizon="1w", on {MMC})'), line


def test_sweep_set_errors_name_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    sweep = MMC.parent / "sweeps" / "staffing_vs_load.toml"
    line = _cli_error(capsys, ["sweep", str(sweep), "--set", "demand.rat=3"],
                      ["demand.rat is not a known key"])
    assert "(--set demand.rat=3, on " in line, line


def test_decide_errors_name_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    line = _cli_error(capsys, ["plan", str(MMC), "-t", "P1.response=0.8",
                               "--decide", "team.tiers.l1.staf=5:9"],
                      ["team.tiers.l1.staf is not a known key"])
    # Quoted as typed (E8, trial 5), not as the end of the range that was tried (=5).
    assert line.endswith(f"(--decide team.tiers.l1.staf=5:9, on {MMC})"), line


# ------------------------------------------------------------ 2. values as written

def test_a_date_is_shown_as_written() -> None:
    data = mmc_dict()
    data["start"] = datetime.datetime(2026, 3, 2)
    data["demand"]["waves"] = [{"name": "DE", "at": datetime.date(2026, 1, 1), "users": 100,
                                "rate": 0.05, "settle": "1w"}]
    message = _error(data)
    assert "got 2026-01-01 (desk.toml)" in message, message
    assert "datetime" not in message


def test_the_overrides_line_shows_dates_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.toml"
    ss.Scenario.from_dict(_desk()).to_toml(path)
    assert main(["check", str(path), "--set",
                 "sites.berlin.holidays.dates=[2026-12-24]"]) in (0, 1)
    out = capsys.readouterr().out
    assert "overrides: sites.berlin.holidays.dates=[2026-12-24]" in out, out


# ------------------------------------------------------- 3. a bad date inside holidays

def test_an_invalid_holiday_date_is_the_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # TOML cannot read 2026-13-01, so --set passes the text on: it is not a country code.
    path = tmp_path / "desk.toml"
    ss.Scenario.from_dict(_desk()).to_toml(path)
    line = _cli_error(capsys, ["check", str(path), "--set",
                               "sites.berlin.holidays=[2026-12-24, 2026-13-01]"],
                      ["sites.berlin.holidays must be a list of valid dates: 2026-13-01 is "
                       "not a date (month must be in 1..12)"])
    assert "country" not in line, line


@pytest.mark.parametrize(("text", "rule"), [
    ("2026-02-30", "2026-02-30 is not a date (day is out of range for month)"),
    ("[2026-1-5]", "2026-1-5 is not a date (write YYYY-MM-DD)"),
    ("2026-12-24", "a list of dates written as TOML dates, unquoted"),
])
def test_dates_given_as_text_are_refused_as_dates(text: str, rule: str) -> None:
    data = _desk()
    data["sites"]["warsaw"]["holidays"] = text
    message = _error(data)
    assert "sites.warsaw.holidays must be " in message and rule in message, message
    assert "country code of the holidays package" not in message


# ------------------------------------------------------- 4. did-you-mean ignores case

@pytest.mark.parametrize(("holidays", "hint"), [
    ("pl", "holidays.country is not a country code of the holidays package (did you "
           "mean 'PL'?)"),
    ({"country": "PL", "subdivision": "xx"}, "holidays.subdivision is not one of PL's"),
    ({"country": "DE", "subdivision": "by"}, "holidays.subdivision is not one of DE's (did "
                                             "you mean 'BY'?)"),
])
def test_a_holiday_code_in_the_wrong_case_gets_a_did_you_mean(holidays: Any,
                                                             hint: str) -> None:
    data = _desk()
    data["sites"]["warsaw"]["holidays"] = holidays
    message = _error(data)
    assert f"sites.warsaw.{hint}" in message, message
    if "xx" in str(holidays):  # no code like it: no hint
        assert "did you mean" not in message


def test_an_override_of_a_priority_in_the_wrong_case_gets_a_did_you_mean() -> None:
    message = _error(mmc_dict(), {"priorities.p1.weight": 2})
    assert "priorities.p1: no such priority; did you mean 'P1'?" in message, message


def test_an_unknown_key_in_the_wrong_case_gets_a_did_you_mean() -> None:
    data = mmc_dict()
    data["SEED"] = 2  # difflib alone finds nothing like it
    assert "SEED is not a known key (did you mean 'seed'?)" in _error(data)


@pytest.mark.parametrize("warmup", ["Auto", "AUTO", " auto "])
def test_warmup_auto_in_the_wrong_case_mentions_auto(warmup: str) -> None:
    message = _error(mmc_dict(warmup=warmup))
    assert message.startswith("warmup must be a duration or 'auto' (did you mean 'auto'?), "
                              f"got {warmup!r}"), message


# ------------------------------------------------------ 5. retry_after needs retry > 0

def _phone(**keys: Any) -> dict[str, Any]:
    data = mmc_dict()
    data["demand"]["channels"] = {"phone": {"share": 1.0, "patience": "10min", **keys}}
    return data


def test_retry_after_without_retry_is_refused() -> None:
    message = _error(_phone(retry_after="5min"))
    assert message == ("demand.channels.phone.retry_after needs retry > 0: only customers "
                       "who retry wait for it (give retry, or leave retry_after out) "
                       "(desk.toml)"), message
    # Retrying, or retry = 0 written (a sweep over retry has such a point), is valid.
    ss.Scenario.from_dict(_phone(retry=0.3, retry_after="5min"))
    ss.Scenario.from_dict(_phone(retry=0, retry_after="5min"))


def test_an_override_giving_retry_after_alone_is_refused() -> None:
    message = _error(_phone(), {"demand.channels.phone.retry_after": "5min"})
    assert "retry_after needs retry > 0" in message
    assert message.endswith('(override demand.channels.phone.retry_after="5min", on '
                            "desk.toml)"), message
    # ...and a sweep over retry may reach 0 with the delay left in place.
    base = ss.Scenario.from_dict(_phone(retry=0.5, retry_after="5min"))
    assert base.with_overrides({"demand.channels.phone.retry": 0}).demand.channels[
        "phone"].retry == 0


# ----------------------------------------- 6. a share's half-width is in (0, 1), others > 0

def test_half_widths_keep_to_their_metrics_range() -> None:
    from supportsim.sequential._precision import parse_precision

    sc = ss.Scenario.from_dict(mmc_dict())
    for share in ("P1.response", "abandoned", "utilisation_l1"):
        with pytest.raises(ValueError, match=r"in \(0, 1\) for a share"):
            parse_precision({share: 1.0}, sc)
        parse_precision({share: 0.99}, sc)
    # Hours and counts have no upper end: a 5-hour half-width on the wait is a choice.
    assert [v for _, v in parse_precision({"wait": 5, "backlog": 50}, sc)] == [5.0, 50.0]


# ------------------------------------------------------------- 7. rules read as sentences

@pytest.mark.parametrize(("overflow", "expected"), [
    ({"after": "20min"}, "team.routing.overflow must give exactly one of skill and site "
                         "(where an overflowing ticket goes) (desk.toml)"),
    ({"after": "20min", "skill": "en", "site": "berlin"},
     "team.routing.overflow must give exactly one of skill and site"),
])
def test_overflow_needs_one_target_said_as_a_sentence(overflow: dict[str, Any],
                                                      expected: str) -> None:
    data = _desk()
    data["team"]["routing"] = {"overflow": overflow}
    assert expected in _error(data)


def test_an_overflow_skill_nobody_holds_is_said_as_a_sentence() -> None:
    data = _desk()
    data["demand"]["skills"]["fr"] = 0.0
    data["team"]["routing"] = {"overflow": {"after": "20min", "skill": "fr"}}
    assert "team.routing.overflow.skill names a skill no agent group holds, so nobody could " \
           "take an overflowing ticket, got 'fr'" in _error(data)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["work"]["effort"].update(l1={"dist": "empirical"}),
     "work.effort.l1 must give exactly one of `values` and `quantiles` (dist = 'empirical')"),
    (lambda d: d["demand"].update(bursts=[{"at": "1d", "multiplier": 2}]),
     "demand.bursts.0 must give exactly one of `decay` and `duration`, got neither"),
])
def test_exactly_one_of_rules_are_said_of_the_table(change: Any, expected: str) -> None:
    data = mmc_dict()
    change(data)
    assert expected in _error(data)


def test_a_trigger_needs_one_measure_said_of_the_table() -> None:
    reserve = ss.load_scenario(MMC.parent / "reserve_20pct.toml")
    with pytest.raises(ss.ScenarioError) as info:
        reserve.with_overrides({"workforce.reserve.trigger": {"backlog": 10, "wait": "1h"}})
    assert str(info.value).startswith("workforce.reserve.trigger must give exactly one of "
                                      "`backlog` and `wait` (override ")
