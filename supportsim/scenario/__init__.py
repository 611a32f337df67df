"""Scenario files: load, validate, override and export (see ``docs/scenario.md``)."""

from supportsim._errors import ScenarioError
from supportsim.scenario._scenario import Scenario, load_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
