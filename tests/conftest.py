"""Hypothesis profiles: random exploration by default, a fixed sequence in CI.

Locally each run draws new examples (and replays failures from the example database);
``.ci/run`` selects the ``ci`` profile so that a landing never depends on the luck of
the draw. Choose one with ``HYPOTHESIS_PROFILE=ci`` or ``--hypothesis-profile=ci``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("default")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
