"""A value as a message or a heading shows it: dates and times as TOML writes them.

``got 2026-01-01``, not ``got datetime.date(2026, 1, 1)``; an override line
``sites.copenhagen.holidays.dates=[2026-12-24]``. Text and numbers keep their ``repr``
(quoted text, so that an empty or padded string is visible), and so do the lists and
tables around them: a message that showed no date reads as it did.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from typing import Any


def written(value: Any) -> str:
    """`value` as shown in a message: ``repr``, except dates, times and date-times (at any
    depth of lists, tuples and tables) in their TOML form, and numpy scalars as the plain
    number they hold (``0``, not ``np.int64(0)``)."""
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(written(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(written(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {written(v)}" for k, v in value.items()) + "}"
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        return written(value.item())  # a numpy scalar; numpy is not imported for this
    return repr(value)


#: A key TOML writes bare; any other is quoted.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: Escapes of a TOML basic string; other control characters are written ``\uXXXX``.
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _toml_string(text: str) -> str:
    return '"' + "".join(
        _ESCAPES.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
        for c in text) + '"'


def toml_inline(value: Any) -> str:
    """`value` as a one-line TOML value, read back by ``--set KEY=VALUE`` as the same value.

    Tables are inline tables (``{share = 0.35, patience = "8min"}``), lists and tuples
    arrays, text a basic string (``"8min"``, escapes included, never a line break), dates
    and times as TOML writes them, numbers and booleans as TOML literals (``inf``,
    ``true``); numpy scalars as the number they hold.

    Raises
    ------
    TypeError
        A value TOML cannot hold (None, an object): shown wrong, a command would not
        reproduce.
    """
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        value = value.item()  # before the float branch: np.float64 is a float
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # "0.35", "1e-05": both TOML floats, read back exactly
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_inline(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(
            f"{k if _BARE_KEY.fullmatch(str(k)) else _toml_string(str(k))} = {toml_inline(v)}"
            for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as a TOML value")


def written_toml(value: Any) -> str:
    """`value` as an override line shows it (``phone={share = 0.35, patience = "8min"}``):
    :func:`toml_inline`, or ``repr`` for a value TOML cannot hold (``None`` given to the
    API), which an error must still be able to name."""
    try:
        return toml_inline(value)
    except TypeError:
        return written(value)
