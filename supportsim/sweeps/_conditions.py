"""Conditions and decisions among a sweep's factors.

A sweep's factors are of two kinds. A **decision** is what the planner chooses (staff,
structure, a reserve). A **condition** is what the desk faces and nobody chooses (the
ticket rate, the backlog it starts with, the period simulated). Comparing variants
across conditions answers nothing: the variant "best" on waiting time would simply be
the one with the least demand. So :func:`supportsim.frontier` and
:func:`supportsim.select_best` compare variants only within one combination of condition
values, one frontier and one selection per condition.

The rule: a factor is a condition when its key is one of :data:`CONDITION_ROOTS` or lies
under one (``demand.rate``, ``demand.channels.phone.share``, ``initial.backlog``,
``horizon``). Everything else (``team.*``, ``workforce.*``, ``work.*``, ``costs.*`` ...)
is a decision. ``by=`` (``--by KEY`` on the command line) names the conditions instead:
a demand key that is in fact a decision (self-service deflecting tickets), or a team
size that is given; ``by=()`` (``--by none``) compares every variant with every other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from supportsim.sweeps._grid import _short_keys, value_label

__all__ = ["CONDITION_ROOTS", "condition_keys", "condition_labels", "is_condition"]

#: Top-level keys (and the tables under them) that describe what the desk faces.
CONDITION_ROOTS = ("demand", "initial", "horizon", "warmup", "start", "start_zone")


def is_condition(key: str) -> bool:
    """Whether a factor key is a condition by default (:data:`CONDITION_ROOTS`)."""
    return any(key == root or key.startswith(root + ".") for root in CONDITION_ROOTS)


def condition_keys(factors: Sequence[str], by: str | Sequence[str] | None = None,
                   ) -> list[str]:
    """The factors that are conditions, in factor order.

    Parameters
    ----------
    factors : sequence of str
        The sweep's factor keys.
    by : str or sequence of str, optional
        The conditions, named; None: the default rule (:func:`is_condition`); an empty
        sequence: none (every variant is compared with every other).

    Raises
    ------
    ValueError
        `by` names a key that is not a factor of the sweep.
    """
    factors = list(factors)
    if by is None:
        return [k for k in factors if is_condition(k)]
    from supportsim.scenario._validation import closest

    named = [by] if isinstance(by, str) else list(by)
    for index, key in enumerate(named):
        if not isinstance(key, str) or key not in factors:
            close = closest(key, factors) if isinstance(key, str) else None
            hint = "" if close is None else f" (did you mean {close!r}?)"
            raise ValueError(f"by: {key!r} is not a factor of the sweep{hint}; the factors "
                             f"are {', '.join(map(repr, factors)) or 'none'}")
        if key in named[:index]:  # harmless here, but a typo for another key is likelier
            raise ValueError(f"by: {key!r} is given twice: give each condition once")
    return [k for k in factors if k in named]


def condition_labels(factors: Sequence[str], keys: Sequence[str],
                     rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Per row (factor key -> value), its condition as text, e.g. ``"rate=16.0"``.

    Keys are shortened as in variant names (the shortest dotted suffix no other factor
    ends with); ``""`` for every row when there are no condition keys.
    """
    short = dict(zip(factors, _short_keys(list(factors)), strict=True))
    return [" ".join(f"{short[k]}={value_label(row[k])}" for k in keys) for row in rows]
