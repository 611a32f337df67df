"""A value as a message or a heading shows it: dates and times as TOML writes them.

``got 2026-01-01``, not ``got datetime.date(2026, 1, 1)``; an override line
``sites.copenhagen.holidays.dates=[2026-12-24]``. Text and numbers keep their ``repr``
(quoted text, so that an empty or padded string is visible), and so do the lists and
tables around them: a message that showed no date reads as it did.
"""

from __future__ import annotations

import datetime
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
