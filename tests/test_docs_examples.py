"""Every example in README.md and docs/ runs as printed.

Python blocks of a page run in order in one namespace (later blocks use names the earlier
ones made), in a scratch directory that holds the shipped scenarios and the ServiceNow
sample as ``incidents.csv``, so examples that write files write them there. Command-line
examples (lines starting ``supportsim`` or ``$ supportsim``) run through the CLI's
``main`` in the same directory, except lines with placeholders in capitals (``SCENARIO``,
``DIR``): those are templates, and the README's are run with the flagship scenario
instead. A block that cannot run here (it needs a Dask cluster at an address) is preceded
by ``<!-- example: not run (reason) -->``, and the reason is required.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from pathlib import Path

import matplotlib
import pytest

from supportsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SAMPLE = ROOT / "tests" / "data" / "servicenow_incident_events_sample.csv"
SKIP = re.compile(r"<!-- example: not run \((?P<reason>[^)]+)\) -->\s*$")
BLOCK = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\n(?P<body>.*?)^(?P=indent)```$",
                   flags=re.S | re.M)
REMOTE = re.compile(r"\b(tcp|tls|dask)://")
PLACEHOLDER = re.compile(r"(?<![\w.-])[A-Z][A-Z_]{2,}(\.\w+)?\b")


def blocks(page: Path) -> list[tuple[str, str, str | None]]:
    """(language, body, reason it is not run or None) of each fenced block."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.search(before)
        body = textwrap.dedent(match["body"])
        found.append((match["lang"], body, skip["reason"] if skip else None))
    return found


def commands(body: str) -> list[str]:
    """The ``supportsim ...`` command lines of a shell block, continuations joined."""
    lines = body.replace("\\\n", " ").splitlines()
    found = []
    for line in lines:
        line = line.strip().removeprefix("$ ")
        if line.startswith("supportsim "):
            found.append(line.split("  #", 1)[0].split(" # ", 1)[0].strip())
    return found


def refuse_remote(page: Path, code: str) -> None:
    """Never reach for a cluster address from a test: such an example must be marked."""
    found = REMOTE.search(code)
    assert found is None, (f"{page.name}: an example that contacts {found[0]}... needs "
                           "'<!-- example: not run (reason) -->' before its block")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copy(SAMPLE, tmp_path / "incidents.csv")
    monkeypatch.chdir(tmp_path)
    matplotlib.use("Agg")
    return tmp_path


def run_command(line: str) -> int:
    argv = shlex.split(line)[1:]
    # Optional arguments shown in brackets are documentation of the syntax, not input.
    if any(a.startswith("[") for a in argv):
        argv = [a for a in argv if not (a.startswith("[") or a.endswith("]"))]
    return main(argv)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_examples_run_as_printed(page: Path, scratch: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"example_{page.stem}"}
    for lang, body, reason in blocks(page):
        if reason is not None:
            continue
        if lang == "python":
            refuse_remote(page, body)
            exec(compile(body, str(page), "exec"), namespace)
        elif lang in ("", "console", "sh", "bash"):
            for line in commands(body):
                if PLACEHOLDER.search(line) or "..." in line:
                    continue  # a template such as `supportsim run SCENARIO --out DIR`
                refuse_remote(page, line)
                assert run_command(line) == 0, f"{page.name}: {line}"


def test_readme_command_templates_work_on_the_flagship(scratch: Path) -> None:
    # The README's templates with SCENARIO filled in: `run` and `check` with the flagship
    # (which works shifts), shortened in time only (26 weeks at 20 replications would take
    # a minute for nothing more); `breakpoint` with the M/M/c desk, as printed otherwise.
    short = " --set horizon=4w --set warmup=1w"
    ran = set()
    for _, body, _ in blocks(ROOT / "README.md"):
        for line in commands(body):
            command = line.split()[1]
            if (command not in ("run", "check", "breakpoint") or " SCENARIO" not in line
                    or "--out DIR" in line):
                continue
            if command == "breakpoint":
                line = line.replace("SCENARIO", "scenarios/mmc.toml")
            else:
                line = line.replace("SCENARIO", "scenarios/rollout_tiered.toml")
                line += short if command == "run" else ""
            assert run_command(line) == 0, line
            ran.add(command)
    assert ran == {"run", "check", "breakpoint"}


def test_every_skipped_example_says_why() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for marker in re.findall(r"<!-- example:[^>]*-->", text):
            assert SKIP.search(marker), f"{page.name}: {marker} needs 'not run (reason)'"
