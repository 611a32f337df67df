"""supportsim: simulate IT support organisations to plan their capacity.

The public surface is listed in ``__all__``; see docs/ for the scenario keys and the
result columns.
"""

from supportsim import analysis, analytic, calibrate
from supportsim._errors import CapacityWarning, ScenarioError
from supportsim.breakpoint import BreakingPoints, find_breaking_point
from supportsim.calendar import Calendar
from supportsim.compare import compare
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario, load_scenario
from supportsim.simulate import simulate
from supportsim.sweep import SweepResult, sweep

__version__ = "0.1.0"

__all__ = [
    "BreakingPoints",
    "Calendar",
    "CapacityWarning",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "SweepResult",
    "__version__",
    "analysis",
    "analytic",
    "calibrate",
    "compare",
    "find_breaking_point",
    "load_scenario",
    "simulate",
    "sweep",
]
