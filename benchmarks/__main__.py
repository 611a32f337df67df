"""Run the benchmarks: ``python -m benchmarks [--quick] [--only NAME] [--repeat N] [--profile]``.

Prints a Markdown table on stdout (progress on stderr) and writes ``latest.json`` and
``latest.md`` to ``benchmarks/results/`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import (
    _common,
    analysis,
    core,
    flagship,
    memory,
    planning,
    routing,
    scaling,
    sweep,
    workforce,
)
from benchmarks._common import Row, say

FAMILIES: dict[str, Callable[[bool], list[Row]]] = {
    "core": core.run,
    "memory": memory.run,
    "scaling": scaling.run,
    "analysis": analysis.run,
    "flagship": flagship.run,
    "workforce": workforce.run,
    "routing": routing.run,
    "sweep": sweep.run,
    "planning": planning.run,
}
PROFILES: dict[str, Callable[[bool], str]] = {
    "core": core.profile_engine,
    "flagship": flagship.profile_engine,
}
RESULTS = Path(__file__).resolve().parent / "results"


def _number(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def markdown(rows: Sequence[Row]) -> str:
    """The results as one Markdown table."""
    lines = ["| family | case | value | unit | ratio | target | met |",
             "|---|---|---:|---|---:|---|---|"]
    for r in rows:
        targets = "; ".join(str(t) for t in r.targets)
        ratio = "" if r.ratio is None else _number(r.ratio)
        lines.append(f"| {r.family} | {r.case} | {_number(r.value)} | {r.unit} | {ratio} "
                     f"| {targets} | {r.status()} |")
    return "\n".join(lines) + "\n"


def _environment(args: argparse.Namespace, families: list[str]) -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in ("supportsim", "simpy", "numpy", "pandas", "ciw"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": args.quick,
        "repeat": _common.REPEAT,
        "families": families,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],  # 1, 5, 15 min, at the end
        "versions": versions,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--only", action="append", choices=list(FAMILIES), metavar="NAME",
                        help=f"run only this family (repeatable): {', '.join(FAMILIES)}")
    parser.add_argument("--repeat", type=int, default=_common.REPEAT, metavar="N",
                        help="repetitions per timing, best kept (default: %(default)s)")
    parser.add_argument("--profile", nargs="?", const="all", choices=[*PROFILES, "all"],
                        metavar="WHAT",
                        help="also print a cProfile (top 15 by tottime) of the engine on the "
                        "core M/M/10 workload, the flagship rollout_tiered, or all "
                        "(default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="directory for latest.json and latest.md (default: %(default)s)")
    args = parser.parse_args(argv)

    families = args.only or list(FAMILIES)
    _common.REPEAT = max(args.repeat, 1)
    started = time.perf_counter()
    rows: list[Row] = []
    for name in families:
        rows += FAMILIES[name](args.quick)
    meta = _environment(args, families)
    meta["seconds"] = round(time.perf_counter() - started, 1)

    table = markdown(rows)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v)
    header = (f"# supportsim benchmarks\n\n{meta['date']}{' (quick)' if args.quick else ''}, "
              f"Python {meta['python']}, {versions}; {meta['cpus']} CPUs, {meta['platform']}; "
              f"{meta['seconds']} s; load average {meta['load_average'][0]} at the end "
              "(timings are noisy when it exceeds the CPUs).\n\n")
    (args.out / "latest.md").write_text(header + table, encoding="utf-8")
    payload = {"meta": meta, "rows": [r.as_dict() for r in rows]}
    (args.out / "latest.json").write_text(json.dumps(payload, indent=2) + "\n",
                                          encoding="utf-8")
    say(f"wrote {args.out / 'latest.md'} and latest.json ({meta['seconds']} s)")
    if args.profile:
        for name, profile in PROFILES.items():
            if args.profile in (name, "all"):
                print(f"## cProfile: {name} engine\n")
                print(profile(args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
