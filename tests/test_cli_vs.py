"""``supportsim run --vs``: variants on common random numbers, and the workforce block."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.simulation import resolve_seed
from tests.support import assert_one_line_error

ROOT = Path(__file__).resolve().parent.parent
MMC = str(ROOT / "scenarios" / "mmc.toml")
GOLIVE = str(ROOT / "scenarios" / "golive_tiered.toml")
# Three replications over two weeks: enough for a paired interval, each run about a second.
SHORT = ["--set", 'horizon="2w"', "--set", 'warmup="2d"']
FAST = [*SHORT, "--replications", "3"]
ATTRITION = 'workforce={attrition={annual_rate=10.0, hiring_lead="1w"}}'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout and the stderr lines of one ``main`` call."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def comparison_rows(out: str, label: str) -> list[list[str]]:
    """The rows of the paired-comparison table printed for variant `label`, split on 2+ spaces."""
    section = out.split(f"Variant {label!r} against the base", 1)[1]
    lines = section.split("Paired comparison", 1)[1].splitlines()
    # The heading takes one or two lines (whether the tickets differ), then the header.
    table = lines[next(i for i, line in enumerate(lines) if line.startswith("  priority")) + 1:]
    rows = []
    for line in table:
        if not line.startswith("  P"):
            break
        rows.append([cell for cell in line.strip().split("  ") if cell.strip()])
    return [[cell.strip() for cell in row] for row in rows]


def mmc_api_results(staff: int = 8) -> tuple[ss.SimulationResult, ss.SimulationResult]:
    """What `run MMC FAST --vs team.tiers.l1.staff=<staff>` simulates, through the API."""
    base = ss.load_scenario(MMC).with_overrides({"horizon": "2w", "warmup": "2d"})
    variant = base.with_overrides({"team.tiers.l1.staff": staff})
    seed = resolve_seed(base, None)
    return (ss.simulate(base, replications=3, seed=seed),
            ss.simulate(variant, replications=3, seed=seed))


# --------------------------------------------------------------------------- --vs


def test_vs_staffing_variant_prints_the_paired_comparison(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "run", MMC, *FAST, "--vs", "team.tiers.l1.staff=8")
    assert code == 0, err
    assert err == []
    # The base report comes first, unchanged.
    assert out.index("SLA attainment (targets") < out.index("Variant 'team.tiers.l1.staff=8'")
    assert "overrides: team.tiers.l1.staff=8" in out
    rows = comparison_rows(out, "team.tiers.l1.staff=8")
    assert [row[:2] for row in rows] == [["P1", "response met"], ["P1", "resolution met"],
                                         ["P1", "mean resolution"], ["P1", "p90 resolution"]]
    # An eighth agent at 5 Erlangs cuts P(wait) from 32 % to about 14 % (Erlang C): on the
    # same tickets the gain is far outside the paired interval.
    response = rows[0]
    assert response[-1] == "variant"
    assert response[4].startswith("+") and "pp [+" in response[4]
    # The printed means are those of ss.compare on the same seed (common random numbers).
    frame = ss.compare(*mmc_api_results(), labels=("base", "v"))
    assert response[2] == f"{frame.loc[0, 'baseline_value']:.1%}"
    assert response[3] == f"{frame.loc[0, 'value']:.1%}"
    assert max(len(line) for line in out.splitlines()) <= 100


def test_vs_heading_says_whether_the_tickets_differ(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Trial defect 13: a variant of demand.rate was headed "on the same tickets". Both
    run on common random numbers (same seed and replications); only a variant that leaves
    the demand alone sees the same tickets, in the console and in the report."""
    report = tmp_path / "r.html"
    code, out, err = cli(capsys, "run", MMC, "--set", "horizon=2d", "--set", "warmup=12h",
                         "-r", "3", "--vs", "busy:demand.rate=24", "--vs",
                         "more:team.tiers.l1.staff=8", "--report", str(report))
    assert code == 0, err
    busy = out.split("Variant 'busy'", 1)[1].split("Variant 'more'", 1)[0]
    more = out.split("Variant 'more'", 1)[1]
    assert "on common random numbers" in busy and "on common random numbers" in more
    assert "the tickets differ: busy changes demand.rate" in busy
    assert "the same tickets" in more and "the same tickets" not in busy
    html = report.read_text(encoding="utf-8")
    assert "the tickets differ: busy changes demand.rate" in html
    assert "Paired comparison more − base on common random numbers: the same tickets" in html
    assert "busy − base on the same tickets" not in html + out


