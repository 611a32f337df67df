"""The grid of a sweep: variants (factor values x strategy) and tasks (variant x replication).

A variant's identity comes from what it changes, never from where it sits in the grid:
its ``id`` is a short hash of its strategy name and its sorted overrides, so adding a
factor value or reordering strategies leaves every other variant's id and stored results
unchanged. (Random streams do not depend on the variant at all: :mod:`._seeds`.)
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from supportsim._errors import ScenarioError

__all__ = [
    "BASE_STRATEGY",
    "RESERVED_COLUMNS",
    "Task",
    "Variant",
    "build_variants",
    "check_grid",
    "value_label",
]

#: Strategy name of a sweep given no strategies: the base scenario as it is.
BASE_STRATEGY = "base"

#: Table columns that a factor key may not shadow.
RESERVED_COLUMNS = frozenset({"variant", "strategy", "replication", "priority"})

# The sweep's seed and replication count are one for all variants (common random numbers).
_NOT_OVERRIDABLE = {
    "seed": "the sweep seed is one for all variants (common random numbers); pass seed=",
    "replications": "replications are set for the whole sweep; pass replications=",
}

_ID_LENGTH = 12  # hex digits: 48 bits, collisions negligible for any realistic grid


@dataclass(frozen=True)
class Variant:
    """One combination of factor values under one strategy.

    Attributes
    ----------
    id : str
        Hex digest of the strategy name and the sorted overrides (stable across grids).
    name : str
        Readable label, e.g. ``"swarming rate=18 l1.staff=6"``.
    strategy : str
    values : tuple
        The factor values, in factor order.
    overrides : dict
        Every dotted override applied to the base scenario: the strategy's, then the
        factors'.
    """

    id: str
    name: str
    strategy: str
    values: tuple[Any, ...]
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Task:
    """One unit of work: a variant in one replication."""

    variant: Variant
    replication: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.variant.id, self.replication)


def value_label(value: Any) -> str:
    """A compact text form of a factor value (strings bare, the rest as JSON)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, separators=(",", ":"), sort_keys=True)


def variant_id(strategy: str, overrides: Mapping[str, Any]) -> str:
    """The stable id of a variant: a hash of its strategy name and sorted overrides."""
    text = json.dumps({"strategy": strategy, "overrides": sorted(overrides.items())},
                      default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:_ID_LENGTH]


def _short_keys(keys: Sequence[str]) -> list[str]:
    """The shortest dotted suffix of each key that no other key ends with."""
    short = []
    for key in keys:
        parts = key.split(".")
        for size in range(1, len(parts) + 1):
            suffix = ".".join(parts[-size:])
            clashes = [k for k in keys if k != key
                       and (k == suffix or k.endswith("." + suffix))]
            if not clashes:
                break
        short.append(suffix)
    return short


def check_grid(
    factors: Mapping[str, Sequence[Any]],
    strategies: Mapping[str, Mapping[str, Any]],
    source: str | None = None,
) -> None:
    """Check the shape of factors and strategies; raise ScenarioError naming the key.

    Values themselves are checked when each variant's scenario is built.
    """
    where = f" ({source})" if source else ""
    for key, values in factors.items():
        label = f"factors.{key}"
        if not isinstance(key, str) or not key:
            raise ScenarioError(f"factor keys must be dotted keys such as 'demand.rate', "
                                f"got {key!r}{where}")
        if key in _NOT_OVERRIDABLE:
            raise ScenarioError(f"{label} cannot be a factor: {_NOT_OVERRIDABLE[key]}{where}")
        if key in RESERVED_COLUMNS:
            raise ScenarioError(f"{label} cannot be a factor: {key!r} is a column of the "
                                f"sweep table{where}")
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence):
            raise ScenarioError(f"{label} must be a list of values, got {values!r}{where}")
        if not values:
            raise ScenarioError(f"{label} must list at least one value, got []{where}")
        labels = [value_label(v) for v in values]
        repeated = sorted({text for text in labels if labels.count(text) > 1})
        if repeated:
            raise ScenarioError(f"{label} must not repeat a value, got {repeated[0]} "
                                f"twice in {values!r}{where}")
    for name, overrides in strategies.items():
        if not isinstance(name, str) or not name:
            raise ScenarioError(f"strategy names must be non-empty strings, got {name!r}"
                                f"{where}")
        if not isinstance(overrides, Mapping):
            raise ScenarioError(f"strategies.{name} must be a table of dotted keys to "
                                f"values, got {overrides!r}{where}")
        for key in overrides:
            if key in _NOT_OVERRIDABLE:
                raise ScenarioError(f"strategies.{name}.{key} cannot be set by a strategy: "
                                    f"{_NOT_OVERRIDABLE[key]}{where}")
            if key in factors:
                raise ScenarioError(f"strategies.{name}.{key} is also a factor; a key is "
                                    f"either swept or set by a strategy{where}")


def build_variants(
    factors: Mapping[str, Sequence[Any]],
    strategies: Mapping[str, Mapping[str, Any]] | None,
    source: str | None = None,
) -> list[Variant]:
    """Every strategy x combination of factor values, strategies outermost.

    Parameters
    ----------
    factors : mapping of dotted key to list of values
    strategies : mapping of name to overrides, optional
        Without strategies there is one, :data:`BASE_STRATEGY`, with no overrides.
    source : str, optional
        Named in error messages (the sweep file).

    Returns
    -------
    list of Variant
        In grid order; the order only sets the row order of the sweep table.
    """
    named = dict(strategies) if strategies else {BASE_STRATEGY: {}}
    check_grid(factors, named, source)
    keys = list(factors)
    short = _short_keys(keys)
    show_strategy = bool(strategies)
    variants = []
    for strategy, fixed in named.items():
        for values in itertools.product(*(factors[k] for k in keys)):
            overrides = {**dict(fixed), **dict(zip(keys, values, strict=True))}
            parts = [strategy] if show_strategy or not keys else []
            parts += [f"{s}={value_label(v)}" for s, v in zip(short, values, strict=True)]
            variants.append(Variant(id=variant_id(strategy, overrides), name=" ".join(parts),
                                    strategy=strategy, values=tuple(values),
                                    overrides=overrides))
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ScenarioError("two variants print alike; give strategies distinct names and "
                            "factors distinct values" + (f" ({source})" if source else ""))
    return variants
