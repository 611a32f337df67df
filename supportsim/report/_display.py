"""The small mechanism behind every rich display: cards rendered by Jinja2 templates.

A result object builds a :class:`Card` (a title, a line of facts, a few tables, notes) and
returns :func:`render_card` from its ``_repr_html_``; its ``__repr__`` is
:func:`short_repr`. New result objects (a plan, a selection, a cost table) plug in the
same way, most simply by inheriting :class:`CardDisplay` and defining ``_card`` and
``_short``: no HTML of their own, and the look stays one look. The CSS uses the
notebook's own text colour (``currentColor``, ``inherit``) on a transparent
background, so a card reads in a light and a dark theme alike; there is no JavaScript.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from supportsim.units import wait_text as hours  # one way to write a wait, as the CLI's

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

__all__ = ["Card", "CardDisplay", "Table", "hours", "render_card", "share", "short_repr",
           "table_from_frame"]


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells.

    `numeric` names the columns aligned right (numbers read down a column);
    `row_class` gives each row a CSS class (e.g. ``"missed"``), or "" for none.
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    numeric: frozenset[str] = frozenset()
    row_class: Sequence[str] = ()

    def classes(self) -> list[str]:
        """One CSS class per row (empty where none was given)."""
        return [*self.row_class, *[""] * (len(self.rows) - len(self.row_class))]


@dataclass(frozen=True)
class Card:
    """What a rich display shows: `kind` (the class name), `title`, `facts` (label, value)
    in one block, then `tables` and `notes` (plain sentences)."""

    kind: str
    title: str
    facts: Sequence[tuple[str, str]] = ()
    tables: Sequence[Table] = ()
    notes: Sequence[str] = ()
    subtitle: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class CardDisplay:
    """Mixin for a result object: ``_card()`` returns its :class:`Card`, ``_short()`` the
    parts of its one-line repr; ``__repr__`` and ``_repr_html_`` follow.

    Examples
    --------
    >>> class Plan(CardDisplay):  # doctest: +SKIP
    ...     def _short(self): return "Plan", "rollout", [f"cost {self.cost:,.0f}"]
    ...     def _card(self): return Card("Plan", "rollout", [("cost", f"{self.cost:,.0f}")])
    """

    def _card(self) -> Card:
        raise NotImplementedError

    def _short(self) -> tuple[str, str, list[str]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return short_repr(*self._short())

    def _repr_html_(self) -> str:
        return render_card(self._card())


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment over the package's templates (autoescaped HTML)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("supportsim.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(template: str, **context: Any) -> str:
    """Render one of the package's templates with `context`."""
    return environment().get_template(template).render(**context)


def render_card(card: Card) -> str:
    """The HTML of `card` (a fragment with its own scoped style, for ``_repr_html_``)."""
    return render("card.html.j2", card=card)


def short_repr(kind: str, title: str, parts: Iterable[str]) -> str:
    """``<Kind 'title': part; part>``: the one-line repr of every result object."""
    body = "; ".join(p for p in parts if p)
    return f"<{kind} {title!r}{': ' + body if body else ''}>"


# --------------------------------------------------------------------------- formatting


def share(value: float, low: float | None = None, high: float | None = None) -> str:
    """``96.6% [94.1, 98.0]``: a share in per cent with its interval (n/a when NaN)."""
    if value is None or math.isnan(value):
        return "n/a"
    text = f"{value:.1%}"
    if low is not None and high is not None and not (math.isnan(low) or math.isnan(high)):
        text += f" [{low * 100:.1f}, {high * 100:.1f}]"
    return text


def number(value: float, digits: int = 1) -> str:
    """A number with thousands separators; ``-`` for NaN."""
    if math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def table_from_frame(frame: pd.DataFrame, caption: str = "", *,
                     formats: dict[str, Callable[[Any], str]] | None = None,
                     numeric: Iterable[str] = ()) -> Table:
    """A :class:`Table` of `frame`'s columns, each cell through ``formats[column]`` (or
    ``str``; floats to 3 significant digits)."""
    formats = formats or {}

    def cell(column: str, value: Any) -> str:
        if column in formats:
            return formats[column](value)
        if isinstance(value, float):
            return "-" if math.isnan(value) else f"{value:.3g}"
        return str(value)

    columns = [str(c) for c in frame.columns]
    rows = [[cell(c, v) for c, v in zip(columns, row, strict=True)]
            for row in frame.itertuples(index=False, name=None)]
    return Table(columns, rows, caption, frozenset(numeric))
