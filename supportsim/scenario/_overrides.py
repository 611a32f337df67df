"""Dotted overrides (``team.tiers.l1.staff = 8``) applied to a scenario's data before it
is validated again: tables and list items (by index or ``name``) along the path, and
the staff of a tier or group that works shifts scaled over its shifts."""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel

from supportsim.scenario._override_names import check_names_exist
from supportsim.scenario._schema import KeyedError
from supportsim.scenario._team import scale_roster
from supportsim.scenario._validation import keyed_error


def _scale_shifts(data: dict[str, Any], path: str, value: Any, source: str | None) -> bool:
    """Apply ``team.tiers.T.staff = value`` (or ``team.tiers.T.groups.G.staff``) to a
    tier or group that works shifts by scaling its shifts.

    Returns False, changing nothing, when `path` is not such a staff or `value` is not a
    head count: the override is then set as it is and validated like a file.
    """
    parts = path.split(".")
    if parts[:2] != ["team", "tiers"] or parts[-1] != "staff" or not (
            len(parts) == 4 or (len(parts) == 6 and parts[3] == "groups")):
        return False
    tier: Any = data.get("team", {}).get("tiers", {}).get(parts[2])
    if len(parts) == 6:
        tier = tier.get("groups") if isinstance(tier, dict) else None
        tier = tier.get(parts[4]) if isinstance(tier, dict) else None
    if not isinstance(tier, dict) or not isinstance(tier.get("hours"), list):
        return False
    shifts = tier["hours"]
    counts = [s.get("staff") if isinstance(s, dict) else None for s in shifts]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
               for v in [value, *counts]):
        return False
    try:
        scaled = scale_roster([int(c) for c in counts if c is not None], value)
    except ValueError as exc:
        raise keyed_error(KeyedError(path, f"cannot scale the shifts: {exc}; set each "
                                           f"shift's own staff ({'.'.join(parts[:-1])}"
                                           f".hours.N.staff)", value), source) from None
    for shift, count in zip(shifts, scaled, strict=True):
        shift["staff"] = count
    tier.pop("staff", None)  # the head count is now the shifts' sum
    return True


def _set_dotted(root: type[BaseModel], data: dict[str, Any], path: str, value: Any,
                source: str | None) -> None:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise keyed_error(
            KeyedError(f"override {path!r}", "is not a dotted key such as 'demand.rate'"), source
        )
    check_names_exist(root, data, parts, source)
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _step(node, part, parts[: depth + 1], create=True, source=source)
    last = parts[-1]
    if isinstance(node, list):
        index = _list_index(node, last, parts, source)
        node[index] = copy.deepcopy(value)
    elif isinstance(node, dict):
        node[last] = copy.deepcopy(value)
    else:
        raise keyed_error(KeyedError(".".join(parts[:-1]), "is not a table", node), source)


def _step(node: Any, part: str, walked: list[str], *, create: bool, source: str | None) -> Any:
    if isinstance(node, dict):
        if part not in node and create:
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        return node[_list_index(node, part, walked, source)]
    raise keyed_error(KeyedError(".".join(walked[:-1]), "is not a table", node), source)


def _list_index(items: list[Any], part: str, walked: list[str], source: str | None) -> int:
    if re.fullmatch(r"-?[0-9]+", part) and -len(items) <= int(part) < len(items):
        return int(part)
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    names = [str(i) for i in range(len(items))] + [
        str(item["name"]) for item in items if isinstance(item, dict) and item.get("name")
    ]
    raise keyed_error(
        KeyedError(".".join(walked[:-1]), f"has no item {part!r} (items: {', '.join(names)})"),
        source,
    )