def test_ticket_changes_match_the_generated_streams() -> None:
    """ticket_changes(a, b) is empty exactly when replication r of both draws the same
    tickets (supportsim.demand.generate on one seed), for changes of team, targets,
    goals, warm-up and calendar (same) and of demand, shares and work (different)."""
    import numpy as np

    from supportsim.comparison import ticket_changes
    from supportsim.demand import generate

    base = ss.load_scenario(ROOT / "scenarios" / "rollout_tiered.toml").with_overrides(
        {"horizon": "4w", "warmup": "1w"})
    first = generate(base, 2, 5)
    for overrides in ({"team.tiers.l2.staff": 13}, {"priorities.P1.response": "30min"},
                      {"priorities.P1.goal.response": 0.8}, {"warmup": "2d"},
                      {"calendar.business_hours": ["09:00", "17:00"]},
                      {"demand.rate": 5}, {"demand.growth": 0.05},
                      {"priorities.P1.share": 0.05, "priorities.P3.share": 0.58},
                      {"work.mix.l1": 0.5, "work.mix.l2": 0.3, "work.mix.l3": 0.2}):
        variant = base.with_overrides(overrides)
        other = generate(variant, 2, 5)
        same = (first.arrived_at.shape == other.arrived_at.shape
                and all(np.array_equal(getattr(first, name), getattr(other, name))
                        for name in ("arrived_at", "priority", "channel", "need", "effort")))
        assert (ticket_changes(base, variant) == []) == same, overrides


def test_vs_swarming_on_the_tiered_desk(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", GOLIVE, *SHORT, "-r", "2",
                         "--vs", "team.structure=swarming",
                         "--vs", "swarm30:team.structure=swarming;team.swarm.overhead=0.3")
    assert code == 0, err
    for label in ("team.structure=swarming", "swarm30"):
        rows = comparison_rows(out, label)
        assert [row[0] for row in rows[::4]] == ["P1", "P2", "P3", "P4"]
        assert all(row[-1] in ("base", "variant", "swarm30", "-") for row in rows)
    assert 'overrides: team.structure="swarming", team.swarm.overhead=0.3' in out
    assert out.count("Paired comparison") == 2
    assert "Workforce" not in out  # the shipped scenario has no [workforce]
    assert max(len(line) for line in out.splitlines()) <= 100


def test_vs_out_writes_compare_csv_png_and_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "results"
    code, out, err = cli(capsys, "run", MMC, *FAST, "--out", str(out_dir),
                         "--vs", "eight:team.tiers.l1.staff=8")
    assert code == 0, err
    names = ["capacity.png", "compare_eight.csv", "compare_eight.png", "scenario_eight.toml"]
    for name in names:
        assert (out_dir / name).stat().st_size > 0, name
        assert name in out
    assert (out_dir / "compare_eight.png").read_bytes()[:8] == PNG_SIGNATURE
    written = pd.read_csv(out_dir / "compare_eight.csv")
    expected = ss.compare(*mmc_api_results(), labels=("base", "eight"))
    pd.testing.assert_frame_equal(written.fillna(""), expected.fillna(""),
                                  check_dtype=False, check_categorical=False)
    # The variant's scenario reruns it exactly: same seed and replications as the base.
    rerun = ss.load_scenario(out_dir / "scenario_eight.toml")
    assert rerun.team.tiers["l1"].staff == 8
    assert rerun.seed == ss.load_scenario(out_dir / "scenario.toml").seed


