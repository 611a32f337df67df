"""Docs that had fallen behind the features (new-user trial, round 4).

- docs/assumptions.md said a site's labour cost is not modelled: a group has its own
  rate, ``[costs.tiers.lN.groups.NAME] hourly`` (tests/test_group_costs.py).
- The generated reference (docs/scenario.md, from supportsim/_reference.py) said a
  business clock is [calendar]'s: with [sites] it is the ticket's site's
  (tests/test_group_sites.py, docs/assumptions.md "Sites, time zones and holidays").
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _flat(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


def test_assumptions_name_a_groups_own_rate() -> None:
    text = _flat(DOCS / "assumptions.md")
    assert "labour cost is not modelled" not in text
    assert "a group at a site with lower or higher labour cost has its own rate, " \
           "`[costs.tiers.lN.groups.NAME] hourly`" in text


def test_reference_says_the_business_clock_is_the_tickets_sites() -> None:
    row = next(line for line in (DOCS / "scenario.md").read_text(encoding="utf-8")
               .splitlines() if line.startswith("| `priorities.NAME.clock` |"))
    assert "business hours: [calendar]'s ([sites]: the ticket's site's)" in row
