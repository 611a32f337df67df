"""supportsim: simulate IT support organisations to plan their capacity.

The public surface is listed in ``__all__``; see docs/ for the scenario keys and the
result columns.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supportsim import analysis, analytic, calibrate, plot, report
    from supportsim._errors import CapacityWarning, ScenarioError
    from supportsim.breakpoint import BreakingPoints, find_breaking_point
    from supportsim.calendar import Calendar
    from supportsim.capacity import CheckResult, check
    from supportsim.comparison import compare
    from supportsim.curve import demand_curve
    from supportsim.pareto import frontier
    from supportsim.planning import Plan, Roster, plan, roster, staffing_curve
    from supportsim.results import SimulationResult
    from supportsim.scenario import Scenario, load_scenario
    from supportsim.sequential import (
        AutoWarmupWarning,
        PrecisionWarning,
        Selection,
        SelectionSet,
        SelectionWarning,
        select_best,
    )
    from supportsim.simulation import simulate
    from supportsim.sweeps import (
        SweepError,
        SweepFailureWarning,
        SweepResult,
        load_sweep,
        sweep,
    )

__version__ = "0.2.0.dev0"

# NOTE: every public name is imported on first use (PEP 562), so `import supportsim` and
# the command line's --help and --version do not pay for pandas, scipy and pyarrow.
_LAZY = {
    "AutoWarmupWarning": "supportsim.sequential",
    "BreakingPoints": "supportsim.breakpoint",
    "Calendar": "supportsim.calendar",
    "CapacityWarning": "supportsim._errors",
    "CheckResult": "supportsim.capacity",
    "Plan": "supportsim.planning",
    "PrecisionWarning": "supportsim.sequential",
    "Roster": "supportsim.planning",
    "Scenario": "supportsim.scenario",
    "ScenarioError": "supportsim._errors",
    "Selection": "supportsim.sequential",
    "SelectionSet": "supportsim.sequential",
    "SelectionWarning": "supportsim.sequential",
    "SimulationResult": "supportsim.results",
    "SweepError": "supportsim.sweeps",
    "SweepFailureWarning": "supportsim.sweeps",
    "SweepResult": "supportsim.sweeps",
    "check": "supportsim.capacity",
    "compare": "supportsim.comparison",
    "demand_curve": "supportsim.curve",
    "find_breaking_point": "supportsim.breakpoint",
    "frontier": "supportsim.pareto",
    "load_scenario": "supportsim.scenario",
    "load_sweep": "supportsim.sweeps",
    "plan": "supportsim.planning",
    "roster": "supportsim.planning",
    "select_best": "supportsim.sequential",
    "simulate": "supportsim.simulation",
    "staffing_curve": "supportsim.planning",
    "sweep": "supportsim.sweeps",
}
_SUBPACKAGES = ("analysis", "analytic", "calibrate", "plot", "report")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"supportsim.{name}")
    else:
        raise AttributeError(f"module 'supportsim' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AutoWarmupWarning",
    "BreakingPoints",
    "Calendar",
    "CapacityWarning",
    "CheckResult",
    "Plan",
    "PrecisionWarning",
    "Roster",
    "Scenario",
    "ScenarioError",
    "Selection",
    "SelectionSet",
    "SelectionWarning",
    "SimulationResult",
    "SweepError",
    "SweepFailureWarning",
    "SweepResult",
    "__version__",
    "analysis",
    "analytic",
    "calibrate",
    "check",
    "compare",
    "demand_curve",
    "find_breaking_point",
    "frontier",
    "load_scenario",
    "load_sweep",
    "plan",
    "plot",
    "report",
    "roster",
    "select_best",
    "simulate",
    "staffing_curve",
    "sweep",
]
