"""Sweeps: many variants x replications as independent tasks, on any executor, resumable.

See docs/sweeps.md. :func:`sweep` runs a grid in Python; ``supportsim sweep SWEEP.toml``
runs a sweep file (:func:`load_sweep`) from the command line.
"""

from supportsim.sweeps._executors import SweepError
from supportsim.sweeps._file import SweepFile, load_sweep
from supportsim.sweeps._result import SweepResult
from supportsim.sweeps._run import SweepFailureWarning, sweep
from supportsim.sweeps._seeds import TaskSeeds, task_seeds

__all__ = [
    "SweepError",
    "SweepFailureWarning",
    "SweepFile",
    "SweepResult",
    "TaskSeeds",
    "load_sweep",
    "sweep",
    "task_seeds",
]
