"""Write a set of files all or nothing: every file to a temporary name, then all renamed.

A calibration writes a skeleton, a report and figures; a failure part way (a full disk, a
read-only report folder) must not leave the skeleton of this run beside the report of the
last one. Errors name the destination, never the temporary file.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["png", "write_files"]


def png(figure: Figure, dpi: int) -> bytes:
    """`figure` rendered as PNG bytes (in memory, so writing it cannot fail half way)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=dpi, format="png")
    return buffer.getvalue()


def write_files(files: Mapping[Path, bytes | str]) -> list[Path]:
    """Write every file of `files` (path -> content; text as UTF-8), all or nothing.

    Folders are created as needed. Each file goes to a temporary name beside its
    destination; only when all are written are they renamed into place (a rename within
    a folder does not fail for want of space).

    Returns
    -------
    list of Path
        The destinations, in the order given.

    Raises
    ------
    OSError
        With ``filename`` the destination that could not be written; no destination has
        been replaced then.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                               dir=path.parent)
                staged.append((tmp, path))
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
        for _, path in staged:  # the one rename that would fail: checked before any
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    return list(files)
