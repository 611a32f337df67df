"""The printed blocks of ``supportsim run --vs``: each variant's attainment and its paired
comparison with the base, on common random numbers, and the verdicts that changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from supportsim._comparison_cells import METRIC_NAMES, difference, level
from supportsim.cli._common import _share, _table
from supportsim.cli._run_blocks import _workforce_section
from supportsim.cli._verdicts import verdict_section
from supportsim.scenario._written import written_toml

if TYPE_CHECKING:
    import pandas as pd

BASE = "base"
_SHORT_LABEL = 16  # characters: longer labels show as "variant" in table columns
#: Column names of the printed comparison: a label that reads like one would be ambiguous.
_COMPARE_COLUMNS = ("priority", "metric", "difference", "low", "high", "better")
_RULE = 72  # characters: the widest rule above a variant's section


def _short(label: str) -> str:
    return label if len(label) <= _SHORT_LABEL else "variant"


def _comparison_section(frame: pd.DataFrame, label: str, seed: int, replications: int,
                        ticket_keys: Sequence[str] = (), whole_run: bool = False) -> str:
    """The paired differences ``variant - base`` per priority and metric as a text table;
    `ticket_keys`: the variant's changes that give it other tickets than the base's;
    `whole_run`: say that it covers the whole run although a --window scores the SLA
    tables (:func:`supportsim.compare` has no window; the HTML report says the same)."""
    import pandas as pd

    name = _short(label)
    rows = pd.DataFrame({
        "priority": frame["priority"].astype(str),
        "metric": [METRIC_NAMES.get(m, m) for m in frame["metric"]],
        BASE: [level(v, m) for v, m in zip(frame["baseline_value"], frame["metric"],
                                           strict=True)],
        name: [level(v, m) for v, m in zip(frame["value"], frame["metric"], strict=True)],
        "difference [95% CI]": [difference(r) for r in frame.itertuples()],
        "better": [{BASE: BASE, label: name}.get(b, "-") for b in frame["better"]],
    })
    wins = frame["better"].value_counts()
    verdict = (f"{name} better on {wins.get(label, 0)}, {BASE} better on {wins.get(BASE, 0)}, "
               f"no clear difference on {int((frame['better'] == '').sum())} "
               f"of {len(frame)} (priority x metric)")
    runs = f"seed {seed}, {replications} replication{'s' if replications != 1 else ''}"
    tickets = (f" ({runs});\nthe tickets differ: {name} changes {', '.join(ticket_keys)}"
               if ticket_keys else f"\n({runs}: the same tickets)")
    scope = "\nover the whole run, not only the window" if whole_run else ""
    return (f"Paired comparison, {name} − {BASE}, on common random numbers{scope}{tickets}\n"
            f"'better' where the 95% interval of the difference excludes 0\n"
            f"{_table(rows)}\n  {verdict}")


def _variant_report(base: Any, variant: Any, label: str, overrides: dict[str, Any],
                    frame: pd.DataFrame, window: tuple[float, float] | None = None) -> str:
    import pandas as pd

    from supportsim.comparison import ticket_changes

    changed = ", ".join(f"{key}={written_toml(value)}" for key, value in overrides.items())
    sla = variant.sla(window=window)
    rows = pd.DataFrame({
        "priority": sla["priority"].astype(str),
        "response met (95% CI)": [_share(r.response_attainment, r.response_attainment_low,
                                         r.response_attainment_high).strip()
                                  for r in sla.itertuples()],
        "resolution met (95% CI)": [_share(r.resolution_attainment,
                                           r.resolution_attainment_low,
                                           r.resolution_attainment_high).strip()
                                    for r in sla.itertuples()],
    })
    summary_frame = variant.summary()
    summary = summary_frame.set_index("metric")
    tiers = [m.removeprefix("utilisation_") for m in summary.index
             if m.startswith("utilisation_")]
    util = ", ".join(f"{t} {summary.loc[f'utilisation_{t}', 'value']:.1%}" for t in tiers)
    overtime = ", ".join(f"{t} {summary.loc[f'overtime_{t}', 'value']:.1f}" for t in tiers)
    backlog = summary.loc["backlog_at_end", "value"]
    title = f"Variant {label!r} against the {BASE}"
    parts = [f"{'-' * min(len(title), _RULE)}\n{title}\noverrides: {changed}",
             f"SLA attainment ({label})\n{_table(rows)}\n"
             f"  utilisation {util}; backlog at end {backlog:.1f}\n"
             f"  overtime (agent-h/week) {overtime}",
             _comparison_section(frame, label, base.seed, base.replications,
                                 ticket_changes(base.scenario, variant.scenario),
                                 whole_run=window is not None)]
    verdicts = _verdict_change(base, variant, label, window)
    if verdicts:
        parts.append(verdicts)
    # The base's block already describes a workforce the variant leaves alone.
    changes_workforce = any(key.split(".")[0] == "workforce" for key in overrides)
    workforce = (_workforce_section(variant.scenario, summary_frame)
                 if changes_workforce else None)
    return "\n\n".join(parts if workforce is None else [*parts, workforce])


def _verdict_change(base: Any, variant: Any, label: str,
                    window: tuple[float, float] | None) -> str:
    """The variant's verdicts with the base's next to them; ``""`` without goals."""
    from supportsim.analysis import verdict_changes

    mine = variant.verdicts(window=window)
    if mine.empty:
        return ""
    text = verdict_section(mine, label=label)
    changes = verdict_changes(base.verdicts(window=window), mine)
    changed = [f"{r.priority} {r.target}: {r.baseline_verdict} -> {r.verdict}"
               for r in changes[changes["changed"]].itertuples()]
    if not changed:
        return f"{text}\n  the same verdicts as the {BASE}"
    return f"{text}\n  against the {BASE}:\n" + "\n".join(f"    {c}" for c in changed)
