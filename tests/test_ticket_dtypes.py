"""The ticket table's column types are the documented ones, and it reads back equal from
every parquet file the library writes (``run --out``, spilled tickets, the sweep store),
for a desk with rollout waves and agent groups and for one with neither.

The ``wave`` and ``group`` columns are built cheaply when a scenario has no waves or no
groups (records._names); these tests pin what must not change with that: their type,
which tickets have them missing, and the parquet round trip (a categorical without
categories would not survive it).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import supportsim as ss
from supportsim.cli import main
from supportsim.demand import generate
from tests.support import ROOT, build, mmc_dict, two_tier_dict

SEED = 5
WAVE = {"name": "pilot", "at": 24.0, "users": 1500, "rate": 0.7, "early": 5.0, "settle": 72.0}


def _used() -> dict[str, Any]:
    """Two tiers, L1 split into groups and L2 without; a rollout wave and change storms.

    Busy enough that some tickets are open at the end of the week (no group, no agent).
    """
    data = two_tier_dict(l2_staff=2)
    data.update(start="2026-03-02T00:00", horizon="1w", warmup="0h", replications=2)
    data["demand"].update(skills={"en": 0.7, "de": 0.3}, waves=[WAVE],
                          storms={"changes_per_week": 10, "failure_rate": 0.3,
                                  "tickets": 20, "decay": "2h"})
    data["team"]["tiers"]["l1"] = {"groups": {"en": {"skills": ["en"], "staff": 2},
                                              "bi": {"skills": ["en", "de"], "staff": 2}}}
    return data


def _unused() -> dict[str, Any]:
    return mmc_dict(rate=10.0, staff=4, horizon="1w", warmup="1d") | {"replications": 2}


SCENARIOS = {"waves and groups": _used, "neither": _unused}


def _simulate(data: dict[str, Any], **kwargs: Any) -> ss.SimulationResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.CapacityWarning)  # the busy desk is meant
        return ss.simulate(build(data), seed=SEED, **kwargs)


def documented_types() -> dict[str, str]:
    """Column -> its Type cell in docs/results.md's ``res.tickets`` table."""
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    section = text.split("## `res.tickets`", 1)[1].split("\n## ", 1)[0]
    return {m[1]: m[2].strip() for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \|", section,
                                                    re.MULTILINE)}


def _has_type(column: pd.Series, kind: str) -> bool:
    dtype = column.dtype
    word, _, bounds = kind.partition(" ")
    if word == "int":
        low, _, high = bounds.partition("..")
        return (pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
                and (not bounds or (column.min() >= int(low) and column.max() <= int(high))))
    if word == "h":
        return dtype == np.float64
    if word == "bool":
        return dtype == np.bool_
    if word in ("categorical", "category"):
        return isinstance(dtype, pd.CategoricalDtype)
    if word == "str":
        # What ``dtype=str`` makes: pandas' Arrow-backed "str" from pandas 3, objects before.
        return dtype == pd.Series([], dtype=str).dtype
    raise AssertionError(f"docs/results.md: unknown type {kind!r} in the tickets table")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_ticket_columns_have_the_documented_types(name: str) -> None:
    tickets = _simulate(SCENARIOS[name]()).tickets
    documented = documented_types()
    assert list(tickets.columns) == list(documented)
    wrong = {c: (str(tickets[c].dtype), kind) for c, kind in documented.items()
             if not _has_type(tickets[c], kind)}
    assert not wrong, f"columns whose type is not the documented one: {wrong}"


def test_wave_and_group_are_missing_exactly_where_documented() -> None:
    data = _used()
    res = _simulate(data)
    tickets, staff = res.tickets, res.staff
    for rep in range(2):
        mine = tickets[tickets["replication"] == rep]
        # Missing for base and storm tickets: the stream's wave index is -1 for them.
        index = generate(res.scenario, rep, SEED).wave
        assert (index >= 0).any() and (index < 0).any()
        assert np.array_equal(mine["wave"].isna().to_numpy(), index < 0)
        assert (mine.loc[index >= 0, "wave"] == WAVE["name"]).all()
        assert mine["storm"].any() and mine.loc[mine["storm"], "wave"].isna().all()
        # Missing if unresolved or resolved in a tier without groups (L2 here).
        groups = staff[staff["replication"] == rep].set_index("agent")["group"]
        agent = mine["agent"].to_numpy()
        expected = np.where(agent >= 0, groups.reindex(agent).to_numpy(), "")
        assert {"en", "bi", ""} <= set(expected) and (agent < 0).any()
        assert np.array_equal(mine["group"].isna().to_numpy(), expected == "")
        assert (mine["group"].dropna().to_numpy() == expected[expected != ""]).all()
        # Missing means NaN, as the docs say, not None or "".
        assert all(v is np.nan or (isinstance(v, float) and np.isnan(v))
                   for v in mine.loc[mine["group"].isna(), "group"].head())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_tickets_read_back_equal_from_every_parquet_file(name: str, tmp_path: Path) -> None:
    data = SCENARIOS[name]()
    kept = _simulate(data).tickets
    # run --out: tickets.parquet, read as a user would.
    path = tmp_path / "desk.toml"
    path.write_text(build(data).to_toml(), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--seed", str(SEED), "--out", str(out)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "tickets.parquet"), kept)
    # Spilled per replication as each finishes, read back by res.tickets.
    spilled = _simulate(data, tickets=tmp_path / "spill")
    assert spilled.ticket_files
    pd.testing.assert_frame_equal(spilled.tickets, kept)
    # The sweep store: the second run reads every task's tickets from its files.
    def swept() -> ss.SweepResult:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ss.CapacityWarning)
            return ss.sweep(build(data), keep_tickets=True, store=tmp_path / "store",
                            seed=SEED, progress=False)
    swept()
    again = swept()
    assert again.tasks_run == 0 and again.tickets is not None
    pd.testing.assert_frame_equal(again.tickets.drop(columns="variant"), kept)
