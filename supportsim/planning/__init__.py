"""Planning: the cheapest staffing that keeps every SLA, and the rosters that deliver it.

- :func:`staffing_curve`: agents needed per hour of the week on one tier, by the
  iterative staffing algorithm (simulation in the loop);
- :func:`roster`: the minimum-cost shifts from a catalogue covering such a curve (an
  integer program), reporting what a cap leaves uncovered;
- :func:`plan`: the cheapest values of the decisions (staff per tier by default) whose
  SLA attainment clears every target, searched on common random numbers and verified
  on fresh seeds.

See docs/planning.md for the methods and what they guarantee.
"""

from supportsim.planning._curve import staffing_curve
from supportsim.planning._optimise import Plan, PlanError, PlanWarning, plan
from supportsim.planning._roster import Roster, roster

__all__ = ["Plan", "PlanError", "PlanWarning", "Roster", "plan", "roster", "staffing_curve"]
