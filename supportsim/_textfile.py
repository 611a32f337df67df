"""Read a text file the user named, or fail with one line saying which file and what is wrong.

Every file supportsim reads on a user's behalf (scenario and sweep TOML, calibration CSV)
comes through :func:`read_text`, so they all fail the same way: a :class:`ScenarioError`
(the CLI prints it on one line and exits 2) naming the file and the problem, never a
``UnicodeDecodeError`` traceback or a read that never ends.

The rules:

- only a regular file is read (a directory, FIFO or device such as ``/dev/zero`` is
  refused before a byte is read, so neither blocks nor fills memory);
- at most ``limit + 1`` bytes are read: a larger file is refused with the limit named;
- the text must be UTF-8; a UTF-8 byte-order mark is accepted and dropped, a UTF-16 or
  UTF-32 one is named (save the file as UTF-8), and an invalid byte or a NUL byte (a binary
  file, or UTF-16 without a byte-order mark) is reported with its line and column.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from supportsim._errors import ScenarioError

__all__ = ["MIB", "TOML_LIMIT", "read_text"]

MIB = 1 << 20
#: Largest scenario or sweep file read, in bytes (the shipped ones are a few KiB).
TOML_LIMIT = 4 * MIB

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _size(limit: int) -> str:
    return f"{limit / MIB:g} MiB" if limit >= MIB else f"{limit:,} bytes"


def _position(data: bytes, offset: int) -> str:
    """``line L, column C`` of byte `offset` (both from 1; columns count characters)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}, column {column}"


def read_text(path: str | Path, what: str, *, limit: int = TOML_LIMIT,
              error: type[ScenarioError] = ScenarioError) -> str:
    """The text of the UTF-8 file `path`, checked as the module notes say.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for messages: ``"scenario file"``, ``"event log"``.
    limit : int
        Largest size accepted, in bytes.
    error : type
        The :class:`ScenarioError` subclass to raise.

    Returns
    -------
    str
        The text, without a UTF-8 byte-order mark.

    Raises
    ------
    ScenarioError
        (or `error`) naming the file and the problem.
    """
    path = Path(path)

    def fail(problem: str) -> ScenarioError:
        return error(f"{what} {problem} ({path})")

    def unreadable(reason: str) -> ScenarioError:
        return error(f"cannot read {what}: {reason} ({path})")

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise unreadable(exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "not a regular file")
            raise unreadable(f"it is {kind}, not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise unreadable(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise fail(f"is larger than {_size(limit)}, the most supportsim reads for a {what}")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise fail(f"is {encoding} text (it starts with the byte-order mark "
                       f"{bom.hex(' ').upper()}); save it as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    nul = data.find(b"\0")
    if nul >= 0:
        raise fail(f"is not a text file: NUL byte at {_position(data, nul)}; a binary file, "
                   "or UTF-16 without a byte-order mark? save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at "
                   f"{_position(data, exc.start)}; save it as UTF-8") from None
