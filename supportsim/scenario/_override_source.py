"""What an override's error names as its source: ``(--set horizon="1w", on mmc.toml)``.

A scenario loaded from a file is valid, so a rule broken after
:meth:`~supportsim.Scenario.with_overrides` is broken by the overrides (alone or with the
file's other keys): the message names them, and the command-line option that gave them,
rather than blaming the file. Errors of a file loaded as it is keep ``(mmc.toml)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from supportsim._errors import ScenarioError
from supportsim.scenario._validation import _short_key, cut
from supportsim.scenario._written import written_toml

#: How overrides are named in messages: "override" (the API), or the option ("--set").
_ORIGIN: ContextVar[str] = ContextVar("supportsim_override_origin", default="override")
#: Overrides named in a message; more are counted ("and 2 more").
_MAX_NAMED = 3


#: Per key, the option's value as the user typed it (``--decide KEY=5:9`` for the 5 tried).
_WRITTEN: ContextVar[Mapping[str, str] | None] = ContextVar("supportsim_override_written",
                                                            default=None)


@contextmanager
def override_origin(option: str, written: Mapping[str, str] | None = None
                    ) -> Iterator[None]:
    """Name the overrides applied inside as given by `option` (e.g. ``"--set"``); a key
    in `written` is quoted with that text, as typed, rather than the value applied (a
    ``--decide`` range is checked at each end)."""
    token = _ORIGIN.set(option)
    quoted = _WRITTEN.set(written)
    try:
        yield
    finally:
        _WRITTEN.reset(quoted)
        _ORIGIN.reset(token)


def _item(key: str, value: Any) -> str:
    # Cut like a "got" value: a 10,000-character key or value is not repeated whole.
    typed = (_WRITTEN.get() or {}).get(key)
    if typed is not None:  # the option as typed (--decide KEY=LOW:HIGH)
        return f"{_short_key(key)}={_short_key(typed)}"
    # The value as TOML, as typed after --set (not a Python repr).
    return f"{_short_key(key)}={cut(written_toml(value))}"


def override_source(source: str | None, overrides: Mapping[str, Any]) -> str:
    """``--set horizon="1w", on mmc.toml`` / ``overrides a=1, b=2, on mmc.toml``: what an
    error after `overrides` names in place of the file `source` (None: from a dict)."""
    option = _ORIGIN.get()
    items = [_item(str(k), v) for k, v in list(overrides.items())[:_MAX_NAMED]]
    more = len(overrides) - _MAX_NAMED
    if option.startswith("-"):  # a command-line option, repeated as typed
        text = " ".join(f"{option} {item}" for item in items)
    else:
        text = f"{option}{'s' if len(overrides) > 1 else ''} " + ", ".join(items)
    if more > 0:
        text += f" and {more} more"
    return text + (f", on {source}" if source else "")


def relabel(error: ScenarioError, source: str | None, where: str) -> ScenarioError:
    """`error` (raised validating a file's data) with its source `source` replaced by
    `where` (:func:`override_source`)."""
    text = str(error)
    # Scenario.from_dict ends a message with " (SOURCE)", or " (scenario SOURCE)" after
    # a backlog file's own place.
    for suffix in (f" ({source})", f" (scenario {source})") if source else ():
        if text.endswith(suffix):
            text = text.removesuffix(suffix)
            break
    return ScenarioError(f"{text} ({where})")
