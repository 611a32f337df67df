"""One progress bar for everything that runs long: replications, searches, sweeps, plans.

:func:`progress_bar` returns a tqdm bar (a widget in Jupyter, text on a terminal) or a
disabled one, by one rule: ``True`` always shows it, ``False`` never, ``None`` (the
default of the library's functions) shows it where someone watches (stderr is a terminal,
or a Jupyter kernel runs the code) once the work has taken more than a couple of seconds,
so quick calls stay silent. The command line passes ``not --quiet``.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["DELAY", "in_notebook", "progress_bar"]

#: Seconds before a bar shown by default (``progress=None``) appears.
DELAY = 2.0


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
    tqdm
        Use as a context manager or close it; ``update(n)`` moves it. A disabled bar
        does nothing.
    """
    notebook = in_notebook()
    watched = notebook or sys.stderr.isatty()
    shown = bool(progress) if progress is not None else watched
    if shown and notebook and _widgets():
        # The widget bar; without ipywidgets tqdm.auto would warn and fall back to text.
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, disable=not shown,
                delay=DELAY if progress is None else 0.0, dynamic_ncols=True)
