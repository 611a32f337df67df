"""supportsim: simulate IT support organisations to plan their capacity.

The public surface is listed in ``__all__``; see docs/ for the scenario keys and the
result columns.
"""

from typing import TYPE_CHECKING, Any

from supportsim import analysis, analytic
from supportsim._errors import CapacityWarning, ScenarioError
from supportsim.breakpoint import BreakingPoints, find_breaking_point
from supportsim.calendar import Calendar
from supportsim.compare import compare
from supportsim.results import SimulationResult
from supportsim.scenario import Scenario, load_scenario
from supportsim.simulate import simulate
from supportsim.sweep import SweepResult, sweep

if TYPE_CHECKING:
    from supportsim import calibrate

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # ss.calibrate pulls in scipy.stats and its figures: load it on first use only, so
    # `import supportsim` (and every CLI call) stays quick.
    if name == "calibrate":
        import importlib

        return importlib.import_module("supportsim.calibrate")
    raise AttributeError(f"module 'supportsim' has no attribute {name!r}")

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
