"""Pure functions over result tables: SLA scoring, intervals, weekly attainment, scoring
over a window, verdicts against goals, abandonment by channel and priority and with
retrials, backlog by age, time percentiles, utilisation over time and costs (scoring rules
in docs/analysis.md); output analysis: MSER-5 warm-up, batch means and the replications a
pilot says are needed."""

from supportsim.analysis._abandonment import abandonment_counts, abandonment_table
from supportsim.analysis._attempts import abandonment_shares
from supportsim.analysis._backlog import AGE_EDGES, backlog_by_age
from supportsim.analysis._costs import cost_table, replication_costs
from supportsim.analysis._intervals import bootstrap_interval, mean_interval, t_interval
from supportsim.analysis._percentiles import time_percentiles
from supportsim.analysis._precision import (
    LAG1_BOUND,
    BatchMeans,
    ReplicationsNeeded,
    batch_means,
    batch_means_interval,
    replications_for,
    replications_needed,
)
from supportsim.analysis._sla import score_tickets, sla_attainment, sla_table
from supportsim.analysis._utilisation import utilisation_over_time
from supportsim.analysis._verdict import VERDICTS, goals, verdict, verdict_changes, verdicts
from supportsim.analysis._warmup import Mser, Warmup, mser, warmup
from supportsim.analysis._weekly import weekly_attainment
from supportsim.analysis._window import parse_window, window_attainment

__all__ = [
    "AGE_EDGES",
    "LAG1_BOUND",
    "VERDICTS",
    "BatchMeans",
    "Mser",
    "ReplicationsNeeded",
    "Warmup",
    "abandonment_counts",
    "abandonment_shares",
    "abandonment_table",
    "backlog_by_age",
    "batch_means",
    "batch_means_interval",
    "bootstrap_interval",
    "cost_table",
    "goals",
    "mean_interval",
    "mser",
    "parse_window",
    "replication_costs",
    "replications_for",
    "replications_needed",
    "score_tickets",
    "sla_attainment",
    "sla_table",
    "t_interval",
    "time_percentiles",
    "utilisation_over_time",
    "verdict",
    "verdict_changes",
    "verdicts",
    "warmup",
    "weekly_attainment",
    "window_attainment",
]
