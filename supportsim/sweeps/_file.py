"""Sweep files: a base scenario, replications, factors and strategies in TOML.

::

    base = "../mmc.toml"              # relative to this file
    replications = 10
    seed = 7                          # optional; default: the base scenario's

    [factors]                         # dotted key -> list of values; the grid is the product
    "demand.rate" = [16.0, 20.0, 24.0]
    "team.tiers.l1.staff" = [6, 7, 8]

    [strategies.fifo]                 # optional; each is crossed with the factor grid
    "team.discipline" = "fifo"
    [strategies.priority]
    "team.discipline" = "priority"

Quoted dotted keys are the documented form. Unquoted ones (``demand.rate = [...]``) mean
the same, because TOML reads them as nested tables and those are walked down to their
leaves; a quoted key whose value is a table (``"work.mix" = { l1 = 1.0 }``) replaces that
whole table, while nested tables set the keys inside one by one.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportsim._errors import ScenarioError
from supportsim.scenario import Scenario, load_scenario
from supportsim.scenario._toml import read_toml
from supportsim.scenario._validation import shown
from supportsim.sweeps._grid import build_variants

__all__ = ["SweepFile", "load_sweep"]

_KEYS = ("base", "replications", "seed", "factors", "strategies", "name")


@dataclass(frozen=True)
class SweepFile:
    """A loaded sweep file; :meth:`run` passes it to :func:`supportsim.sweep`.

    Attributes
    ----------
    path : Path
    name : str
        The file's ``name``, else its stem.
    base : Scenario
    replications : int
    factors : dict
        Dotted key -> list of values.
    strategies : dict or None
        Name -> dotted overrides; None when the file has no ``[strategies]``.
    seed : int or None
    """

    path: Path
    name: str
    base: Scenario = field(repr=False)
    replications: int
    factors: dict[str, list[Any]]
    strategies: dict[str, dict[str, Any]] | None
    seed: int | None = None

    def run(self, **kwargs: Any) -> Any:
        """``sweep(base, factors, strategies, replications=..., seed=..., **kwargs)``;
        `kwargs` may override the file's replications and seed."""
        from supportsim.sweeps._run import sweep

        kwargs.setdefault("seed", self.seed)
        kwargs.setdefault("replications", self.replications)
        return sweep(self.base, factors=self.factors, strategies=self.strategies, **kwargs)


def _fail(key: str, rule: str, value: Any, path: Path) -> ScenarioError:
    return ScenarioError(f"{key} {rule}, got {shown(value)} ({path})")


def _flatten(table: Mapping[str, Any], prefix: str, is_leaf: Any) -> dict[str, Any]:
    """Walk nested tables down to leaves; a key containing a dot is a leaf as written."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if "." in key or is_leaf(value):
            out[path] = value
        else:
            out.update(_flatten(value, f"{path}.", is_leaf))
    return out


def _factors(raw: Any, path: Path) -> dict[str, list[Any]]:
    if not isinstance(raw, Mapping):
        raise _fail("factors", "must be a table of dotted keys to lists of values", raw, path)
    flat = _flatten(raw, "", lambda v: not isinstance(v, Mapping))
    for key, values in flat.items():
        if not isinstance(values, list):
            raise _fail(f"factors.{key}", "must be a list of values", values, path)
        if not values:
            raise _fail(f"factors.{key}", "must list at least one value", values, path)
    return flat


def _strategies(raw: Any, path: Path) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, Mapping) or not raw:
        raise _fail("strategies", "must be a table of [strategies.NAME] override tables",
                    raw, path)
    out = {}
    for name, overrides in raw.items():
        if not isinstance(overrides, Mapping):
            raise _fail(f"strategies.{name}", "must be a table of dotted keys to values",
                        overrides, path)
        out[name] = _flatten(overrides, "", lambda v: not isinstance(v, Mapping))
    return out


def _count(data: Mapping[str, Any], key: str, minimum: int, path: Path) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(key, f"must be an integer >= {minimum}", value, path)
    return value


def load_sweep(path: str | Path) -> SweepFile:
    """Read and check a sweep file.

    The base scenario and the first variant of each strategy are validated here, so a
    misspelt key is an error now rather than a failure of every task; other variants are
    validated by their tasks (a failing one is reported, the rest still run).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    SweepFile

    Raises
    ------
    ScenarioError
        Naming the key, the rule, the value and the file.
    """
    path = Path(path)
    data = read_toml(path, "sweep file")
    if "base" not in data and {"demand", "priorities", "work", "team"} & set(data):
        raise ScenarioError(f"{path} is a scenario file, not a sweep file: run it with "
                            f"'supportsim run {path}', or name it as `base` in a sweep "
                            "file (docs/sweeps.md)")
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _fail(key, f"is not a sweep file key{hint}; keys: {', '.join(_KEYS)}",
                        data[key], path)
    base_ref = data.get("base")
    if not isinstance(base_ref, str) or not base_ref:
        raise _fail("base", "must name the base scenario file, relative to the sweep file",
                    base_ref, path)
    base_path = Path(os.path.normpath(path.parent / base_ref))
    if not base_path.is_file():
        raise _fail("base", f"must name an existing scenario file ({base_path} not found)",
                    base_ref, path)
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        raise _fail("name", "must be a string", name, path)
    factors = _factors(data.get("factors", {}), path)
    strategies = _strategies(data["strategies"], path) if "strategies" in data else None
    seed = _count(data, "seed", 0, path)
    # Loading and overriding never warn about capacity (that is for simulate and check).
    base = load_scenario(base_path)
    replications = _count(data, "replications", 1, path) or base.replications
    variants = build_variants(factors, strategies, str(path))
    checker = Scenario.from_dict(base.to_dict(), source=str(path))
    checked: set[str] = set()
    for variant in variants:
        if variant.strategy not in checked:
            checked.add(variant.strategy)
            try:
                checker.with_overrides(variant.overrides)
            except ScenarioError as exc:
                raise ScenarioError(f"variant {variant.name!r}: {exc}") from None
    return SweepFile(path=path, name=name, base=base, replications=replications,
                     factors=factors, strategies=strategies, seed=seed)
