"""Per-ticket draws in the form the engine reads them: one scalar at a time."""

from __future__ import annotations

from array import array

import numpy as np

__all__ = ["draw_arrays"]


def draw_arrays(rows: np.ndarray, used: bool) -> list[array[float]]:
    """Per-tier draws for scalar reads, converting only rows that can be read.

    NOTE: ``array('d')`` rather than a list: copying the buffer is ~3 x cheaper than
    creating a float object per ticket, and these draws are read at most once per
    ticket (most never). Rows of tiers without a distribution (all NaN) or of
    mechanisms that are off stay empty.
    """
    return [array("d", row.astype(np.float64, copy=False).tobytes())
            if used and not _undefined(row) else array("d") for row in rows]


def _undefined(row: np.ndarray) -> bool:
    # The first element decides for most rows; a row a priority override fills only
    # for its own tickets (work.priorities) may start with NaN and hold draws later.
    return bool(np.isnan(row[:1]).all() and np.isnan(row).all())
