"""The documentation matches the code: scenario keys, result columns, README, links."""

from __future__ import annotations

import re
import runpy
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import supportsim as ss
from supportsim._reference import FALLBACK, scenario_reference

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REGENERATE = "run `python -m supportsim._reference > docs/scenario.md`"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CHANGES.md", *sorted(DOCS.glob("*.md"))]


# ---------------------------------------------------------------- scenario keys


def test_scenario_reference_is_up_to_date() -> None:
    assert read(DOCS / "scenario.md") == scenario_reference(), (
        f"docs/scenario.md differs from the schema: {REGENERATE}")


@pytest.mark.filterwarnings("ignore:'supportsim._reference' found in sys.modules")
def test_reference_module_writes_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    # What `python -m supportsim._reference` prints.
    runpy.run_module("supportsim._reference", run_name="__main__")
    assert capsys.readouterr().out == scenario_reference()


def _models(annotation: Any, suffix: str = "") -> Iterator[tuple[type[BaseModel], str]]:
    """Section models inside a field annotation, with the path segment that leads to them."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, suffix
    elif origin is typing.Annotated:
        yield from _models(args[0], suffix)
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _models(arg, suffix)
    elif origin is dict:
        place = ".lN" if typing.get_origin(args[0]) is typing.Literal else ".NAME"
        yield from _models(args[1], suffix + place)
    elif origin is tuple:
        yield from _models(args[0], suffix + ".N")


def schema_keys(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted key, "Model.field", field) of every key the schema defines."""
    for attr, field in model.model_fields.items():
        key = f"{prefix}{field.alias or attr}"
        yield key, f"{model.__name__}.{attr}", field
        for sub, suffix in _models(field.annotation):
            yield from schema_keys(sub, f"{key}{suffix}.")


def test_every_schema_key_is_in_the_reference() -> None:
    doc = read(DOCS / "scenario.md")
    missing = [key for key, _, _ in schema_keys(ss.Scenario)
               if not re.search(re.escape(key) + r"(\.(NAME|lN|N))?(?![\w.])", doc)]
    assert not missing, f"keys missing from docs/scenario.md: {missing}; {REGENERATE}"


def test_every_leaf_key_has_a_description() -> None:
    # New keys need `description=` on their pydantic Field (preferred) or an entry in
    # supportsim._reference.FALLBACK.
    undescribed = [name for _, name, field in schema_keys(ss.Scenario)
                   if not field.description and name not in FALLBACK
                   and not any(True for _ in _models(field.annotation))]
    assert not undescribed, f"add description= to these schema fields: {undescribed}"


def test_fallback_descriptions_name_existing_fields() -> None:
    names = {name for _, name, _ in schema_keys(ss.Scenario)}
    assert not set(FALLBACK) - names, "supportsim._reference.FALLBACK names unknown fields"


# ---------------------------------------------------------------- result columns


def tiny_result() -> ss.SimulationResult:
    return ss.simulate(ss.Scenario.from_dict({
        "horizon": "2d", "warmup": "6h", "seed": 1,
        "demand": {"rate": 3.0, "channels": {"phone": {"share": 0.5, "patience": "20min"},
                                             "portal": {"share": 0.5}}},
        "priorities": {"P1": {"share": 0.3, "response": "15min", "resolution": "4h"},
                       "P2": {"share": 0.7, "response": "1h", "resolution": "8h",
                              "clock": "business"}},
        "work": {"mix": {"l1": 0.7, "l2": 0.3},
                 "effort": {"l1": {"mean": "15min"}, "l2": {"mean": "1h"}},
                 "triage": {"l1": {"mean": "5min"}}},
        "team": {"tiers": {"l1": {"staff": 3}, "l2": {"staff": 4, "hours": "business"}}},
    }), replications=2)


