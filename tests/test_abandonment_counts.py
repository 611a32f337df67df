"""``abandonment_counts`` (counted with bincount, as simulate scores every replication)
gives the table of the pandas groupby it replaces, on any ticket table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from supportsim.analysis import abandonment_counts


def reference(tickets: pd.DataFrame) -> pd.DataFrame:
    """The definition: every replication with a scored ticket x every channel x every
    priority (zeros included), tickets and abandoned tickets after the warm-up."""
    scored = tickets[~tickets["warmup"].to_numpy(dtype=bool)]
    grouped = scored.groupby(["replication", "channel", "priority"], observed=False)
    out = grouped["abandoned"].agg(tickets="size", abandoned="sum").reset_index()
    return out.astype({"tickets": np.int64, "abandoned": np.int64})


def table(seed: int, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channels = ["phone", "portal", "chat"][:rng.integers(1, 4)]
    priorities = ["P1", "P2", "P3", "P4"][:rng.integers(1, 5)]
    # Codes past the used ones leave categories empty; -1 is a missing value.
    channel = rng.integers(-1 if rng.random() < 0.3 else 0, len(channels), rows)
    priority = rng.integers(0, max(len(priorities) - 1, 1), rows)
    return pd.DataFrame({
        "replication": np.sort(rng.choice([0, 1, 3, 7], rows)).astype(np.int32),
        "channel": pd.Categorical.from_codes(channel, channels),
        "priority": pd.Categorical.from_codes(priority, priorities),
        "abandoned": rng.random(rows) < 0.3,
        "warmup": rng.random(rows) < rng.choice([0.0, 0.5, 1.0]),
    })


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(0, 60))
def test_counts_equal_the_groupby(seed: int, rows: int) -> None:
    tickets = table(seed, rows)
    pd.testing.assert_frame_equal(abandonment_counts(tickets), reference(tickets))


def test_text_columns_are_counted_as_by_the_groupby() -> None:
    tickets = table(3, 40)
    tickets["channel"] = tickets["channel"].astype(object)
    pd.testing.assert_frame_equal(abandonment_counts(tickets), reference(tickets))
