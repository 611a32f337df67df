"""A directory of finished sweep tasks, so an interrupted sweep resumes where it stopped.

Layout of a store ``DIR``::

    manifest.json        identity (base scenario fingerprint, seed, supportsim version,
                         format) and the latest grid: factors, strategies, variants
    scenario.toml        the base scenario
    tasks/<variant id>-r<replication>.parquet     summary rows of one finished task
    tickets/<variant id>-r<replication>.parquet   its tickets (only with keep_tickets)
    failures.json        the failures of the latest run
    log.jsonl            one line per task executed: run, variant, replication, status,
                         seconds, host, pid
    lock                 locked by the run using the store; names its host, pid and start

Every file is written to a temporary name in the same directory, flushed to disk and
renamed into place, so a task file is either complete or absent; a file that still fails
to read (truncated, corrupt, another task's) is deleted and its task runs again.

A store belongs to one base scenario, seed and supportsim version: results depend on all
three. Opening it for anything else is refused (:class:`SweepError`), never mixed; factors,
strategies and replications may change between runs, and tasks already in the store are
reused.

One sweep at a time per store: :meth:`Store.open` takes an exclusive lock on ``DIR/lock``
(``flock`` on POSIX, ``msvcrt.locking`` on Windows) and writes the holder's host, pid and
start time into it; a second run on the same store is refused with one line naming the
holder. The operating system releases the lock when its process ends, however it ends, so
the lock of a killed run is simply taken over by the next one. (Over NFS, ``flock`` is
emulated with byte-range locks, which the server arbitrates between hosts.)
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import pandas as pd

from supportsim.sweeps._executors import SweepError
from supportsim.sweeps._grid import Task
from supportsim.sweeps._summary import METRICS
from supportsim.sweeps._task import TaskOutput

__all__ = ["FORMAT", "Store", "read_manifest"]

#: Version of the store layout and summary columns; part of a store's identity.
FORMAT = 2  # 2: streams from (seed, replication) alone; columns renamed, overtime added
MANIFEST = "manifest.json"
LOCK = "lock"
_META_KEY = b"supportsim.sweep"  # stores written before the rename keep resuming
_IDENTITY = ("format", "supportsim", "scenario", "seed")


def _json(value: Any) -> str:
    return json.dumps(value, default=str, indent=1)


def _write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write through `write` to a temporary file beside `path`, fsync, then rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        # Name the file the user knows, not the temporary one.
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_manifest(root: str | Path) -> dict[str, Any] | None:
    """The manifest of the store at `root`, or None when there is none."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SweepError(f"{path} is not a readable sweep manifest: {exc}") from exc
    if not isinstance(manifest, dict) or any(k not in manifest for k in _IDENTITY):
        raise SweepError(f"{path} is not a sweep manifest (missing keys); use another store")
    return manifest


def _created(root: Path, identity: dict[str, Any]) -> str:
    """When the store at `root` was created (now, for a new one), if it holds `identity`.

    Raises
    ------
    SweepError
        `root` holds another sweep, or files that are not a sweep store.
    """
    manifest = read_manifest(root)
    if manifest is None:
        if root.exists() and any(p.name != LOCK for p in root.iterdir()):
            raise SweepError(f"{root} is not empty and holds no {MANIFEST}; "
                             "choose an empty or new directory for the sweep store")
        return time.strftime("%Y-%m-%dT%H:%M:%S")
    differs = [k for k in _IDENTITY if manifest[k] != identity[k]]
    if differs:
        detail = ", ".join(f"{k} {manifest[k]!r} in the store, {identity[k]!r} now"
                           for k in differs)
        raise SweepError(
            f"the store {root} holds another sweep ({detail}); results of different "
            "base scenarios, seeds or versions are never mixed: use another store "
            "directory, or delete this one to start over")
    return str(manifest.get("created_at", ""))


#: Lock descriptors this process holds. A forked child (a pool worker) gets copies that
#: would keep a flock alive after this process is killed, until the child notices and
#: exits: the child closes its copies at once (the parent's lock is unaffected).
_HELD: set[int] = set()


def _forget_locks_in_child() -> None:
    for fd in _HELD:
        with suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock on open file `fd` without waiting; False if another holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock(root: Path) -> int:
    """Lock the store at `root` for this process; the open lock file's descriptor.

    Raises
    ------
    SweepError
        Another run holds the lock (named from the lock file), or it cannot be created.
    """
    path = root / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SweepError(f"cannot lock the sweep store {root}: {exc.strerror or exc} "
                         f"({path})") from exc
    if not _try_lock(fd):
        try:
            holder = json.loads(os.read(fd, 4096) or b"{}")
        except ValueError:
            holder = {}
        finally:
            os.close(fd)
        who = (f"pid {holder.get('pid')} on {holder.get('host')}, since "
               f"{holder.get('started_at')}" if holder else "another process")
        raise SweepError(f"the sweep store {root} is in use by another run ({who}); "
                         "wait for it to finish, or use another store")
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    try:
        # Write in place (not by rename): the lock lives on this file's open description.
        os.ftruncate(fd, 0)
        os.write(fd, _json(info).encode())
    except OSError as exc:
        os.close(fd)
        raise SweepError(f"cannot lock the sweep store {root}: {exc.strerror or exc} "
                         f"({path})") from exc
    _HELD.add(fd)
    return fd