def documented(name: str, scenario: ss.Scenario) -> str:
    """A column or metric name as the docs write it: tiers as lN, priorities as NAME."""
    name = re.sub(r"_l[123]$", "_lN", name)
    for priority in scenario.priority_names:
        name = re.sub(rf"_{re.escape(priority)}$", "_NAME", name)
    return name


def sections(text: str) -> dict[str, str]:
    """Level-2 sections of a Markdown text by heading."""
    parts = re.split(r"^## (.*)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_result_column_is_documented_in_its_section() -> None:
    res = tiny_result()
    doc = sections(read(DOCS / "results.md"))
    tables = {"`res.tickets`": [res.tickets], "`res.staff`": [res.staff],
              "`res.timeline`": [res.timeline], "`res.events`": [res.events],
              "`res.sla()`": [res.sla(), res.attainment(), res.utilisation()],
              "`res.summary()`": [res.summary()],
              "`res.verdicts()`": [res.verdicts(0.9)],
              "`res.abandonment()`": [res.abandonment(), res.abandonment_counts],
              "`ss.check(scenario)`": [ss.check(res.scenario).peaks]}
    missing = [f"{section}: {column}" for section, frames in tables.items()
               for frame in frames for column in frame.columns
               if f"`{documented(str(column), res.scenario)}`" not in doc.get(section, "")]
    metrics = {documented(m, res.scenario) for m in res.summary()["metric"]}
    missing += [f"summary() metric: {m}" for m in sorted(metrics)
                if f"`{m}`" not in doc.get("`res.summary()`", "")]
    assert not missing, f"document these in docs/results.md: {missing}"


# ---------------------------------------------------------------- README


def code_blocks(text: str, language: str = "") -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.S | re.M)


def test_readme_opens_with_make_test_and_make_demo() -> None:
    text = read(ROOT / "README.md")
    head = text.split("```", 1)[0].strip().split("\n\n")
    assert head[0].startswith("# ") and len(head) == 2, (
        "README: the title and one paragraph come before the first code block")
    assert code_blocks(text)[0] == "make test\nmake demo\n"


def test_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    example = code_blocks(read(ROOT / "README.md"), "python")[0]
    monkeypatch.chdir(ROOT)
    exec(compile(example, "README.md", "exec"), {"__name__": "readme"})
    assert "resolution_attainment" in capsys.readouterr().out


# ---------------------------------------------------------------- links and references


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.name)
def test_relative_links_point_to_existing_files(path: Path) -> None:
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", read(path)):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md":
            headings = re.findall(r"^#+ (.*)$", read(dest), flags=re.M)
            if anchor not in {slug(h) for h in headings}:
                broken.append(target)
    assert not broken, f"{path.name}: broken links {broken}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.name)
def test_cited_tests_exist(path: Path) -> None:
    missing = []
    for file, name in re.findall(r"(tests/\w+\.py)::(\w+)", read(path)):
        source = ROOT / file
        if not source.exists() or not re.search(rf"^def {name}\(", read(source), flags=re.M):
            missing.append(f"{file}::{name}")
    assert not missing, f"{path.name} cites tests that do not exist: {missing}"


# ---------------------------------------------------------------- docs examples


def test_analysis_breakpoint_example_finds_a_breaking_point(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The example must show what the feature is for: a real breaking point, found fast.
    block = code_blocks(sections(read(DOCS / "analysis.md"))["Breaking points"], "python")[0]
    monkeypatch.chdir(ROOT)
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict[str, Any] = {"__name__": "analysis_md"}
    exec(compile(block, "docs/analysis.md", "exec"), namespace)
    table = namespace["bp"].table.set_index("strategy")
    assert (table["status"] == "crossed").all(), table
    # The text's numbers: 7 agents today, 8 at 24 calls/h, as Erlang C.
    assert table["breaking_value"].to_dict() == {"today": 7.0, "busier": 8.0}
    assert (table["erlang_c_estimate"] == table["breaking_value"]).all()
    assert (table["low"] <= table["breaking_value"]).all()
    assert (table["breaking_value"] <= table["high"]).all()
