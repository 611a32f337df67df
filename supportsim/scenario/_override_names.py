"""An override may not invent a name by a typo (``team.tiers.l1.groups.englsh.staff``).

A dotted override creates the tables its path needs, so that ``costs.tiers.l1.hourly``
works on a scenario without ``[costs]``. Where a step is a *name* the user chose (a group,
a site, a skill, a priority...) in a table that already lists some, a missing name is far
more often a slip than a new entry with a single key: it is refused with the names there
are and a did-you-mean. A new entry is added whole, as one table
(``team.tiers.l1.groups.spanish = {skills = ["es"], staff = 2}``), which this leaves alone:
the path then ends at the new name.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from supportsim._errors import ScenarioError
from supportsim.scenario._validation import _short_key, _step, closest

__all__ = ["check_names_exist"]

#: The singular of the tables of names, for the message; others say "entry".
_NOUNS = {"groups": "group", "sites": "site", "tiers": "tier", "skills": "skill",
          "priorities": "priority", "channels": "channel", "penalties": "penalty"}
#: Names listed in the message at most.
_LISTED = 12


def check_names_exist(root: type[BaseModel], data: Any, parts: Sequence[str],
                      source: str | None) -> None:
    """Raise a :class:`ScenarioError` if the override path `parts` would create a new
    entry under a name in a table of names (``dict[str, ...]`` in the schema) of `data`
    that already holds entries; the last part may name a new entry (set whole)."""
    candidates: list[Any] = [root]
    node = data
    for depth, part in enumerate(parts[:-1]):
        named = any(typing.get_origin(c) is dict for c in candidates)
        if not isinstance(node, dict):
            return  # a list (items by index or name) or a value: reported elsewhere
        if part not in node:
            if named and node:
                raise _no_such(parts[:depth + 1], list(node), source)
            return  # a section the schema names, or a table still empty: created
        node = node[part]
        candidates, _ = _step(candidates, part)


def _no_such(path: Sequence[str], names: list[str], source: str | None) -> ScenarioError:
    table = path[-2] if len(path) > 1 else "scenario"
    noun = _NOUNS.get(table, "entry")
    close = closest(path[-1], [str(n) for n in names])
    hint = f"; did you mean {close!r}?" if close else ""
    listed = ", ".join(str(n) for n in names[:_LISTED]) + (
        ", …" if len(names) > _LISTED else "")
    key = _short_key(".".join(path))
    where = f" ({source})" if source else ""
    return ScenarioError(
        f"{key}: no such {noun}{hint} ({table}: {listed}); a new {noun} is set as one "
        f"table, {key} = {{...}}{where}")
