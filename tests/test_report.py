"""Rich displays and the HTML report, without a browser (tests/test_report_browser.py
loads the report in Chromium)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.report._display import share
from tests.support import assert_one_line_error

SHORT = {"horizon": "2w", "warmup": "2d"}


@pytest.fixture(scope="module")
def mmc() -> ss.SimulationResult:
    scenario = ss.load_scenario("scenarios/mmc.toml").with_overrides(SHORT)
    return ss.simulate(scenario, replications=3, seed=5, tickets="keep")


@pytest.fixture(scope="module")
def workforce() -> ss.SimulationResult:
    scenario = ss.load_scenario("scenarios/rollout_tiered.toml").with_overrides(
        {"horizon": "3w", "warmup": "1w"})
    return ss.simulate(scenario, replications=2, seed=5, tickets="drop")


# --------------------------------------------------------------------------- reprs


@pytest.mark.parametrize("name", ["mmc", "rollout_tiered", "provider_transition"])
def test_scenario_repr_is_one_short_line(name: str) -> None:
    scenario = ss.load_scenario(f"scenarios/{name}.toml")
    text = repr(scenario)
    assert "\n" not in text and len(text) < 250, text
    assert text.startswith(f"<Scenario {scenario.name!r}")
    assert "l1 " in text and f"scenarios/{name}.toml" in text
    # Not the model dump it used to be (every field of every section).
    assert "Demand(" not in text and "calendar_section" not in text


def test_result_repr_is_two_lines_with_provenance_and_attainment(mmc) -> None:
    lines = repr(mmc).splitlines()
    assert len(lines) == 2
    assert "3 replications" in lines[0] and "seed 5" in lines[0]
    row = mmc.sla().iloc[0]
    assert f"P1 {row.response_attainment:.1%} / {row.resolution_attainment:.1%}" in lines[1]
    assert "Demand(" not in repr(mmc)


def test_sweep_and_breaking_point_reprs() -> None:
    scenario = ss.load_scenario("scenarios/mmc.toml").with_overrides(SHORT)
    sw = ss.sweep(scenario, factors={"team.tiers.l1.staff": [6, 7]}, replications=2,
                  executor=1, progress=False)
    assert repr(sw).startswith("<SweepResult 'M/M/7 single-tier desk': 2 variants")
    assert "\n" not in repr(sw) and "0 failed" in repr(sw)
    html = sw._repr_html_()
    summary = sw.summary()
    for value in summary["response_attainment"]:
        assert f"{value:.1%}" in html
    assert "<script" not in html
    bp = ss.find_breaking_point(scenario, factor="demand.rate", target=0.8,
                                metric="response", replications=2, seed=3)
    value = bp.table["breaking_value"].iloc[0]
    assert f"base {value:.4g}" in repr(bp)
    assert f"{value:.4g}" in bp._repr_html_()


# --------------------------------------------------------------------------- cards


def test_scenario_card_shows_team_workforce_and_load_check() -> None:
    scenario = ss.load_scenario("scenarios/rollout_tiered.toml")
    html = scenario._repr_html_()
    assert "<script" not in html
    assert "l1 13 (6 shifts)" in html and "learning curve" in html
    loads = ss.check(scenario).loads
    for value in loads["offered_load"]:
        assert f">{value:.2f}<" in html  # the analytic load check, per tier
    # A tier whose offered load reaches its agents on duty is flagged.
    over = scenario.with_overrides({"team.tiers.l2.staff": 2})
    assert 'class="overloaded"' in over._repr_html_()
    assert 'class="overloaded"' not in html


def test_result_card_has_sla_intervals_utilisation_and_provenance(mmc) -> None:
    html = mmc._repr_html_()
    row = mmc.sla().iloc[0]
    assert share(row.response_attainment, row.response_attainment_low,
                 row.response_attainment_high) in html
    util = mmc.summary().set_index("metric").loc["utilisation_l1"]
    assert share(util["value"], util["low"], util["high"]) in html
    assert "seed 5" in html and "scenarios/mmc.toml" in html
    assert "<script" not in html
    # Colours come from the notebook: no white or black of its own.
    assert not re.search(r":\s*(#fff|#000|white|black)\b", html, re.IGNORECASE)


# --------------------------------------------------------------------------- report


def _images(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]*)"', html)


def test_report_is_self_contained_and_reproducible(mmc, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    html = mmc.to_html(path)
    assert path.read_text(encoding="utf-8") == html
    images = _images(html)
    assert len(images) == 7 and all(src.startswith("data:image/png;base64,") for src in images)
    # Nothing to fetch: no script, no stylesheet or image by address.
    assert "<script" not in html
    assert not re.search(r'(src|href)="(?!data:)', html)
    assert "@media print" in html and "break-inside: avoid" in html
    assert "A tiered desk answering 20 tickets/h" in html
    assert "supportsim run scenarios/mmc.toml --seed 5 --replications 3" not in html  # edited
    assert "seed = 5" in html and "replications = 3" in html  # the embedded scenario
    assert "Assumptions" in html and "Workforce" not in html and "Costs" not in html


def test_report_command_reruns_an_unchanged_file(tmp_path: Path) -> None:
    scenario = ss.load_scenario("scenarios/mmc.toml")
    result = ss.simulate(scenario.with_overrides(SHORT), replications=2, seed=4,
                         tickets="keep")
    # The result of the file as it is names the file; an edited scenario does not.
    unchanged = ss.SimulationResult(**{**result.__dict__, "scenario": scenario})
    html = ss.report.render_report(unchanged)
    assert "supportsim run scenarios/mmc.toml --seed 4 --replications 2" in html
    assert "ss.load_scenario(&#39;scenarios/mmc.toml&#39;), seed=4, replications=2)" in html
    edited = ss.report.render_report(result)
    assert "ss.load_scenario(&#39;scenario.toml&#39;), seed=4, replications=2)" in edited


def test_report_without_tickets_names_the_figures_left_out(workforce) -> None:
    html = workforce.to_html()
    assert "Left out: wait_distribution: this result has no ticket table" in html
    assert len(_images(html)) < 7
    assert "<h2>Workforce</h2>" in html and "vacancies" in html


def test_report_of_a_comparison_has_the_paired_differences(mmc) -> None:
    variant = ss.simulate(mmc.scenario.with_overrides({"team.tiers.l1.staff": 8}),
                          replications=3, seed=5, tickets="keep")
    html = mmc.to_html(vs={"eight": variant})
    frame = ss.compare(mmc, variant, labels=("base", "eight"))
    row = frame[frame.metric == "response_attainment"].iloc[0]
    assert f"{row.difference * 100:+.1f} pp [{row.low * 100:+.1f}, {row.high * 100:+.1f}]" \
        in html
    assert "<h2>Variant eight</h2>" in html and len(_images(html)) == 8
    other = ss.simulate(variant.scenario, replications=3, seed=6, tickets="keep")
    with pytest.raises(ValueError, match="common random numbers"):
        mmc.to_html(vs={"other seed": other})


# --------------------------------------------------------------------------- CLI


def test_run_report_writes_the_file_with_its_command(capsys, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    code = main(["run", "scenarios/mmc.toml", "-r", "2", "--seed", "3", "--set",
                 'horizon="2w"', "--set", "warmup=2d", "--vs", "eight:team.tiers.l1.staff=8",
                 "--report", str(path)])
    assert code == 0
    assert f"Wrote the report {path}" in capsys.readouterr().out
    html = path.read_text(encoding="utf-8")
    command = re.search(r"Command: <code>([^<]*)</code>", html)
    assert command is not None
    words = shlex.split(command.group(1).replace("&#39;", "'").replace("&#34;", '"'))
    assert words == ["supportsim", "run", "scenarios/mmc.toml", "--seed", "3",
                     "--replications", "2", "--set", 'horizon="2w"', "--set",
                     'warmup="2d"', "--vs", "eight:team.tiers.l1.staff=8"]
    assert len(_images(html)) == 8


def test_run_report_to_a_directory_is_refused_before_simulating(capsys, tmp_path) -> None:
    code = main(["run", "scenarios/mmc.toml", "--report", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 1  # an output error, as for --out
    assert "SLA attainment" not in captured.out  # refused before anything was simulated
    assert_one_line_error(captured.err.splitlines(), [str(tmp_path), "is a directory"])


def test_sweep_report(capsys, tmp_path: Path) -> None:
    path = tmp_path / "sweep.html"
    code = main(["sweep", "scenarios/sweeps/staffing_vs_load.toml", "-r", "2", "-w", "1",
                 "-q", "--set", 'horizon="1w"', "--set", 'warmup="1d"', "--report",
                 str(path)])
    assert code == 0
    html = path.read_text(encoding="utf-8")
    assert "Sweep report" in html and "<script" not in html
    assert "supportsim sweep scenarios/sweeps/staffing_vs_load.toml --seed" in html
    # The load check (header, l1), the peak load (header, busiest hour, day and week),
    # then a header and 18 variants; one priority, so no table per priority.
    assert html.count("<tr>") == 2 + 4 + 1 + 18
    # The heat map over the two factors and the lines; no [costs], so no frontier.
    assert 'id="figure-sweep_heatmap"' in html and 'id="figure-sweep_lines"' in html
    assert len(_images(html)) == 2 and "frontier" not in html


def test_templates_are_package_data() -> None:
    # A wheel ships only what [tool.setuptools.package-data] names: every template must
    # match one of its patterns, or an installed supportsim could not render a report.
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["supportsim"]
    templates = sorted((root / "supportsim" / "report" / "templates").iterdir())
    assert {p.suffix for p in templates} >= {".j2", ".css"}
    for path in templates:
        relative = path.relative_to(root / "supportsim").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


def test_check_result_displays_as_a_card() -> None:
    scenario = ss.load_scenario("scenarios/rollout_tiered.toml").with_overrides(
        {"team.tiers.l2.staff": 2})
    html = ss.check(scenario)._repr_html_()
    assert 'class="ss-card"' in html and 'class="overloaded"' in html
    assert "the queue will grow" in html  # the capacity warning, in words


def test_a_new_result_object_plugs_into_the_displays() -> None:
    from supportsim.report._display import Card, CardDisplay, Table

    class Plan(CardDisplay):
        def _short(self) -> tuple[str, str, list[str]]:
            return "Plan", "rollout", ["cost 1,200", "every target met"]

        def _card(self) -> Card:
            return Card("Plan", "rollout", [("cost", "1,200 <EUR>")],
                        [Table(["tier", "staff"], [["l1", "14"]], "Staffing")])

    assert repr(Plan()) == "<Plan 'rollout': cost 1,200; every target met>"
    html = Plan()._repr_html_()
    assert "<caption>Staffing</caption>" in html and "<td>l1</td>" in html
    assert "1,200 &lt;EUR&gt;" in html  # text is escaped, never markup
