"""Pure functions over result tables: SLA scoring and intervals."""

from supportsim.analysis._intervals import t_interval
from supportsim.analysis._sla import score_tickets, sla_attainment, sla_table

__all__ = ["score_tickets", "sla_attainment", "sla_table", "t_interval"]