class Store:
    """The task files of one sweep identity under `root` (see the module notes).

    An open store holds the store's lock until :meth:`close` (or until it is garbage
    collected, or its process ends).
    """

    def __init__(self, root: Path, identity: dict[str, Any], lock: int | None = None) -> None:
        self.root = root
        self.identity = identity
        self.tasks_dir = root / "tasks"
        self.tickets_dir = root / "tickets"
        self._lock = lock
        self._pid = os.getpid()

    def close(self) -> None:
        """Release the store's lock (the files stay); idempotent."""
        fd, self._lock = self._lock, None
        # In a forked child the descriptor was closed at fork, and its number may since
        # name another file: only the process that locked closes it.
        if fd is not None and os.getpid() == self._pid:
            _HELD.discard(fd)
            os.close(fd)  # closing the descriptor releases flock and msvcrt locks

    def __del__(self) -> None:
        self.close()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: str | Path, identity: dict[str, Any], grid: dict[str, Any],
             scenario_toml: str) -> Store:
        """Open (or create) the store at `root` for `identity`, recording `grid`.

        Raises
        ------
        SweepError
            The store belongs to another identity, or `root` holds something else.
        """
        root = Path(root)
        try:
            return cls._open(root, identity, grid, scenario_toml)
        except OSError as exc:
            # A read-only or full store, a file where a folder should be: name the store.
            where = f" ({exc.filename})" if exc.filename else ""
            raise SweepError(f"cannot use the sweep store {root}: "
                             f"{exc.strerror or exc}{where}") from exc

    @classmethod
    def _open(cls, root: Path, identity: dict[str, Any], grid: dict[str, Any],
              scenario_toml: str) -> Store:
        _created(root, identity)  # refuse a foreign directory before writing the lock in it
        root.mkdir(parents=True, exist_ok=True)
        # Locked before anything is changed: the temporaries removed below may be another
        # run's files in flight, and two runs would both execute every remaining task.
        store = cls(root, identity, _lock(root))
        try:
            created = _created(root, identity)  # again: a run may have ended meanwhile
            for folder in (store.tasks_dir, store.tickets_dir):
                folder.mkdir(parents=True, exist_ok=True)
            store._remove_temporaries()
            content = {**identity, "created_at": created,
                       "updated_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **grid}
            _write_atomic(root / MANIFEST, lambda h: h.write(_json(content).encode()))
            if not (root / "scenario.toml").exists():
                _write_atomic(root / "scenario.toml",
                              lambda h: h.write(scenario_toml.encode()))
        except BaseException:
            store.close()
            raise
        return store

    def _remove_temporaries(self) -> None:
        # Left by a run that was killed mid-write; their tasks count as not finished.
        for folder in (self.root, self.tasks_dir, self.tickets_dir):
            for path in folder.glob(".*.tmp"):
                path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ task files

    def _path(self, folder: Path, variant_id: str, replication: int) -> Path:
        return folder / f"{variant_id}-r{replication}.parquet"

    def _write_frame(self, path: Path, frame: pd.DataFrame, variant_id: str,
                     replication: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        tag = json.dumps({**self.identity, "variant": variant_id, "replication": replication})
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               _META_KEY: tag.encode()})
        _write_atomic(path, lambda handle: pq.write_table(table, handle))

    def _read_frame(self, path: Path, variant_id: str, replication: int,
                    columns: Iterable[str]) -> pd.DataFrame | None:
        """The frame in `path` if it is complete and this task's, else None (file removed)."""
        if not path.exists():
            return None
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
            tag = json.loads((table.schema.metadata or {})[_META_KEY])
            expected = {**self.identity, "variant": variant_id, "replication": replication}
            if any(tag.get(k) != v for k, v in expected.items()):
                raise ValueError("file belongs to another task or sweep")
            frame = table.to_pandas()
            if any(c not in frame.columns for c in columns) or not len(frame):
                raise ValueError("missing columns or rows")
            if (frame["replication"] != replication).any():
                raise ValueError("rows of another replication")
        # NOTE: any failure to read means "not finished"; pyarrow raises several types
        # (ArrowInvalid, OSError, KeyError for missing metadata, ...) on damaged files.
        except Exception:
            path.unlink(missing_ok=True)
            return None
        return frame

    def load(self, task: Task, keep_tickets: bool
             ) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
        """Summary (and tickets) of a finished task, or None when it must run (again)."""
        vid, rep = task.key
        summary = self._read_frame(self._path(self.tasks_dir, vid, rep), vid, rep,
                                   ("replication", "priority", *METRICS))
        if summary is None:
            return None
        tickets = None
        if keep_tickets:
            tickets = self._read_frame(self._path(self.tickets_dir, vid, rep), vid, rep,
                                       ("replication", "ticket", "priority"))
            if tickets is None:
                return None
        return summary, tickets

    def save(self, output: TaskOutput) -> None:
        """Store a finished task: tickets first, the summary (the 'done' mark) last."""
        assert output.summary is not None
        vid, rep = output.variant_id, output.replication
        with self._writing():
            if output.tickets is not None:
                self._write_frame(self._path(self.tickets_dir, vid, rep), output.tickets,
                                  vid, rep)
            self._write_frame(self._path(self.tasks_dir, vid, rep), output.summary, vid, rep)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """OSError -> SweepError naming the store and the file (a full or read-only disk)."""
        try:
            yield
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise SweepError(f"cannot write to the sweep store {self.root}: "
                             f"{exc.strerror or exc}{where}") from exc

    # ------------------------------------------------------------------ run records

    def log(self, run: str, output: TaskOutput) -> None:
        """Append one line for a task this run executed."""
        line = json.dumps({
            "run": run, "variant": output.variant_id, "replication": output.replication,
            "status": "done" if output.ok else "failed", "seconds": round(output.seconds, 4),
            "host": output.host, "pid": output.pid,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        })
        with self._writing(), open(self.root / "log.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def write_failures(self, failures: list[dict[str, Any]]) -> None:
        """Replace failures.json with this run's failures (an empty list when none)."""
        with self._writing():
            _write_atomic(self.root / "failures.json",
                          lambda handle: handle.write(_json(failures).encode()))
