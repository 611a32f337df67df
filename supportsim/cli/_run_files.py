"""The files of ``supportsim run --out``: tables, figures and the scenario as run, and
each ``--vs`` variant's comparison."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim.cli._common import _OutputError
from supportsim.cli._vs_blocks import BASE

if TYPE_CHECKING:
    import pandas as pd



def _slug(label: str) -> str:
    """A file-name-safe form of a label: ``team.structure=swarming`` ->
    ``team.structure_swarming``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_.") or "variant"


def _headless() -> None:
    import matplotlib

    # A headless backend for the command line, but never switch one a session (a
    # notebook calling main) has already chosen through pyplot.
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")


def _write_outputs(result: Any, directory: Path,
                   window: tuple[float, float] | None = None) -> list[Path]:
    _headless()
    from supportsim.plot import save_figures
    from supportsim.report._document import reproducible

    try:
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / name for name in ("tickets.parquet", "sla.csv", "summary.csv",
                                               "scenario.toml", "abandonment.csv")]
        result.tickets.to_parquet(paths[0], index=False)
        result.sla(window=window).to_csv(paths[1], index=False)
        result.summary().to_csv(paths[2], index=False)
        reproducible(result).to_toml(paths[3])
        if result.scenario.costs is not None:
            paths.append(directory / "costs.csv")
            result.costs().to_csv(paths[-1], index=False)
        result.abandonment(window=window).to_csv(paths[4], index=False)
        verdicts = result.verdicts(window=window)
        if not verdicts.empty:
            paths.append(directory / "verdicts.csv")
            verdicts.to_csv(paths[-1], index=False)
        return paths + save_figures(result, directory)
    except OSError as exc:
        raise _OutputError(f"cannot write results to {directory}: {exc.strerror or exc}") from exc


def _write_comparison(base: Any, variant: Any, label: str, slug: str, frame: pd.DataFrame,
                      directory: Path) -> list[Path]:
    _headless()
    from supportsim.plot import comparison
    from supportsim.report._document import reproducible

    paths = [directory / f"compare_{slug}.csv", directory / f"compare_{slug}.png",
             directory / f"scenario_{slug}.toml"]
    try:
        frame.to_csv(paths[0], index=False)
        comparison(base, variant, labels=(BASE, label)).savefig(paths[1], dpi=150)
        reproducible(variant).to_toml(paths[2])
    except OSError as exc:
        raise _OutputError(f"cannot write results to {directory}: {exc.strerror or exc}") from exc
    return paths
