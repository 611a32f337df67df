"""Exceptions and warnings shared by every layer."""

from __future__ import annotations

__all__ = ["CapacityWarning", "ScenarioError"]


class ScenarioError(ValueError):
    """A scenario (file, dict or override) breaks a rule of the schema.

    The message names the dotted key, the rule, the value and the source file, e.g.
    ``team.tiers.l1.staff must be an integer >= 0, got -2 (rollout.toml)``.
    """


class CapacityWarning(UserWarning):
    """Offered load reaches or exceeds the capacity of a tier.

    A warning, not an error: finding where a plan breaks is the point of the tool. It is
    raised when a simulation starts (``simulate``, once per ``sweep`` or breaking-point
    search), never while a scenario is loaded; ``check(scenario).overloaded`` has it as data.
    """
