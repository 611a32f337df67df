"""Benchmarks of supportsim, run with ``python -m benchmarks`` (see DESIGN.md section 9).

One module per family (:mod:`~benchmarks.core`, :mod:`~benchmarks.memory`,
:mod:`~benchmarks.scaling`, :mod:`~benchmarks.analysis`, :mod:`~benchmarks.flagship`,
:mod:`~benchmarks.workforce`, :mod:`~benchmarks.sweep`),
each with ``run(quick) -> list[Row]``. Timings are the best of five; comparisons are
ratios measured in the same process. Nothing here asserts a time.
"""
