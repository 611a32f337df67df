"""One progress bar for everything that runs long: replications, searches, sweeps, plans.

:func:`progress_bar` returns a tqdm bar (a widget in Jupyter, text on a terminal) or a
disabled one, by one rule: ``True`` always shows it, ``False`` never, ``None`` (the
default of the library's functions) shows it where someone watches (stderr is a terminal,
or a Jupyter kernel runs the code) once the work has taken more than a couple of seconds,
so quick calls stay silent. The command line passes ``not --quiet``.

A bar asked for (``True``) where stderr is neither a terminal nor a notebook (a log file,
a pipe, a CI job) is :class:`LogBar`: plain lines, one each tenth of the way (one per
step when the total is unknown), never tqdm's ``\r`` frames, which pile up in a log.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["DELAY", "LogBar", "in_notebook", "progress_bar"]

#: Seconds before a bar shown by default (``progress=None``) appears.
DELAY = 2.0


class LogBar:
    """The part of tqdm's interface the library uses, written as whole lines for a log.

    A line ``"sweep: 30% 12/40 tasks, 8s, failed=0"`` each time the count passes another
    tenth of `total` and at :meth:`close` if the last count was not written; with `total`
    None, a line per :meth:`update` (``"breakpoint: 3 evaluations, 2s, l1: ..."``).
    """

    disable = False

    def __init__(self, total: int | None, *, desc: str, unit: str, initial: int = 0,
                 file: TextIO | None = None) -> None:
        self.total, self.desc, self.unit, self.n = total, desc, unit, initial
        self.file = sys.stderr if file is None else file
        self.postfix = ""
        self._start = time.monotonic()
        self._tenth = self._tenths()  # the tenth last written (the resumed share counts)
        self._written = initial

    def _tenths(self) -> int:
        return 10 * self.n // self.total if self.total else 0

    def _write(self) -> None:
        count = (f"{100 * self.n / self.total:.0f}% {self.n}/{self.total}" if self.total
                 else f"{self.n}")
        plural = "" if self.n == 1 and not self.total else "s"
        extra = f", {self.postfix}" if self.postfix else ""
        print(f"{self.desc}: {count} {self.unit}{plural}, "
              f"{time.monotonic() - self._start:.0f}s{extra}", file=self.file, flush=True)
        self._written = self.n

    def update(self, n: int = 1) -> None:
        self.n += n
        if not self.total or self._tenths() > self._tenth:
            self._tenth = self._tenths()
            self._write()

    def set_postfix(self, refresh: bool = True, **values: object) -> None:
        self.postfix = ", ".join(f"{k}={v}" for k, v in values.items())

    def set_postfix_str(self, text: str = "", refresh: bool = True) -> None:
        self.postfix = text

    def close(self) -> None:
        if self.n != self._written:
            self._write()

    def __enter__(self) -> LogBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def in_notebook() -> bool:
    """True inside a Jupyter (ipykernel) session, where a widget bar can render."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    get = getattr(shell, "get_ipython", None)
    ip = get() if get is not None else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def _widgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def progress_bar(total: int | None, *, desc: str, unit: str, progress: bool | None = None,
                 initial: int = 0) -> Any:
    """A tqdm bar over `total` steps, shown by the rule of this module.

    Parameters
    ----------
    total : int or None
        Steps expected (None: unknown, the bar counts up).
    desc, unit : str
        Label and step name, e.g. ``"simulate"`` and ``"replication"``.
    progress : bool or None
        True: always shown; False: never; None: where someone watches (a terminal or a
        Jupyter kernel), after :data:`DELAY` seconds.
    initial : int
        Steps already done (a resumed sweep).

    Returns
    -------
    tqdm or LogBar
        Use as a context manager or close it; ``update(n)`` moves it. A disabled bar
        does nothing. A bar shown where stderr is not a terminal (nor a notebook) is a
        :class:`LogBar`.
    """
    notebook = in_notebook()
    watched = notebook or sys.stderr.isatty()
    shown = bool(progress) if progress is not None else watched
    if shown and not watched:
        return LogBar(total, desc=desc, unit=unit, initial=initial)
    if shown and notebook and _widgets():
        # The widget bar; without ipywidgets tqdm.auto would warn and fall back to text.
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, disable=not shown,
                delay=DELAY if progress is None else 0.0, dynamic_ncols=True)
