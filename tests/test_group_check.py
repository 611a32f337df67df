"""``supportsim check`` per agent group and per skill (issue 14): a planner sees which
skill is short before running.

Reference values are worked by hand in each test's comment: offered load = arrival rate
x the skill's share x mean work per ticket (Erlangs); agent-hours on duty on each group's
own site clock.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

import supportsim as ss
from supportsim._skill_capacity import ticket_skill_shares
from supportsim.cli import main
from tests.support import mmc_dict

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
EVERY_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def section(out: str, heading: str) -> list[str]:
    """The lines of the block of `out` that starts with `heading`."""
    block = out.split(f"\n{heading}", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()


def layout(tmp_path: Path) -> Path:
    """Two sites, three skills, three groups, from Monday 2026-04-13 00:00 UTC for a week.

    Flat 4 tickets/h, exponential effort of 0.3 h, skills a 40 %, b 40 %, c 20 %:
    offered load a = b = 4 x 0.4 x 0.3 = 0.48 Erl, c = 4 x 0.2 x 0.3 = 0.24 Erl.
    - `ab` (Berlin, a and b, b at x1.5): 1 agent 24x7 -> 1.00 on duty on average;
    - `c_ber` (Berlin, c): 2 agents on business hours 08:00-17:00 Berlin, Monday-Friday:
      45 h each a week -> 90 agent-hours, 90 / 168 = 0.54 on duty on average;
    - `c_sha` (Shanghai, c and b): 1 agent 08:00-17:00 China time every day: 63 h.
    Skill a alone: 0.48 against ab's 1.00 -> 48 %. b: 0.48 (the fastest holder's effort,
    c_sha's x1) against ab + c_sha = 1 + 63/168 = 1.375 -> 34.9 %. But a and b together:
    0.96 against the same 1.375 -> fine; c: 0.24 against (90 + 63) / 168 = 0.911 -> 26.4 %.
    Short with 0.45 h effort instead: a 0.72 (72 %), b 0.72, {a, b} 1.44 >= 1.375 (104.7 %),
    while the tier as a whole keeps up: 4 x 0.45 = 1.8 < 1.911 agents on duty.
    """
    data: dict[str, Any] = mmc_dict(rate=4.0, mean=0.3, staff=1, horizon="1w", warmup="0h")
    data["start"], data["start_zone"] = "2026-04-13T00:00", "UTC"
    data["sites"] = {
        "berlin": {"timezone": "Europe/Berlin", "business_hours": ["08:00", "17:00"]},
        "shanghai": {"timezone": "Asia/Shanghai", "business_days": EVERY_DAY}}
    data["demand"]["sites"] = {"berlin": 0.5, "shanghai": 0.5}
    data["demand"]["skills"] = {"a": 0.4, "b": 0.4, "c": 0.2}
    data["team"]["tiers"]["l1"] = {"groups": {
        "ab": {"site": "berlin", "skills": ["a", "b"], "effort": {"b": 1.5}, "staff": 1},
        "c_ber": {"site": "berlin", "skills": ["c"], "staff": 2, "hours": "business"},
        "c_sha": {"site": "shanghai", "skills": ["c", "b"], "hours": [
            {"name": "day", "start": "08:00", "end": "17:00", "days": EVERY_DAY,
             "staff": 1}]}}}
    path = tmp_path / "groups.toml"
    ss.Scenario.from_dict(data).to_toml(path)
    return path


def test_check_lists_each_group_on_its_site_clock(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    code, out, _ = cli(capsys, "check", str(layout(tmp_path)))
    assert code == 0
    lines = section(out, "Agent groups")
    rows = {line.split()[1]: line.split() for line in lines[3:]}
    assert lines[2].split() == ["tier", "group", "site", "skills", "staff", "(hours)", "on",
                                "duty", "h/week", "on", "duty"]
    # group, site, skills (with multipliers), staff (hours), agent-hours a week, on duty.
    assert rows["ab"] == ["l1", "ab", "berlin", "a,", "b", "x1.5", "1", "(24x7)", "168.0",
                          "1.00"]
    assert rows["c_ber"][2:] == ["berlin", "c", "2", "(business)", "90.0", "0.54"]
    assert rows["c_sha"][2:] == ["shanghai", "c,", "b", "1", "(day", "1)", "63.0", "0.38"]


def test_check_shows_the_load_per_skill_and_the_short_set(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    path = layout(tmp_path)
    code, out, _ = cli(capsys, "check", str(path))
    assert code == 0
    rows = [line.split() for line in section(out, "Load per skill")[3:]]
    # By hand (docstring of `layout`): a 0.48 / 1.00, b 0.48 / 1.375, c 0.24 / 0.911.
    assert rows == [
        ["l1", "a", "0.48", "Erl", "ab", "1.00", "48.0%"],
        ["l1", "b", "0.48", "Erl", "ab,", "c_sha", "1.38", "34.9%"],
        ["l1", "c", "0.24", "Erl", "c_ber,", "c_sha", "0.91", "26.4%"]]
    assert "short" not in out
    # 1.5 times the effort: a and b each keep up alone, together they outgrow ab and c_sha
    # although the tier as a whole keeps up.
    code, out, err = cli(capsys, "check", str(path), "--set", "work.effort.l1.mean=0.45")
    rows = [line.split() for line in section(out, "Load per skill")[3:]]
    assert rows[0] == ["l1", "a", "0.72", "Erl", "ab", "1.00", "72.0%"]
    assert rows[1] == ["l1", "b", "0.72", "Erl", "ab,", "c_sha", "1.38", "52.4%"]
    assert rows[3] == ["l1", "a,", "b", "1.44", "Erl", "ab,", "c_sha", "1.38", "104.7%", "<-",
                       "short:", "its", "queue", "grows"]
    assert "offered load of skills a, b 1.44 Erlangs >= 1.38 agents" in err


def test_check_without_groups_has_no_group_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "check", str(SCENARIOS / "mmc.toml"))
    assert code == 0 and "Agent groups" not in out and "Load per skill" not in out


def test_skill_shares_follow_the_waves_sites() -> None:
    # The rollout's base demand is headquarters' (Berlin: German and English), its waves
    # go live at the other sites: the expected shares weigh each wave's tickets by its
    # site's languages. Against the simulated tickets' skills, within 4 standard errors
    # of a multinomial share (tickets are drawn independently given their site).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = ss.load_scenario(SCENARIOS / "global_rollout.toml")
        res = ss.simulate(sc, replications=2, seed=4)
    expected = ticket_skill_shares(sc)
    seen = res.tickets["skill"].astype(str).value_counts(normalize=True)
    n = len(res.tickets)
    for skill, share in expected.items():
        se = (share * (1 - share) / n) ** 0.5
        assert abs(seen[skill] - share) < 4 * se, (skill, seen[skill], share)
    assert expected["zh"] > 0.3  # the Chinese wave: none of it in the base demand's mix
