"""Closed-form queueing results: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M).

They validate the simulator and give planners an analytic sanity view. Rates are per
hour, times are hours, and the offered load ``a = arrival_rate / service_rate`` is in
Erlangs. Every function broadcasts its arguments like a numpy ufunc and returns arrays
(0-d for scalar arguments). The work is done in log space through the regularized
incomplete gamma function, so thousands of servers neither overflow nor lose precision.

Erlang B, Erlang C and the waits of M/M/c are in :mod:`~supportsim.analytic._erlang`,
Erlang A in :mod:`~supportsim.analytic._erlang_a`, staffing searches and rules in
:mod:`~supportsim.analytic._staffing`, and the log-space numerics they share in
:mod:`~supportsim.analytic._numerics`; every public name is imported from here.
"""

from supportsim.analytic._erlang import (
    erlang_b,
    erlang_c,
    mean_sojourn,
    mean_wait,
    service_level,
    wait_probability,
    wait_tail,
)
from supportsim.analytic._erlang_a import ErlangA, erlang_a
from supportsim.analytic._staffing import halfin_whitt_beta, required_staff, sqrt_staffing

__all__ = [
    "ErlangA",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "halfin_whitt_beta",
    "mean_sojourn",
    "mean_wait",
    "required_staff",
    "service_level",
    "sqrt_staffing",
    "wait_probability",
    "wait_tail",
]
