"""Reading a TOML file (a scenario or a sweep) into its tables, within limits: a
regular UTF-8 file of bounded size, and bounded nesting."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from supportsim._errors import ScenarioError
from supportsim._textfile import read_text

__all__ = ["MAX_DEPTH", "read_toml"]


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The tables of a TOML file; a :class:`ScenarioError` naming `what` and the file.

    The file is read by :func:`supportsim._textfile.read_text` (a regular UTF-8 file of
    at most :data:`~supportsim._textfile.TOML_LIMIT` bytes; a UTF-8 byte-order mark is
    dropped), and nesting deeper than :data:`MAX_DEPTH` is refused.
    """
    text = read_text(path, what)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc} ({path})") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        data = None
    if data is None or _too_deep(data):
        raise ScenarioError(f"{what} nests arrays or tables more than {MAX_DEPTH} levels "
                            f"deep ({path})")
    return data


#: Deepest nesting of arrays and tables accepted in a TOML file (a scenario needs ~6).
MAX_DEPTH = 32


def _too_deep(data: Any) -> bool:
    """Whether `data` nests containers more than MAX_DEPTH levels (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False