@pytest.mark.parametrize(("vs", "fragments"), [
    ("team.structure", ["--vs", "KEY=VALUE", "team.structure"]),
    ("", ["--vs", "KEY=VALUE"]),
    ("swarm:team.structure=swarming,team.swarm.overhead=0.3", ["--vs", "';', not ','"]),
    ("seed=3", ["--vs", "seed", "common random numbers"]),
    ("base:team.tiers.l1.staff=8", ["--vs", "'base'"]),
    ("team.tiers.l1.stuff=8", ["--vs team.tiers.l1.stuff=8", "did you mean", "'staff'"]),
])
def test_bad_vs_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], vs: str, fragments: list[str]
) -> None:
    code, out, err = cli(capsys, "run", MMC, *FAST, "--vs", vs)
    assert code == 2
    assert out == ""
    assert_one_line_error(err, fragments)


def test_duplicate_vs_labels_are_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *FAST, "--vs", "x:team.tiers.l1.staff=8",
                         "--vs", "x:team.tiers.l1.staff=9")
    assert (code, out, len(err)) == (2, "", 1)
    assert "distinct" in err[0]


def test_a_variants_capacity_warning_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *SHORT, "-r", "2",
                         "--vs", "team.tiers.l1.staff=5")
    assert code == 0
    assert "Variant 'team.tiers.l1.staff=5'" in out
    assert len(err) == 1, err
    assert err[0].startswith("supportsim: warning: --vs team.tiers.l1.staff=5: team.tiers.l1")


# --------------------------------------------------------------------------- workforce


def workforce_block(out: str) -> list[str]:
    block = out.split("Workforce (", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()[1:]


def test_workforce_block_with_attrition(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *FAST, "--set", ATTRITION)
    assert code == 0, err
    rows = {line[2:].split("  ", 1)[0]: line for line in workforce_block(out)}
    # Reserve rows only with a [workforce.reserve]: no block of zeros.
    assert list(rows) == ["agents on duty", "effective FTE", "vacancies", "leavers"]
    scenario = ss.load_scenario(MMC).with_overrides(
        {"horizon": "2w", "warmup": "2d", "workforce": {
            "attrition": {"annual_rate": 10.0, "hiring_lead": "1w"}}})
    summary = ss.simulate(scenario, replications=3).summary().set_index("metric")
    for name, metric in (("agents on duty", "on_duty"), ("vacancies", "vacancies"),
                         ("leavers", "leavers")):
        value, low, high = summary.loc[metric, ["value", "low", "high"]]
        assert f"{value:.1f} [{low:.1f}, {high:.1f}]" in rows[name]
    # 7 agents leaving at 10 a head-year: about 2.7 leavers in two weeks, so seats stand
    # empty for a while.
    assert summary.loc["vacancies", "value"] > 0


def test_workforce_block_lists_the_reserve_when_there_is_one(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "run", MMC, *SHORT, "-r", "2", "--set",
                         "workforce={reserve={fraction=0.3, mode=\"pool\"}}")
    assert code == 0, err
    names = [line[2:].split("  ", 1)[0] for line in workforce_block(out)]
    assert names == ["agents on duty", "effective FTE", "reserve on duty",
                     "reserve activations"]


def test_no_workforce_block_without_workforce(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", MMC, *FAST)
    assert code == 0, err
    assert "Workforce" not in out
    assert "effective FTE" not in out


@pytest.mark.parametrize("text", [
    "swarm30:team.structure=swarming;team.swarm.overhead=0.3",
    "team.structure=swarming;team.swarm.overhead=0.3",
    'mix:work.mix={ l1 = 0.5, l2 = 0.5 };team.structure="swarming"',
])
def test_vs_and_strategy_read_a_variant_alike(text: str) -> None:
    # One syntax for one idea: run --vs and breakpoint --strategy share the parser.
    from supportsim.cli.breakpoint import _strategy
    from supportsim.cli.run import _variant

    assert _variant(text) == _strategy(text)
    label, overrides = _variant(text)
    assert overrides["team.structure"] == "swarming"
    assert label == (text.split(":")[0] if ":" in text.split("=")[0] else text)
