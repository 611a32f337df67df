"""Sequential drivers beside :func:`supportsim.simulate` (DESIGN section 10): precision on
demand, ``warmup = "auto"``, and selecting the best strategy (Kim & Nelson's KN)."""

from supportsim.sequential._auto_warmup import AUTO_SERIES, AutoWarmupWarning
from supportsim.sequential._driver import simulate_sequentially
from supportsim.sequential._kn import KNOutcome, kn_select
from supportsim.sequential._precision import (
    DEFAULT_MAX_REPLICATIONS,
    PrecisionReport,
    PrecisionTarget,
    PrecisionWarning,
)
from supportsim.sequential._select import Selection, SelectionWarning, select_best
from supportsim.sequential._selection_set import SelectionSet

__all__ = [
    "AUTO_SERIES",
    "DEFAULT_MAX_REPLICATIONS",
    "AutoWarmupWarning",
    "KNOutcome",
    "PrecisionReport",
    "PrecisionTarget",
    "PrecisionWarning",
    "Selection",
    "SelectionSet",
    "SelectionWarning",
    "kn_select",
    "select_best",
    "simulate_sequentially",
]
