"""The calibration report: what was fitted (with intervals), what was guessed, and figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportsim.calibrate._estimate import ALL, Share
from supportsim.calibrate._skeleton import EFFORT_CAP, STAFFING_TARGET

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from supportsim.calibrate._api import CalibrationResult
    from supportsim.calibrate._backtest import Backtest

__all__ = ["CANNOT_INFER", "Report", "backtest_text", "build_report"]

#: What a history of opened/resolved times cannot tell; printed in every report.
CANNOT_INFER = (
    "effort per tier: resolution time = waiting + hands-on work + off hours + hand-offs, "
    "and the log does not split them; the skeleton's effort is an upper bound or a guess",
    "staff, working hours and shifts of the desk that produced the history",
    "customer patience (abandonment): only tickets that were logged are seen",
    "which tier each ticket needed (the work mix); reassignments hint at it only",
    "SLA targets and clocks, unless given with `sla=` (made_sla follows the instance's own "
    "SLA definitions, which the export does not carry)",
    "growth, bursts and change storms, and the business calendar",
)


@dataclass(frozen=True)
class Report:
    """Text and figures of a calibration; ``str(report)`` is the text.

    Attributes
    ----------
    text : str
    figures : dict of str to Figure
        ``resolution_fit`` (ECDF vs fitted lognormal per priority) and ``arrivals``.
    """

    text: str
    figures: dict[str, Figure] = field(repr=False)

    def __str__(self) -> str:
        return self.text

    def files(self, directory: str | Path, dpi: int = 150) -> dict[Path, bytes | str]:
        """``report.txt`` and one PNG per figure, path -> content, to write into `directory`."""
        from supportsim.calibrate._output import png

        directory = Path(directory)
        files: dict[Path, bytes | str] = {directory / "report.txt": self.text}
        for name, fig in self.figures.items():
            files[directory / f"{name}.png"] = png(fig, dpi)
        return files

    def save(self, directory: str | Path, dpi: int = 150) -> list[Path]:
        """Write ``report.txt`` and one PNG per figure into `directory` (all or nothing)."""
        from supportsim.calibrate._output import write_files

        return write_files(self.files(directory, dpi))


def table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned text columns, two spaces apart, indented by two."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return "\n".join("  " + line for line in lines)


def _share(s: Share | None) -> str:
    if s is None or math.isnan(s.value):
        return "-"
    return f"{s.value:.1%} [{s.low:.1%}, {s.high:.1%}]"


def _num(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3g}"


def _priorities(cal: CalibrationResult) -> str:
    est = cal.estimates
    rows = []
    for name in [*est.priorities, ALL]:
        fit = est.resolution.get(name)
        share = est.priorities.get(name)
        rows.append([
            name, f"{share.count}" if share else f"{est.tickets}",
            _share(share) if share else "100%",
            f"{est.unresolved.get(name, 0)}",
            _num(fit.observed_median) if fit else "-",
            f"{fit.median:.3g} [{fit.median_low:.3g}, {fit.median_high:.3g}]" if fit else "-",
            f"{fit.sigma:.2f}" if fit else "-",
            f"{fit.mean:.3g}" if fit else "-",
            f"{fit.ks_statistic:.3f} / {fit.ks_pvalue:.2g}" if fit else "-",
            _share(est.made_sla.get(name)),
        ])
    header = ["priority", "tickets", "share [CI]", "open", "median h", "fitted median h [CI]",
              "s", "mean h", "KS D / p", "made SLA [CI]"]
    return table(header, rows)


def _reassignments(cal: CalibrationResult) -> list[str]:
    est = cal.estimates
    if est.reassignments is None or est.bounce is None:
        return ["Reassignments: not in the history; team.tennis.bounce left at 0 (GUESSED)."]
    counts = est.reassignments
    total = int(counts.sum())
    mean = float((counts.index.to_numpy() * counts.to_numpy()).sum() / total)
    dist = ", ".join(f"{k}: {v / total:.1%}" for k, v in counts.items() if k <= 5)
    rest = int(counts[counts.index > 5].sum())
    b = est.bounce
    if not b.total:
        return [f"Reassignments: none in {total} tickets; team.tennis.bounce = 0 (FITTED)."]
    return [
        f"Reassignments: mean {mean:.2f} per ticket; share by count {dist}"
        + (f", >5: {rest / total:.1%}" if rest else ""),
        f"  tennis.bounce = {_share(b)} FITTED: of {b.total} reassigned tickets, {b.count} "
        "were reassigned 3+ times (1-2 read as escalations L1->L2->L3, 3+ as sent back down "
        "and up again). It acts once the team has tiers.",
    ]


def build_report(cal: CalibrationResult) -> Report:
    """The text report and figures of `cal`."""
    from supportsim.calibrate._figures import arrivals_figure, resolution_fit_figure

    est, sc = cal.estimates, cal.scenario
    pooled = est.resolution[ALL]
    tier = sc.team.tiers["l1"]
    lines = [
        f"Calibration of {cal.source} (format {cal.format!r})",
        f"{est.tickets} tickets opened {est.first_opened:%Y-%m-%d %H:%M} .. "
        f"{est.last_opened:%Y-%m-%d %H:%M} (span {est.span:.2f} h = {est.span / 24:.1f} "
        f"days); intervals at {est.confidence:.0%}.",
        "",
        "Demand (FITTED)",
        f"  arrival rate  {est.rate:.4g} tickets/h [{est.rate_low:.4g}, {est.rate_high:.4g}] "
        f"= {est.tickets} tickets / span (last - first opened_at); exact Poisson interval",
        f"  profile       {est.profile_note}",
        "  channels      " + ", ".join(f"{k} {_share(s)}" for k, s in est.channels.items()),
        "",
        "Priorities and resolution time (lognormal fit, floc=0; 'open' = no resolved_at, "
        "left out of the fit)",
        _priorities(cal),
        "  KS p-values treat the fitted parameters as known, so they are optimistic.",
        "",
        *_reassignments(cal),
        "",
        "Skeleton (GUESSED parts)",
        *_work_lines(cal, pooled),
        f"  team: l1 staff {tier.headcount} (24x7) = analytic.required_staff for "
        f"{STAFFING_TARGET:.0%} answered within the strictest response target at the peak "
        "rate, with that effort",
        "  priorities: SLA targets are "
        + ("as given" if not any("GUESSED" in line and "target" in line
                                  for line in cal.toml.splitlines())
           else "common defaults (GUESSED) unless given with sla="),
        "",
        "Cannot be inferred from this history:",
        *(f"  - {item}" for item in CANNOT_INFER),
    ]
    if cal.warnings:
        lines += ["", "Warnings:", *(f"  - {w}" for w in cal.warnings)]
    if cal.credit:
        lines += ["", cal.credit]
    figures = {"resolution_fit": resolution_fit_figure(cal), "arrivals": arrivals_figure(cal)}
    return Report("\n".join(lines) + "\n", figures)


def backtest_text(bt: Backtest) -> str:
    """The back-test table as text."""
    rows = []
    for r in bt.table.itertuples():
        unit = "" if r.unit in ("share", "tickets") else f" {r.unit}"
        fmt = "{:.1%}" if r.unit == "share" else "{:.4g}"
        sim = fmt.format(r.simulated)
        if not (math.isnan(r.simulated_low) or math.isnan(r.simulated_high)):
            sim += f" [{fmt.format(r.simulated_low)}, {fmt.format(r.simulated_high)}]"
        obs = "-" if math.isnan(r.observed) else fmt.format(r.observed)
        rows.append([r.metric, r.group, obs + unit, sim + unit])
    return (f"Back-test: {bt.result.replications} replications, {bt.window:g} h of "
            f"arrivals then {bt.follow_up:g} h follow-up without arrivals\n"
            + table(["metric", "group", "history", "simulated [95% CI]"], rows)
            + "\n  attainment: history = the log's made_sla (its own SLA definitions); "
            "simulated = resolution within the skeleton's targets\n"
            + (f"\n{bt.credit}\n" if bt.credit else ""))


def _work_lines(cal: Any, pooled: Any) -> list[str]:
    """What the skeleton's effort is: the resolution-time fit, or the stated guess."""
    effort = cal.scenario.work.effort["l1"]
    if pooled.mean <= EFFORT_CAP:
        return [f"  work: one tier l1, effort lognormal mean {effort.mean:.4g} h, cv "
                f"{effort.cv:.3g} -- the pooled resolution-time fit, an UPPER BOUND on "
                "hands-on effort"]
    return [f"  work: one tier l1, effort lognormal mean {effort.mean:.4g} h, cv {effort.cv:.3g}"
            " -- a GUESSED typical handling time: resolution times average "
            f"{pooled.mean:.4g} h (> {EFFORT_CAP:g} h), mostly waiting, so they say nothing "
            "useful about effort"]

